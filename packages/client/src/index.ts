/**
 * @tablecast/client: typed SDK of the tablecast gateway for browsers and Node.
 *
 * ```ts
 * import { TablecastClient } from '@tablecast/client';
 * const client = new TablecastClient({ url: 'ws://localhost:8000/api/v1/ws' }); // Node 20: the node entry uses ws
 * client.on('state', (state, env) => draw(state.balls, env.timestamp));
 * client.onStatus((s) => s.type === 'resubscribed' && console.log(s.recovered));
 * await client.connect();
 * await client.subscribe(['state', 'event'], { max_fps: 30 });
 * ```
 */
export { TablecastClient } from './client.js';
export { Subscription, type SubscriptionEvents, type SubscriptionHost, type SubscriptionState } from './subscription.js';
export { TablecastError } from './types.js';
export type { ClientOptions, ReconnectOptions, StreamHandler, StreamPayloadMap } from './types.js';
export type { ClientStatus, ClientStatusType, ConnectionState, StatusListener } from './status.js';
export type { ClientStats } from './stats.js';
export { Backoff, backoffCeiling, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { createCodec, DecodeError, type Codec, type Encoding } from './codec.js';
export { ResumeTracker, type ResumeOutcome } from './resume.js';
export { RateMeter } from './stats.js';
export { MjpegParser, readMjpeg, type MjpegPart, type ReadMjpegOptions } from './video.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export type {
  Envelope,
  Filters,
  StreamName,
  StatePayload,
  TrajectoryPayload,
  EventPayload,
  AlertPayload,
  Ball,
  Cue,
  Table,
  Pocket,
  TrajectoryLine,
  TrajectoryCollision,
  PerformancePayload,
  SubscribedData,
  GameSummary,
  ShotResult,
  ShotReplay,
} from '@tablecast/protocol';
