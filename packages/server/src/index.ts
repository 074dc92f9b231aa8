/**
 * @tablecast/server: the gateway, HTTP API, pipeline and CLI of tablecast.
 */
export { createServer, type TablecastServer, type CreateServerOptions, type ServerExtensions } from './server.js';
export { loadConfig, ConfigError, type Config, type ConfigInput } from './config/index.js';
export { SourceUnavailableError } from '@tablecast/pipeline';
export { MemoryBroker } from './gateway/broker-memory.js';
export type { Broker, BrokerMessage, HistoryRange } from './gateway/broker.js';
export { Hub } from './gateway/hub.js';
export type { StreamPublisher, PublishResult } from './gateway/publisher.js';
export { FrameHub } from '@tablecast/pipeline';
