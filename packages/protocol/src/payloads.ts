/**
 * Stream payloads (the `data` of each stream's messages, PROTOCOL section 5) as TypeBox schemas.
 * Units: metres and m/s in the table frame (origin top-left of the playing surface, x along the long
 * rail, y across) unless `coordinates: pixels_4k` was asked for; angles in degrees; times in seconds
 * unless the field name says `_ms`. Extra fields are allowed (forward compatibility) but the listed
 * ones are type-checked when a publisher sends them.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { CanonicalStream } from './streams.js';

const Num = (description?: string) => Type.Number(description ? { description } : {});
const Open = { additionalProperties: true } as const;

/** A position with its unit scale: `[1, 1]` for metres (and for pixels_4k, the original's convention). */
export const Position = Type.Object(
  { x: Num('metres (or pixels with pixels_4k)'), y: Num('metres (or pixels)'), scale: Type.Optional(Type.Tuple([Type.Number(), Type.Number()])) },
  Open,
);
/** A plain point. */
export const Point = Type.Object({ x: Type.Number(), y: Type.Number() }, Open);

/** One detected ball. */
export const Ball = Type.Object(
  {
    id: Type.Union([Type.String(), Type.Integer()]),
    number: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 15 }), Type.Null()])),
    type: Type.Optional(Type.Union(['cue', 'solid', 'stripe', 'eight', 'unknown'].map((t) => Type.Literal(t)))),
    position: Position,
    velocity: Type.Optional(Position),
    radius: Type.Number({ exclusiveMinimum: 0, description: 'metres' }),
    is_moving: Type.Optional(Type.Boolean()),
    is_pocketed: Type.Optional(Type.Boolean()),
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    track_id: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    last_update: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  },
  Open,
);
/** The cue stick. */
export const Cue = Type.Object(
  {
    detected: Type.Boolean(),
    tip_position: Type.Optional(Position),
    /** The cue tip again, under the name the original system's clients read. */
    position: Type.Optional(Position),
    angle: Type.Optional(Num('degrees, direction the cue points (the shot direction), 0 = +x, counter-clockwise towards +y')),
    length: Type.Optional(Num('metres')),
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  Open,
);
/** A pocket. */
export const Pocket = Type.Object({ x: Type.Number(), y: Type.Number(), radius: Type.Number({ exclusiveMinimum: 0 }) }, Open);
/** The table. */
export const Table = Type.Object(
  {
    width: Num('metres, long rail'),
    height: Num('metres, short rail'),
    pockets: Type.Array(Pocket),
    corners: Type.Optional(Type.Array(Point)),
    /**
     * Whether positions are measured through a camera calibration (`calibration` then holds the
     * pixel -> table homography and the image size they were measured with); false for a table
     * geometry without one (simulator, replay without calibration).
     */
    calibrated: Type.Optional(Type.Boolean()),
    calibration: Type.Optional(Type.Unknown()),
  },
  Open,
);
/** `state` stream. */
/** One player of the current game (eight-ball). */
export const GamePlayer = Type.Object(
  {
    name: Type.String(),
    group: Type.Union([Type.Literal('solids'), Type.Literal('stripes'), Type.Null()], { description: 'null while the table is open' }),
    fouls: Type.Integer({ minimum: 0 }),
    pocketed: Type.Array(Type.Integer(), { description: 'numbers of the object balls this player pocketed' }),
  },
  Open,
);
/** What the last shot did. */
export const ShotResult = Type.Object(
  {
    shot: Type.Integer({ minimum: 1, description: 'number of the shot in this game' }),
    shooter: Type.Integer({ minimum: 0, maximum: 1, description: 'index into players' }),
    pocketed: Type.Array(Type.Integer(), { description: 'numbers of the balls pocketed (0 = cue ball)' }),
    foul: Type.Boolean(),
    foul_reason: Type.Union([Type.Literal('scratch'), Type.Literal('no_contact'), Type.Literal('wrong_ball_first'), Type.Literal('no_rail'), Type.Null()], {
      description: 'scratch: the cue ball pocketed; no_contact: it hit no ball; wrong_ball_first: it first hit a ball not of the shooter\'s group (or not the 8 once the group is cleared); no_rail: nothing pocketed and no ball reached a cushion after the contact',
    }),
    turn_kept: Type.Boolean(),
    first_contact: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 15 }), Type.Null()], { description: 'the object ball the cue ball hit first (null: none); absent when the camera could not tell' })),
    rail_after_contact: Type.Optional(Type.Boolean({ description: 'whether a ball reached a cushion after the cue ball\'s contact; absent when not read (nothing hit, a shot not started by the cue ball)' })),
    balls_to_cushion: Type.Optional(Type.Integer({ minimum: 0, maximum: 15, description: 'object balls that reached a cushion in the shot; absent when not read' })),
    legal_break: Type.Optional(Type.Boolean({ description: 'on the break: whether it pocketed an object ball or drove at least four to a cushion; absent on other shots or when not read' })),
  },
  Open,
);
/**
 * The current game as the core reads it (eight-ball): players, whose turn, balls left per group,
 * fouls, the last shot, the winner. Derived from the game events (pipeline eight-ball-rules.ts).
 */
export const GameSummary = Type.Object(
  {
    game_type: Type.Literal('eight_ball'),
    players: Type.Array(GamePlayer, { minItems: 2, maxItems: 2 }),
    turn: Type.Integer({ minimum: 0, maximum: 1, description: 'index into players of who shoots next' }),
    shots: Type.Integer({ minimum: 0 }),
    balls_left: Type.Object({ solids: Type.Integer({ minimum: 0 }), stripes: Type.Integer({ minimum: 0 }), eight: Type.Boolean() }, Open),
    last_shot: Type.Union([ShotResult, Type.Null()]),
    winner: Type.Union([Type.Integer({ minimum: 0, maximum: 1 }), Type.Null()]),
  },
  Open,
);
export type GameSummary = Static<typeof GameSummary>;
export type ShotResult = Static<typeof ShotResult>;

/**
 * A shot as replayable positions, in the `balls_stopped` event (`replay`): the layout at the strike
 * and, for each ball that moved, its positions every `interval_s` (metres, table frame; a path ends
 * where the ball was pocketed).
 */
export const ShotReplay = Type.Object(
  {
    interval_s: Type.Number({ exclusiveMinimum: 0 }),
    layout: Type.Array(Type.Object({ id: Type.String(), number: Type.Union([Type.Integer(), Type.Null()]), type: Type.String(), x: Type.Number(), y: Type.Number() }, Open)),
    paths: Type.Record(Type.String(), Type.Array(Type.Tuple([Type.Number(), Type.Number()])), { description: 'ball id -> [x, y] every interval_s' }),
  },
  Open,
);
export type ShotReplay = Static<typeof ShotReplay>;

export const StatePayload = Type.Object(
  {
    balls: Type.Array(Ball, { maxItems: 64 }),
    cue: Type.Union([Cue, Type.Null()]),
    table: Type.Union([Table, Type.Null()]),
    ball_count: Type.Optional(Type.Integer({ minimum: 0 })),
    frame_number: Type.Optional(Type.Integer({ minimum: 0 })),
    capture_timestamp: Type.Optional(Type.String()),
    game: Type.Optional(GameSummary),
  },
  Open,
);

/** One trajectory segment. */
export const TrajectoryLine = Type.Object(
  {
    start: Point,
    end: Point,
    type: Type.Union(['primary', 'secondary', 'reflection'].map((t) => Type.Literal(t))),
    ball_id: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
    confidence: Type.Optional(Type.Number()),
  },
  Open,
);
/** One predicted collision. */
export const TrajectoryCollision = Type.Object(
  {
    time: Num('seconds after the strike'),
    position: Point,
    type: Type.Union(['ball_ball', 'ball_cushion', 'ball_pocket'].map((t) => Type.Literal(t))),
    ball1_id: Type.Optional(Type.Union([Type.String(), Type.Integer(), Type.Null()])),
    ball2_id: Type.Optional(Type.Union([Type.String(), Type.Integer(), Type.Null()])),
    angle: Type.Optional(Num('degrees')),
  },
  Open,
);
/** `trajectory` stream. */
export const TrajectoryPayload = Type.Object(
  {
    ball_id: Type.Union([Type.String(), Type.Integer()]),
    lines: Type.Array(TrajectoryLine),
    collisions: Type.Array(TrajectoryCollision),
    pocketed: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Integer()]))),
    calculation_time_ms: Type.Optional(Type.Number()),
    line_count: Type.Optional(Type.Integer()),
    collision_count: Type.Optional(Type.Integer()),
    /** Confidence of the prediction as a whole, 0..1 (the cue ball path's least certain segment). */
    confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  Open,
);
/** `frame` stream (prefer MJPEG over HTTP in browsers). */
export const FramePayload = Type.Object(
  {
    image: Type.String({ description: 'base64 JPEG' }),
    width: Type.Integer(),
    height: Type.Integer(),
    format: Type.Optional(Type.String()),
    quality: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
    fps: Type.Optional(Type.Number()),
    size_bytes: Type.Optional(Type.Integer()),
  },
  Open,
);
/** `alert` stream. */
export const AlertPayload = Type.Object(
  {
    level: Type.Union(['info', 'warning', 'error', 'critical'].map((t) => Type.Literal(t))),
    message: Type.String({ maxLength: 4096 }),
    code: Type.Optional(Type.String()),
    details: Type.Optional(Type.Unknown()),
  },
  Open,
);
/** `config` stream. */
export const ConfigPayload = Type.Object(
  { section: Type.String(), config: Type.Unknown(), change_summary: Type.Optional(Type.Unknown()) },
  Open,
);
/** `performance` stream. */
export const PerformancePayload = Type.Object(
  {
    fps: Type.Number(),
    target_fps: Type.Optional(Type.Number()),
    frame_time_ms: Type.Optional(Type.Number()),
    cpu_percent: Type.Optional(Type.Number()),
    memory_mb: Type.Optional(Type.Number()),
    status: Type.Optional(Type.String()),
    bottlenecks: Type.Optional(Type.Array(Type.Unknown())),
  },
  Open,
);
/** `event` stream: game events. */
export const EventPayload = Type.Object(
  {
    event: Type.String({
      minLength: 1,
      description: 'game_started | shot_started | ball_pocketed | balls_stopped | cue_detected | cue_lost | scratch | ...',
    }),
  },
  Open,
);
/** `detection` stream (poker-style channel). */
export const DetectionPayload = Type.Object(
  {
    event_type: Type.String({ minLength: 1 }),
    severity: Type.Union(['info', 'success', 'warning', 'error'].map((t) => Type.Literal(t))),
    message: Type.String(),
    data: Type.Optional(Type.Unknown()),
  },
  Open,
);
/** `system_health` stream. */
export const SystemHealthPayload = Type.Object({ status: Type.String() }, Open);
/** `status` stream: component status changes. */
export const StatusPayload = Type.Object({ component: Type.String(), status: Type.String() }, Open);

/** The payload schema of every canonical stream. */
export const STREAM_PAYLOADS: Readonly<Record<CanonicalStream, TSchema>> = {
  state: StatePayload,
  trajectory: TrajectoryPayload,
  frame: FramePayload,
  alert: AlertPayload,
  config: ConfigPayload,
  performance: PerformancePayload,
  event: EventPayload,
  detection: DetectionPayload,
  system_health: SystemHealthPayload,
  status: StatusPayload,
};

export type Position = Static<typeof Position>;
export type Ball = Static<typeof Ball>;
export type Cue = Static<typeof Cue>;
export type Pocket = Static<typeof Pocket>;
export type Table = Static<typeof Table>;
export type StatePayload = Static<typeof StatePayload>;
export type TrajectoryLine = Static<typeof TrajectoryLine>;
export type TrajectoryCollision = Static<typeof TrajectoryCollision>;
export type TrajectoryPayload = Static<typeof TrajectoryPayload>;
export type FramePayload = Static<typeof FramePayload>;
export type AlertPayload = Static<typeof AlertPayload>;
export type ConfigPayload = Static<typeof ConfigPayload>;
export type PerformancePayload = Static<typeof PerformancePayload>;
export type EventPayload = Static<typeof EventPayload>;
export type DetectionPayload = Static<typeof DetectionPayload>;
export type SystemHealthPayload = Static<typeof SystemHealthPayload>;
export type StatusPayload = Static<typeof StatusPayload>;
