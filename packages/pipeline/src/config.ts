/**
 * The pipeline's configuration sections (`integration`, `source`, `table`): TypeBox schemas with the
 * original system's keys and defaults. Durations in seconds (`_s`), distances in metres (`_m`),
 * angles in degrees (`_deg`). The server assembles them into its whole configuration.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IntSetting as Int, NumSetting as Num, Section as Obj } from '@tablecast/common';

/** `integration`: the main loop's rate, publish retry and breaker, and when state/trajectory are published. */
export const IntegrationSection = Obj({
  target_fps: Num(30, 1, 240),
  retry: Obj({
    max_retries: Int(3, 0, 20),
    initial_delay_s: Num(0.1, 0.001, 60),
    backoff_multiplier: Num(2, 1, 10),
  }),
  circuit_breaker: Obj({
    failure_threshold: Int(10, 1, 10_000),
    timeout_s: Num(30, 0.01, 3600, 'how long the breaker stays open before one trial'),
  }),
  state_change_threshold_m: Num(0.002, 0, 1, 'publish state when any ball moved more than this'),
  state_heartbeat_s: Num(1, 0.05, 60, 'publish state at least this often while clients subscribe'),
  trajectory_angle_threshold_deg: Num(0.5, 0, 45),
  trajectory_position_threshold_m: Num(0.005, 0, 1),
  trajectory_worker: Type.Boolean({ default: true, description: 'compute trajectory predictions in a worker thread (false: on the main thread)' }),
});

/** `source`: where detections come from (`simulator`, `replay:FILE`, `image:`, `video:`, `camera:`, `none`). */
export const SourceSection = Obj({
  spec: Type.String({ default: 'simulator', description: 'simulator | replay:FILE | image:PATH | video:PATH | camera:DEVICE | none' }),
  seed: Int(1, 0, 2 ** 31 - 1),
  replay_speed: Num(1, 0.01, 1000),
  frames: Type.Boolean({ default: true, description: 'render/capture JPEG frames for the video endpoint' }),
  frames_on_demand: Type.Boolean({
    default: true,
    description: 'render/encode frames only while a video viewer is connected or a frame was requested in the last 5 s (false: always)',
  }),
  jpeg_quality: Int(70, 1, 100),
  handoff_capacity: Int(4, 1, 1024, 'detections buffered between worker and main loop; oldest dropped beyond'),
  restart_backoff_initial_s: Num(0.5, 0.01, 60),
  restart_backoff_max_s: Num(10, 0.01, 600),
  calibration_corners: Type.Optional(Type.Array(Type.Object({ x: Type.Number(), y: Type.Number() }), { minItems: 4, maxItems: 4 })),
  background: Type.Optional(Type.String({ description: 'empty-table image for background subtraction' })),
  ffmpeg_path: Type.String({ default: 'ffmpeg', minLength: 1, description: 'ffmpeg binary for video: and camera: sources (a path, or a name looked up on PATH)' }),
});

/** `table`: the table size preset (7, 8 or 9 ft). */
export const TableSection = Obj({
  preset: Type.Union([Type.Literal('7ft'), Type.Literal('8ft'), Type.Literal('9ft')], { default: '9ft' }),
});


/** The sections the pipeline reads, with every default applied. */
export interface PipelineConfig {
  integration: Static<typeof IntegrationSection>;
  source: Static<typeof SourceSection>;
  table: Static<typeof TableSection>;
}
