/**
 * Builds the AsyncAPI 3.0 document of the WebSocket protocol from the schemas of this package, so the
 * document can never drift from what the server validates.
 */
import { CLIENT_MESSAGES } from './client-messages.js';
import { SERVER_MESSAGES } from './server-messages.js';
import { STREAM_PAYLOADS } from './payloads.js';
import { DELIVERY_CLASS, STREAM_PRIORITY, type CanonicalStream } from './streams.js';
import { CLOSE_CODE_DESCRIPTIONS } from './close-codes.js';
import { ERROR_CODE_DESCRIPTIONS } from './errors.js';
import { PROTOCOL_VERSION } from './version.js';

/** A JSON object (the generated document). */
export type JsonObject = { [key: string]: unknown };

/**
 * Returns the AsyncAPI 3.0.0 document describing `/api/v1/ws`.
 * @param serverUrl host:port the document names as its server (default `localhost:8000`)
 */
export function buildAsyncApiDocument(serverUrl = 'localhost:8000'): JsonObject {
  const messages: JsonObject = {};
  const sendRefs: JsonObject[] = [];
  const receiveRefs: JsonObject[] = [];
  for (const [type, schema] of Object.entries(CLIENT_MESSAGES)) {
    const name = `client_${type}`;
    messages[name] = { name: type, title: `client ${type}`, contentType: 'application/json', payload: strip(schema) };
    receiveRefs.push({ $ref: `#/channels/gateway/messages/${name}` });
  }
  for (const [type, schema] of Object.entries(SERVER_MESSAGES)) {
    const name = `reply_${type}`;
    messages[name] = { name: type, title: `reply ${type}`, contentType: 'application/json', payload: envelope(type, strip(schema)) };
    sendRefs.push({ $ref: `#/channels/gateway/messages/${name}` });
  }
  for (const [stream, schema] of Object.entries(STREAM_PAYLOADS) as [CanonicalStream, object][]) {
    const name = `stream_${stream}`;
    messages[name] = {
      name: stream,
      title: `${stream} stream`,
      summary: `delivery: ${DELIVERY_CLASS[stream]}, priority ${STREAM_PRIORITY[stream]} (0 highest)`,
      contentType: 'application/json',
      payload: envelope(stream, strip(schema)),
    };
    sendRefs.push({ $ref: `#/channels/gateway/messages/${name}` });
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'tablecast WebSocket gateway',
      version: PROTOCOL_VERSION,
      description:
        'Real-time streams of a pool-table detection system. Close codes: ' +
        Object.entries(CLOSE_CODE_DESCRIPTIONS).map(([c, d]) => `${c} ${d}`).join('; ') +
        '. Error codes: ' +
        Object.entries(ERROR_CODE_DESCRIPTIONS).map(([c, d]) => `${c}: ${d}`).join('; '),
    },
    servers: { local: { host: serverUrl, protocol: 'ws', pathname: '/api/v1/ws' } },
    channels: {
      ...channelEndpoints(),
      gateway: {
        address: '/api/v1/ws',
        messages,
        bindings: {
          ws: {
            query: {
              type: 'object',
              properties: {
                token: { type: 'string' },
                client_id: { type: 'string' },
                encoding: { type: 'string', enum: ['json', 'msgpack'] },
              },
            },
          },
        },
      },
    },
    operations: {
      clientSends: { action: 'receive', channel: { $ref: '#/channels/gateway' }, messages: receiveRefs },
      serverSends: { action: 'send', channel: { $ref: '#/channels/gateway' }, messages: sendRefs },
    },
  };
}

/**
 * The single-purpose channels of PROTOCOL section 1 (same envelope, auto-subscribed to one stream).
 */
function channelEndpoints(): JsonObject {
  const one = (address: string, stream: CanonicalStream, description: string): JsonObject => ({
    address,
    description,
    messages: { [`stream_${stream}`]: { $ref: `#/channels/gateway/messages/stream_${stream}` } },
  });
  return {
    detection: one('/ws/detection', 'detection', 'read-only detection events feed; no authentication'),
    systemHealth: one('/ws/system-health', 'system_health', 'periodic system health pushes; a token is required (close 4001 otherwise)'),
    status: one('/ws/status', 'status', 'component status changes'),
    user: {
      address: '/ws/{user_id}',
      description: 'per-user channel for targeted sends; the token subject must equal user_id',
      parameters: { user_id: { description: 'the user the connection belongs to' } },
      messages: {},
    },
  };
}

function envelope(type: string, data: unknown): JsonObject {
  return {
    type: 'object',
    required: ['type', 'timestamp', 'sequence', 'data'],
    properties: {
      type: { const: type },
      timestamp: { type: 'string', description: 'UTC ISO-8601 with microseconds and +00:00, taken at publish' },
      sequence: { type: 'integer', minimum: 0, description: 'per stream, +1 per published message; 0 on replies' },
      data,
    },
  };
}

/** Deep-copies a TypeBox schema into plain JSON (drops TypeBox's symbol keys). */
function strip(schema: object): unknown {
  return JSON.parse(JSON.stringify(schema));
}
