/**
 * LeaderElection: one lock in Redis decides which node runs the pipeline (source + integration loop).
 *
 * - acquire: `SET {p}cluster:leader <node id> NX PX <ttl>`, tried every ttl/3 by followers and at
 *   once when the leader announces a release on the events channel;
 * - renew: every ttl/3 the leader runs a compare-and-extend script (lua.ts LOCK_RENEW); it re-takes a
 *   lock that vanished (Redis restarted) and steps down when another node holds it;
 * - release: compare-and-delete on close (lua.ts LOCK_RELEASE) plus a notification, so a graceful
 *   shutdown hands over within milliseconds; a killed leader is replaced once its lock expires
 *   (at most ttl + ttl/3 later).
 *
 * While Redis is unreachable the leader keeps its role: no other node can take the lock then, and the
 * pipeline keeps feeding this node's clients (broker local fallback). If only this node lost Redis
 * (a partition), another node takes over after the TTL and this one steps down as soon as it reaches
 * Redis again; sequences stay consistent because Redis assigns them. The lock is not a fencing token.
 */
import type { Redis } from 'ioredis';
import { LOCK_RELEASE, LOCK_RENEW } from './lock-scripts.js';

/** Options of an election. */
export interface LeaderElectionOptions {
  redis: Redis;
  /** Lock key. */
  key: string;
  /** Events channel for the release notification. */
  eventsChannel: string;
  nodeId: string;
  ttlMs: number;
  /** Called on every change of this node's role (after it happened). */
  onChange?: (leader: boolean) => void;
  /** Reports errors (rate-limited by the caller). */
  onError?: (err: Error) => void;
}

/** The release notification published on the events channel. */
export const LEADER_RELEASED = 'leader_released';

/** See the module comment. */
export class LeaderElection {
  private leader = false;
  private holder: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = true;
  /** Changes of role since start. */
  changes = 0;

  constructor(private readonly options: LeaderElectionOptions) {}

  /** Whether this node holds the lock (as far as it last knew). */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Node id holding the lock at the last check (null when free or unknown). */
  get leaderId(): string | null {
    return this.leader ? this.options.nodeId : this.holder;
  }

  /** Starts campaigning: tries at once, then every ttl/3. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(20, Math.floor(this.options.ttlMs / 3)));
    this.timer.unref();
  }

  /** Tries to acquire now (a release was announced). */
  poke(): void {
    if (!this.stopped && !this.leader) void this.tick();
  }

  /** One acquire-or-renew round; concurrent calls share the round in flight. */
  tick(): Promise<void> {
    this.ticking ??= this.round().finally(() => (this.ticking = null));
    return this.ticking;
  }

  private async round(): Promise<void> {
    const { redis, key, nodeId, ttlMs } = this.options;
    try {
      if (this.leader) {
        const held = Number(await LOCK_RENEW.run(redis, [key], [nodeId, ttlMs]));
        if (held !== 1) {
          this.holder = await redis.get(key);
          this.set(false);
        }
        return;
      }
      if (this.stopped) return;
      const ok = await redis.set(key, nodeId, 'PX', ttlMs, 'NX');
      if (ok === 'OK' && !this.stopped) {
        this.holder = nodeId;
        this.set(true);
      } else {
        this.holder = await redis.get(key);
        if (this.holder === nodeId && !this.stopped) this.set(true); // our own lock survived a restart of this object
      }
    } catch (err) {
      // Redis unreachable: keep the current role (see the module comment).
      this.options.onError?.(err as Error);
    }
  }

  private set(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    this.changes++;
    this.options.onChange?.(leader);
  }

  /** Stops campaigning and releases the lock when held (notifying followers). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
    if (!this.leader) return;
    const { redis, key, nodeId, eventsChannel } = this.options;
    try {
      await LOCK_RELEASE.run(redis, [key], [nodeId, eventsChannel, JSON.stringify({ type: LEADER_RELEASED, node: nodeId })]);
    } catch (err) {
      this.options.onError?.(err as Error);
    }
    this.holder = null;
    this.set(false);
  }
}
