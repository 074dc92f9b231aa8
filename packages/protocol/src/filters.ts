/**
 * Subscription filters (PROTOCOL section 4) as a TypeBox schema, so the server validates them and the
 * AsyncAPI document describes them from one source.
 */
import { Type, type Static } from '@sinclair/typebox';

/** A comparison operator of `conditions`. */
export const ConditionOp = Type.Union(
  ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'in', 'not_in', 'contains'].map((op) => Type.Literal(op)),
);

/** `{path: value}` (equality) or `{path: {op: value}}`; paths are dot-separated keys into `data`. */
export const Conditions = Type.Record(Type.String({ minLength: 1 }), Type.Unknown());

/** Rectangle in table coordinates (metres, origin top-left of the playing surface). */
export const Region = Type.Object(
  {
    x: Type.Number({ description: 'left edge, metres' }),
    y: Type.Number({ description: 'top edge, metres' }),
    width: Type.Number({ minimum: 0, description: 'metres' }),
    height: Type.Number({ minimum: 0, description: 'metres' }),
  },
  { additionalProperties: false },
);

/** Filters attached to one subscription. Every field is optional; unknown fields are rejected. */
export const Filters = Type.Object(
  {
    max_fps: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'messages per second at most' })),
    frame_rate: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'original client alias of max_fps' })),
    min_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    ball_ids: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Integer()]), { maxItems: 64 })),
    region: Type.Optional(Region),
    include_fields: Type.Optional(Type.Array(Type.String(), { maxItems: 64 })),
    exclude_fields: Type.Optional(Type.Array(Type.String(), { maxItems: 64 })),
    conditions: Type.Optional(Conditions),
    quality: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')])),
    aggregation_window_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 60_000 })),
    sample_rate: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'send every n-th message' })),
    coordinates: Type.Optional(Type.Union([Type.Literal('table_m'), Type.Literal('pixels_4k'), Type.Literal('pixels')])),
  },
  { additionalProperties: false },
);

/** Static type of {@link Filters}. */
export type Filters = Static<typeof Filters>;
