/**
 * @tablecast/gateway: a stream-agnostic real-time fan-out engine over WebSocket.
 *
 * The application describes its streams in a {@link StreamCatalog} (delivery class, priority,
 * aliases, payload check) and adds content filters as {@link FilterPlugin}s; the engine does the
 * rest: subscriptions and their filters, one serialization per filter variant, history and resume
 * with epochs and offsets, acknowledgements, priorities and conflation under backpressure,
 * slow-consumer isolation (4100), heartbeats, connection limits, and the Broker that sequences
 * messages (in memory, or Redis in `@tablecast/gateway/redis` for several nodes).
 *
 * Layers (each folder imports only those below it):
 *   transport/  the ws endpoint, upgrade routing, connection limits, the authenticator hook
 *   protocol/   inbound message handling (PROTOCOL section 3), protocol errors
 *   engine/     the hub (registry and fan-out), variants, filters, outbound framing, the catalog
 *   session/    a client session, its send queue and subscriptions
 *   broker/     the Broker interface, the memory broker, history, epochs
 *   metrics/    counters, latency histograms, event-loop lag
 *
 * Imports: @tablecast/protocol (the wire envelope, error and close codes), @tablecast/common, ws,
 * msgpackr, TypeBox, prom-client, hdr-histogram-js. Never the application.
 */
export { WebSocketSection, HistorySection, type GatewayConfig } from './config/gateway-config.js';
export { Hub, type HubOptions, type StreamAuthorizer, type ClientMessageExtension } from './engine/hub.js';
export {
  createStreamCatalog, MAX_STREAM_PRIORITY, type StreamCatalog, type StreamCatalogDefinition, type StreamDescriptor,
  type DeliveryClass, type PayloadProblem,
} from './catalog/stream-catalog.js';
export { validateFilters, compileFilters, stableJson, type FilterPlugin, type FilterStep, type DataTransform, type AsyncDataTransform, type CompiledFilters } from './filters/filters.js';
export { validatePayload, payloadIssue, type PayloadIssue } from './engine/payload-check.js';
export { OutboundMessage, type Encoding } from './wire/outbound.js';
export type { StreamPublisher, PublishOptions, PublishResult } from './engine/publisher.js';
export { ClientSession, type DropReason, type SessionHooks, type SessionLimits } from './session/client-session.js';
export { ProtocolError, PublishError } from './errors/errors.js';
export { MessageHandler, sessionStatus, type InboundContext } from './protocol/message-handler.js';
export { Gateway, type GatewayOptions } from './transport/ws-gateway.js';
export { originAllowed } from './transport/origin.js';
export { UpgradeRouter, routePath, safeDecode, reject, type UpgradeHandler } from './transport/upgrade-router.js';
export { credentialOf, ANONYMOUS, type AuthOutcome, type ConnectionAuthenticator, type Principal } from './transport/connection-auth.js';
export { WindowCounter } from './limits/rate-limit.js';
export { attemptLimiter, memoryAttemptLimiter, type AttemptLimiter, type LimitDecision } from './limits/attempt-limiter.js';
export { clientAddressResolver, type AddressResolver } from './transport/client-address.js';
export { MemoryBroker } from './broker/broker-memory.js';
export { StreamHistory, type HistoryLimits } from './broker/history.js';
export { randomEpoch } from './broker/epoch.js';
export type { Broker, BrokerMessage, BrokerHandler, BrokerHealth, HistoryRange } from './broker/broker.js';
export { GatewayMetrics, type StreamCounters } from './metrics/metrics.js';
export { LatencyRecorder, type LatencySummary } from './metrics/latency.js';
export { LoopLagMonitor, type LoopLag } from './metrics/loop-lag.js';
