/**
 * @tablecast/protocol/core: the constants and functions of the wire contract (stream names and
 * delivery classes, close codes, error codes, timestamps, request ids, the protocol version) without
 * its JSON Schemas. Nothing here imports TypeBox, so a bundle that only speaks the protocol (the SDK,
 * the dashboard) does not carry the schemas the server validates with; types come from the main
 * entry (`import type`), which costs nothing at run time.
 */
export * from './streams.js';
export * from './close-codes.js';
export * from './errors.js';
export * from './time.js';
export * from './request-id.js';
export * from './version.js';
