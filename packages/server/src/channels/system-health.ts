/**
 * System health pushes: every `channels.system_health_interval_s` (default 30 s) and at once when a
 * component's status changes, a snapshot is published on the `system_health` stream (latest-value:
 * a new subscriber gets the newest snapshot at once). Every component status change is also
 * published on the reliable `status` stream as `{component, status, previous, details}`.
 *
 * Snapshot: `{status, reason, node_id, uptime_s, cpu {process_percent, system_percent, cores,
 * load_avg}, memory {rss_mb, heap_used_mb, heap_total_mb, external_mb, system_total_mb,
 * system_free_mb, system_used_percent}, event_loop {lag_p50_ms, lag_p99_ms, lag_max_ms},
 * connections {total, by_channel}, broker, source, components {name: status}}`. CPU percentages are
 * over the last sample interval (process: of one core); the event-loop figures over the server's last
 * 5 s lag window (gateway/loop-lag.ts). `status` is the overall component health
 * (see http/health.ts), at least `degraded` while the event-loop lag p99 exceeds
 * `channels.health_lag_degraded_ms`.
 */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import type { Hub } from '@tablecast/gateway';
import type { RouteContext } from '../http/context.js';
import { overallHealth } from '../http/health.js';
import type { ChannelsConfig } from '../config/channels-section.js';

const MB = 1024 * 1024;
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Why a snapshot was pushed. */
export type HealthPushReason = 'startup' | 'interval' | 'change';

interface CpuSample {
  atNs: bigint;
  process: NodeJS.CpuUsage;
  idle: number;
  total: number;
}

function cpuSample(): CpuSample {
  let idle = 0;
  let total = 0;
  for (const c of cpus()) {
    idle += c.times.idle;
    total += c.times.idle + c.times.user + c.times.nice + c.times.sys + c.times.irq;
  }
  return { atNs: process.hrtime.bigint(), process: process.cpuUsage(), idle, total };
}

/** Samples health and publishes `system_health` / `status`. One per server. */
export class SystemHealthMonitor {
  private readonly componentStatus = new Map<string, string>();
  private lastOverall: string | null = null;
  private lag = { lag_p50_ms: 0, lag_p99_ms: 0, lag_max_ms: 0 };
  private cpu = { process_percent: 0, system_percent: 0 };
  private prevCpu: CpuSample = cpuSample();
  private intervalTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  /** Snapshots published (all reasons). */
  pushes = 0;
  /** Publishes that failed (broker unavailable). */
  failures = 0;

  /**
   * @param hub where snapshots and status changes are published
   * @param ctx route context (components, broker, gateway, node id, start time)
   * @param config the `channels` section
   */
  constructor(
    private readonly hub: Hub,
    private readonly ctx: RouteContext,
    private readonly config: ChannelsConfig,
  ) {
  }

  /** Publishes the startup snapshot and the initial component statuses, then starts the timers. */
  start(): void {
    if (this.intervalTimer) return;
    this.check(true);
    this.intervalTimer = setInterval(() => void this.push('interval'), this.config.system_health_interval_s * 1000);
    this.intervalTimer.unref();
    this.checkTimer = setInterval(() => this.check(false), this.config.health_check_interval_s * 1000);
    this.checkTimer.unref();
  }

  /** Stops the timers. */
  stop(): void {
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.intervalTimer = this.checkTimer = null;
  }

  /** Samples CPU and event-loop lag since the previous sample. */
  private sample(): void {
    const now = cpuSample();
    const elapsedUs = Number(now.atNs - this.prevCpu.atNs) / 1000;
    if (elapsedUs > 0) {
      const used = now.process.user - this.prevCpu.process.user + (now.process.system - this.prevCpu.process.system);
      const total = now.total - this.prevCpu.total;
      this.cpu = {
        process_percent: round((100 * used) / elapsedUs, 1),
        system_percent: total > 0 ? round(100 * (1 - (now.idle - this.prevCpu.idle) / total), 1) : this.cpu.system_percent,
      };
    }
    this.prevCpu = now;
    const lag = this.ctx.metrics.loop.recent();
    if (lag.samples > 0) this.lag = { lag_p50_ms: round(lag.p50), lag_p99_ms: round(lag.p99), lag_max_ms: round(lag.max) };
  }

  /** The current snapshot (`system_health` payload). */
  snapshot(reason: HealthPushReason): Record<string, unknown> {
    const h = overallHealth(this.ctx);
    let status: string = h.status;
    if (status === 'healthy' && this.lag.lag_p99_ms > this.config.health_lag_degraded_ms) status = 'degraded';
    const byChannel: Record<string, number> = {};
    for (const s of this.hub.sessions.values()) {
      const ch = s.channel;
      byChannel[ch] = (byChannel[ch] ?? 0) + 1;
    }
    const mem = process.memoryUsage();
    const sysTotal = totalmem();
    const sysFree = freemem();
    return {
      status,
      reason,
      node_id: this.ctx.nodeId,
      version: this.ctx.version,
      uptime_s: round((Date.now() - this.ctx.startedAtMs) / 1000, 3),
      cpu: { ...this.cpu, cores: cpus().length, load_avg: loadavg().map((v) => round(v)) },
      memory: {
        rss_mb: round(mem.rss / MB),
        heap_used_mb: round(mem.heapUsed / MB),
        heap_total_mb: round(mem.heapTotal / MB),
        external_mb: round(mem.external / MB),
        system_total_mb: round(sysTotal / MB),
        system_free_mb: round(sysFree / MB),
        system_used_percent: round(100 * (1 - sysFree / sysTotal), 1),
      },
      event_loop: { ...this.lag },
      connections: { total: this.hub.sessions.size, by_channel: byChannel },
      broker: h.components.broker ?? null,
      source: h.components.pipeline ?? null,
      components: Object.fromEntries(Object.entries(h.components).map(([k, c]) => [k, c.status])),
    };
  }

  /** Publishes a snapshot on `system_health`. Never throws. */
  async push(reason: HealthPushReason): Promise<void> {
    if (reason === 'interval') this.sample();
    try {
      await this.hub.publish('system_health', this.snapshot(reason));
      this.pushes++;
    } catch {
      this.failures++;
    }
  }

  /**
   * Samples component statuses; publishes a `status` message per change and a `change` snapshot when
   * anything changed (or the startup snapshot when `initial`).
   */
  check(initial: boolean): void {
    this.sample();
    const h = overallHealth(this.ctx);
    const lagging = this.lag.lag_p99_ms > this.config.health_lag_degraded_ms;
    const statuses: [string, string, Record<string, unknown>][] = Object.entries(h.components).map(([name, c]) => [name, c.status, c]);
    statuses.push(['event_loop', lagging ? 'degraded' : 'healthy', { ...this.lag }]);
    let changed = false;
    for (const [component, status, details] of statuses) {
      const previous = this.componentStatus.get(component) ?? null;
      if (previous === status) continue;
      this.componentStatus.set(component, status);
      changed = true;
      this.hub.publish('status', { component, status, previous, details: trimDetails(details) }).catch(() => this.failures++);
    }
    const overall = h.status === 'healthy' && lagging ? 'degraded' : h.status;
    if (overall !== this.lastOverall) changed = true;
    this.lastOverall = overall;
    if (initial) void this.push('startup');
    else if (changed) void this.push('change');
  }
}

/** Component details without large nested values (status messages stay small). */
function trimDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (k === 'status') continue;
    if (v === null || typeof v !== 'object') out[k] = v;
  }
  return out;
}
