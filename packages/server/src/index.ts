/**
 * @tablecast/server: the gateway, HTTP API, pipeline and CLI of tablecast.
 */
export { createServer, type TablecastServer, type CreateServerOptions } from './server.js';
export { loadConfig, ConfigError, type Config, type ConfigInput } from './config/index.js';
export { FrameHub, SourceUnavailableError } from '@tablecast/pipeline';
export { Hub, MemoryBroker, type Broker, type BrokerMessage, type HistoryRange, type PublishResult, type StreamPublisher } from '@tablecast/gateway';
export { billiardsCatalog, billiardsFilters, TablePixels, CalibrationFollower } from './streams/index.js';
