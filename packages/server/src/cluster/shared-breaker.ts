/**
 * SharedBreakerState: mirrors a {@link CircuitBreaker} through Redis so every node agrees on it.
 *
 * The node that owns the breaker (the pipeline's publish breaker runs on the leader) reports each
 * transition through the breaker's `onStateChange` hook: HSET `{p}cluster:breaker:{name}`
 * (state, node, at) and PUBLISH on the events channel. Every node keeps the last shared state for
 * its health output; a node with an attached breaker applies transitions made elsewhere
 * (`breaker.transition`), and a breaker attached later (a new leader's pipeline) starts from the
 * shared state instead of `closed`.
 */
import type { Redis } from 'ioredis';
import type { BreakerState, CircuitBreaker } from '@tablecast/common';

/** The shared state of one breaker. */
export interface SharedBreakerSnapshot {
  state: BreakerState;
  /** Node that made the last transition. */
  node: string;
  /** ISO time of the last transition. */
  at: string;
}

/** Event published on the events channel. */
export interface BreakerEvent extends SharedBreakerSnapshot {
  type: 'breaker';
  name: string;
}

const STATES: readonly BreakerState[] = ['closed', 'half_open', 'open'];

/** See the module comment. */
export class SharedBreakerState {
  /** Last known shared state (null before any was seen). */
  shared: SharedBreakerSnapshot | null = null;
  private breaker: CircuitBreaker | null = null;
  private applying = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly eventsChannel: string,
    readonly name: string,
    private readonly nodeId: string,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  /** Attaches the local breaker (once created) and brings it to the shared state. */
  async attach(breaker: CircuitBreaker): Promise<void> {
    this.breaker = breaker;
    await this.refresh();
    if (this.shared && this.shared.state !== breaker.state) this.apply(this.shared.state);
  }

  /** Detaches the local breaker (pipeline stopped). */
  detach(): void {
    this.breaker = null;
  }

  /** The breaker's onStateChange hook: shares a local transition. */
  onStateChange(to: BreakerState): void {
    if (this.applying) return;
    const snap: SharedBreakerSnapshot = { state: to, node: this.nodeId, at: new Date().toISOString() };
    this.shared = snap;
    const event: BreakerEvent = { type: 'breaker', name: this.name, ...snap };
    this.redis
      .multi()
      .hset(this.key, { state: snap.state, node: snap.node, at: snap.at })
      .publish(this.eventsChannel, JSON.stringify(event))
      .exec()
      .catch((err: Error) => this.onError(err));
  }

  /** Handles an event from the events channel (ignores other names and own events). */
  onEvent(event: BreakerEvent): void {
    if (event.name !== this.name || !STATES.includes(event.state)) return;
    this.shared = { state: event.state, node: event.node, at: event.at };
    if (event.node !== this.nodeId) this.apply(event.state);
  }

  /** Reads the shared state from Redis. Never throws. */
  async refresh(): Promise<void> {
    try {
      const h = await this.redis.hgetall(this.key);
      if (h.state && STATES.includes(h.state as BreakerState)) this.shared = { state: h.state as BreakerState, node: h.node ?? '', at: h.at ?? '' };
    } catch (err) {
      this.onError(err as Error);
    }
  }

  private apply(state: BreakerState): void {
    if (!this.breaker) return;
    this.applying = true;
    try {
      this.breaker.transition(state);
    } finally {
      this.applying = false;
    }
  }
}
