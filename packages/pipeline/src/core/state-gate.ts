/**
 * Decides when a `state` message is worth publishing (integration.state_change_threshold_m and
 * integration.state_heartbeat_s): when any ball moved more than the threshold since the last
 * published state, a ball appeared or vanished, a ball started or stopped moving, the cue appeared, vanished or moved (angle over
 * `cueAngleDeg`, tip over the threshold) — or, while clients are subscribed, when the heartbeat
 * interval passed without a publish.
 */
import type { StatePayload } from '@tablecast/protocol';

/** Gate settings. */
export interface StateGateOptions {
  /** Metres a ball (or the cue tip) must move to count as a change. */
  thresholdM: number;
  /** Seconds between heartbeat publishes while subscribed. */
  heartbeatS: number;
  /** Degrees of cue rotation that count as a change (default 0.1). */
  cueAngleDeg?: number;
}

/** Why a state is published. */
export type StatePublishReason = 'first' | 'change' | 'heartbeat';

/** See the module comment. */
export class StateGate {
  private last: StatePayload | null = null;
  private lastMs = -Infinity;
  private readonly byId = new Map<string | number, { x: number; y: number; moving: boolean }>();

  constructor(private readonly opts: StateGateOptions) {}

  /**
   * @param state candidate payload
   * @param nowMs clock, milliseconds
   * @param subscribed whether any client subscribes to `state` (heartbeats only then)
   * @returns the reason to publish, or null to skip
   */
  check(state: StatePayload, nowMs: number, subscribed: boolean): StatePublishReason | null {
    if (!this.last) return 'first';
    if (this.changed(state)) return 'change';
    if (subscribed && nowMs - this.lastMs >= this.opts.heartbeatS * 1000) return 'heartbeat';
    return null;
  }

  /** Records that `state` was published at `nowMs`. */
  published(state: StatePayload, nowMs: number): void {
    this.last = state;
    this.lastMs = nowMs;
    this.byId.clear();
    for (const b of state.balls) this.byId.set(b.id, { x: b.position.x, y: b.position.y, moving: b.is_moving === true });
  }

  private changed(s: StatePayload): boolean {
    const last = this.last!;
    if (s.balls.length !== last.balls.length) return true;
    // The game summary is one object until it changes (eight-ball-rules.ts current()).
    if (s.game !== last.game) return true;
    const th = this.opts.thresholdM;
    for (const b of s.balls) {
      const p = this.byId.get(b.id);
      if (!p || p.moving !== (b.is_moving === true)) return true;
      const dx = b.position.x - p.x;
      const dy = b.position.y - p.y;
      if (dx * dx + dy * dy > th * th) return true;
    }
    const a = s.cue;
    const c = last.cue;
    if (!a !== !c) return true;
    if (a && c && a.tip_position && c.tip_position) {
      let d = Math.abs((a.angle ?? 0) - (c.angle ?? 0)) % 360;
      if (d > 180) d = 360 - d;
      if (d > (this.opts.cueAngleDeg ?? 0.1)) return true;
      if (Math.hypot(a.tip_position.x - c.tip_position.x, a.tip_position.y - c.tip_position.y) > th) return true;
    }
    return false;
  }
}
