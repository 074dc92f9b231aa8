/**
 * What the HTTP routes need from the server, passed explicitly (no global state).
 */
import type { Config } from '../config/index.js';
import type { Gateway, GatewayMetrics, Hub } from '@tablecast/gateway';
import type { FrameHub } from '@tablecast/pipeline';
import type { Registry } from 'prom-client';

/** Health of one component. */
export interface ComponentHealth {
  status: 'healthy' | 'degraded' | 'unhealthy';
  [key: string]: unknown;
}

/** Server-wide state the routes read and control. */
export interface RouteContext {
  config: Config;
  hub: Hub;
  gateway: Gateway;
  metrics: GatewayMetrics;
  registry: Registry;
  frames: FrameHub;
  version: string;
  nodeId: string;
  startedAtMs: number;
  /** Extra components (pipeline, cluster) that report health. */
  components: Map<string, () => ComponentHealth>;
  /** Starts/stops the pipeline (system/start|stop); resolves with the new running state. */
  system: { running(): boolean; start(): Promise<void>; stop(): Promise<void> };
  /**
   * Whether this node is ready for traffic beyond being healthy: false (with the reason) while the
   * configured pipeline has never produced a detection, or in cluster mode while no node runs it.
   */
  readiness(): { ready: true } | { ready: false; reason: string };
  /** Camera calibration / table geometry for /vision/calibration, or null. */
  calibration(): Record<string, unknown> | null;
}
