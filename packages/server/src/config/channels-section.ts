/**
 * The `channels` configuration section (TypeBox): the poker-style WebSocket channels (/ws/detection,
 * /ws/system-health, /ws/status, /ws/{user_id}), system-health pushes, the detection emitter queue
 * and client groups. See docs/AUTH.md.
 */
import { Type, type Static } from '@sinclair/typebox';

/** The `channels` section. */
export const ChannelsSection = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'register /ws/detection, /ws/system-health, /ws/status and /ws/{user_id}' }),
    system_health_interval_s: Type.Number({ default: 30, minimum: 0.05, maximum: 86_400, description: 'push system_health every this many seconds' }),
    health_check_interval_s: Type.Number({
      default: 2,
      minimum: 0.05,
      maximum: 3600,
      description: 'sample component health this often; a status change is pushed at once (system_health and status)',
    }),
    health_lag_degraded_ms: Type.Number({ default: 500, minimum: 1, maximum: 600_000, description: 'event-loop lag p99 above it reports degraded' }),
    max_groups_per_connection: Type.Integer({ default: 32, minimum: 1, maximum: 10_000 }),
  },
  { additionalProperties: false, default: {} },
);

/** The effective `channels` section. */
export type ChannelsConfig = Static<typeof ChannelsSection>;
