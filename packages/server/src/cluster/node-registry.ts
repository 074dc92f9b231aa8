/**
 * NodeRegistry: every gateway process heartbeats its id, address, connection count and load into
 * Redis (a hash per node with a TTL, plus a sorted set node id -> last beat in ms) and reads the
 * others' in the same round, so any node can answer "which nodes, which leader, how loaded"
 * (/api/v1/health, /api/v1/websocket/health, /metrics) from memory.
 */
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './cluster-keys.js';

/** What a node reports about itself each beat. */
export interface NodeLoad {
  address: string | null;
  connections: number;
  /** Event-loop lag, milliseconds. */
  eventLoopLagMs: number;
  /** CPU use of the process since the previous beat, percent of one core. */
  cpuPercent: number;
  rssMb: number;
  leader: boolean;
  /** Broker breaker state (closed | half_open | open). */
  breaker: string;
  /** Local subscribers per canonical stream (only non-zero ones). */
  subscribers: Record<string, number>;
}

/** One node as read from the registry. */
export interface NodeRecord extends NodeLoad {
  id: string;
  pid: number;
  startedAt: string;
  /** Milliseconds since its last beat (by this node's clock). */
  ageMs: number;
}

/** Options of a registry. */
export interface NodeRegistryOptions {
  redis: Redis;
  keys: ClusterKeys;
  nodeId: string;
  intervalMs: number;
  ttlMs: number;
  load: () => NodeLoad;
  onError?: (err: Error) => void;
}

/** See the module comment. */
export class NodeRegistry {
  /** Nodes seen in the last successful round (this one included), by id. */
  nodes: NodeRecord[] = [];
  /** Leader lock holder read in the last round. */
  leaderId: string | null = null;
  /** Time of the last successful round, ms (0 = never). */
  lastOkMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly options: NodeRegistryOptions) {}

  /** Starts beating (one beat at once). */
  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One heartbeat + read round. Never throws (errors go to onError). */
  async beat(): Promise<void> {
    const { redis, keys, nodeId, ttlMs } = this.options;
    try {
      const load = this.options.load();
      const now = Date.now();
      const hash: Record<string, string> = {
        id: nodeId,
        pid: String(process.pid),
        address: load.address ?? '',
        connections: String(load.connections),
        event_loop_lag_ms: load.eventLoopLagMs.toFixed(2),
        cpu_percent: load.cpuPercent.toFixed(1),
        rss_mb: load.rssMb.toFixed(1),
        leader: load.leader ? '1' : '0',
        breaker: load.breaker,
        subscribers: JSON.stringify(load.subscribers),
        started_at: this.startedAt,
        updated_at: String(now),
      };
      const res = await redis
        .multi()
        .hset(keys.node(nodeId), hash)
        .pexpire(keys.node(nodeId), ttlMs)
        .zadd(keys.nodes, String(now), nodeId)
        .zremrangebyscore(keys.nodes, '-inf', now - ttlMs)
        .zrange(keys.nodes, '0', '-1')
        .get(keys.leader)
        .exec();
      if (!res) throw new Error('registry transaction aborted');
      const ids = (res[4]?.[1] ?? []) as string[];
      this.leaderId = (res[5]?.[1] as string | null) ?? null;
      const p = redis.pipeline();
      for (const id of ids) p.hgetall(keys.node(id));
      const rows = (await p.exec()) ?? [];
      const nodes: NodeRecord[] = [];
      rows.forEach(([err, h]) => {
        const r = h as Record<string, string> | null;
        if (err || !r || !r.id) return;
        nodes.push(parseNode(r, Date.now()));
      });
      this.nodes = nodes.sort((a, b) => a.id.localeCompare(b.id));
      this.lastOkMs = Date.now();
    } catch (err) {
      this.options.onError?.(err as Error);
    }
  }

  /** Stops beating and removes this node from the registry (best effort). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const { redis, keys, nodeId } = this.options;
    if (redis.status !== 'ready') return;
    await redis.multi().del(keys.node(nodeId)).zrem(keys.nodes, nodeId).exec().catch(() => undefined);
  }
}

function parseNode(h: Record<string, string>, nowMs: number): NodeRecord {
  let subscribers: Record<string, number> = {};
  try {
    subscribers = JSON.parse(h.subscribers ?? '{}') as Record<string, number>;
  } catch {
    /* keep empty */
  }
  return {
    id: h.id!,
    pid: Number(h.pid ?? 0),
    address: h.address || null,
    connections: Number(h.connections ?? 0),
    eventLoopLagMs: Number(h.event_loop_lag_ms ?? 0),
    cpuPercent: Number(h.cpu_percent ?? 0),
    rssMb: Number(h.rss_mb ?? 0),
    leader: h.leader === '1',
    breaker: h.breaker ?? 'unknown',
    subscribers,
    startedAt: h.started_at ?? '',
    ageMs: Math.max(0, nowMs - Number(h.updated_at ?? nowMs)),
  };
}
