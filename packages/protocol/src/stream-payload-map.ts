/**
 * The payload type of every stream name, for typed publish and subscribe APIs.
 */
import type {
  AlertPayload, ConfigPayload, DetectionPayload, EventPayload, FramePayload, PerformancePayload, StatePayload,
  StatusPayload, SystemHealthPayload, TrajectoryPayload,
} from './payloads.js';

/** The `data` type of each stream's messages (PROTOCOL section 5). `metrics` is `performance`. */
export interface StreamPayloadMap {
  state: StatePayload;
  trajectory: TrajectoryPayload;
  frame: FramePayload;
  alert: AlertPayload;
  config: ConfigPayload;
  performance: PerformancePayload;
  metrics: PerformancePayload;
  /** Game events carry event-specific fields beside `event` (ball_id, pocket, speed, ...). */
  event: EventPayload & { [field: string]: unknown };
  detection: DetectionPayload;
  system_health: SystemHealthPayload;
  status: StatusPayload;
}
