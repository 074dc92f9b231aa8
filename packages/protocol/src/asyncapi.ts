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

/** A reference to a message component. */
const ref = (name: string): JsonObject => ({ $ref: `#/components/messages/${name}` });

/**
 * Returns the AsyncAPI 3.0.0 document describing the WebSocket endpoints. Every message is a named
 * component (`components.messages`: `client_<type>`, `reply_<type>`, `stream_<stream>`,
 * `targeted`); every channel lists the messages it carries and has its operations (`receive` what
 * clients send, `send` what the server sends), so a code generator sees who sends what where.
 * @param serverUrl host:port the document names as its server (default `localhost:8000`)
 */
export function buildAsyncApiDocument(serverUrl = 'localhost:8000'): JsonObject {
  const messages: JsonObject = {};
  const clientNames: string[] = [];
  const replyNames: string[] = [];
  const streamNames: string[] = [];
  for (const [type, schema] of Object.entries(CLIENT_MESSAGES)) {
    const name = `client_${type}`;
    messages[name] = { name: type, title: `client ${type}`, contentType: 'application/json', payload: strip(schema) };
    clientNames.push(name);
  }
  for (const [type, schema] of Object.entries(SERVER_MESSAGES)) {
    const name = `reply_${type}`;
    messages[name] = { name: type, title: `reply ${type}`, contentType: 'application/json', payload: envelope(type, strip(schema)) };
    replyNames.push(name);
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
    streamNames.push(name);
  }
  messages.targeted = {
    name: 'targeted',
    title: 'targeted message',
    summary: 'one message sent to a user or a group (POST /api/v1/users/{user_id}/send, /groups/{group}/broadcast); its type is the sender\'s',
    contentType: 'application/json',
    payload: envelope(null, { type: 'object' }),
  };
  const byName = (names: string[]): JsonObject => Object.fromEntries(names.map((n) => [n, ref(n)]));
  const channelRefs = (channel: string, names: string[]): JsonObject[] => names.map((n) => ({ $ref: `#/channels/${channel}/messages/${n}` }));
  const single: [string, string, CanonicalStream, string][] = [
    ['detection', '/ws/detection', 'detection', 'read-only detection events feed; no authentication'],
    ['systemHealth', '/ws/system-health', 'system_health', 'periodic system health pushes; a token is required (close 4001 otherwise)'],
    ['status', '/ws/status', 'status', 'component status changes'],
  ];
  const channels: JsonObject = {
    gateway: {
      address: '/api/v1/ws',
      description: 'the main endpoint: subscribe to any streams with filters, history and resume (also /api/v1/websocket/ws and /ws)',
      messages: byName([...clientNames, ...replyNames, ...streamNames]),
      bindings: {
        ws: {
          query: {
            type: 'object',
            properties: {
              token: { type: 'string' },
              client_id: { type: 'string' },
              encoding: { type: 'string', enum: ['json', 'msgpack'] },
              resume_token: { type: 'string' },
            },
          },
        },
      },
    },
    user: {
      address: '/ws/{user_id}',
      description: 'per-user channel for targeted sends; the token subject must equal user_id',
      parameters: { user_id: { description: 'the user the connection belongs to' } },
      messages: byName(['targeted', 'reply_connection']),
    },
  };
  const operations: JsonObject = {
    gatewayReceive: { action: 'receive', summary: 'what a client sends on the main endpoint', channel: { $ref: '#/channels/gateway' }, messages: channelRefs('gateway', clientNames) },
    gatewaySendReplies: { action: 'send', summary: 'replies to client messages', channel: { $ref: '#/channels/gateway' }, messages: channelRefs('gateway', replyNames) },
    gatewaySendStreams: { action: 'send', summary: 'messages of the subscribed streams', channel: { $ref: '#/channels/gateway' }, messages: channelRefs('gateway', streamNames) },
    userSend: { action: 'send', summary: 'targeted messages for this user', channel: { $ref: '#/channels/user' }, messages: channelRefs('user', ['targeted', 'reply_connection']) },
  };
  for (const [key, address, stream, description] of single) {
    const name = `stream_${stream}`;
    channels[key] = { address, description, messages: byName([name, 'reply_connection']) };
    operations[`${key}Send`] = { action: 'send', summary: `the ${stream} stream, subscribed on connect`, channel: { $ref: `#/channels/${key}` }, messages: channelRefs(key, [name, 'reply_connection']) };
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
    channels,
    operations,
    components: { messages },
  };
}

/** The envelope of PROTOCOL section 2 around `data`; `type` null: any string (targeted messages). */
function envelope(type: string | null, data: unknown): JsonObject {
  return {
    type: 'object',
    required: ['type', 'timestamp', 'sequence', 'data'],
    properties: {
      type: type === null ? { type: 'string' } : { const: type },
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
