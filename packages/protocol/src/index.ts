/**
 * @tablecast/protocol: the wire contract shared by server, client SDK and dashboard.
 * Isomorphic; no Node-only code.
 */
export * from './streams.js';
export * from './close-codes.js';
export * from './errors.js';
export * from './time.js';
export * from './filters.js';
export * from './client-messages.js';
export * from './server-messages.js';
export * from './request-id.js';
export * from './payloads.js';
export * from './stream-payload-map.js';
export * from './asyncapi.js';
export * from './version.js';
