// Client-id ownership from the SDK's side (issue 16): the SDK sends back the server's resume token
// on reconnect, so it reclaims its own id; replaced by its own newer connection it says so.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { CloseCode } from '@tablecast/protocol';
import { TablecastClient, type ClientStatus } from '../src/index.js';
import { startServer, waitFor } from './helpers.js';

/** Opens a raw socket to `url` and resolves with the close code the server sends. */
function closeCodeOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
}

test('SDK: a client replaced by its own newer connection says so in its status and does not reconnect', async () => {
  const s = await startServer();
  after(() => s.server.close());
  const sdk = new TablecastClient({ url: s.ws, clientId: 'coach-tablet', WebSocket: WebSocket as never, reconnect: { initialMs: 20, maxMs: 50 } });
  after(() => sdk.close());
  const statuses: ClientStatus[] = [];
  sdk.onStatus((st) => statuses.push(st));
  await sdk.connect();
  const token = sdk.serverInfo?.resume_token;
  assert.ok(token, 'the SDK keeps the resume token');
  // A stranger cannot take the id over...
  assert.equal(await closeCodeOf(`${s.ws}?client_id=coach-tablet`), CloseCode.CLIENT_ID_IN_USE);
  assert.equal(sdk.state, 'connected');
  // ...but the same client's newer connection (its resume token) does.
  const newer = new WebSocket(`${s.ws}?client_id=coach-tablet&resume_token=${token}`);
  await new Promise((resolve) => newer.once('open', resolve));
  await waitFor(() => sdk.state === 'closed', 'the SDK closed');
  const closed = statuses.find((x) => x.type === 'closed');
  assert.deepEqual(closed, { type: 'closed', code: CloseCode.REPLACED, reason: 'replaced by a newer connection of this client', replaced: true });
  assert.equal(newer.readyState, WebSocket.OPEN);
  newer.close();
  // And an SDK that reconnects after a dropped socket reclaims its own id with the token.
  const sdk2 = new TablecastClient({ url: s.ws, clientId: 'projector', WebSocket: WebSocket as never, reconnect: { initialMs: 20, maxMs: 50 } });
  after(() => sdk2.close());
  await sdk2.connect();
  const owner = s.server.hub.sessions.get('projector')!.owner;
  const reconnected = new Promise<void>((resolve) => sdk2.onStatus((st) => st.type === 'connected' && st.reconnected && resolve()));
  s.server.hub.sessions.get('projector')!.ws.terminate();
  await reconnected;
  assert.equal(sdk2.clientId, 'projector');
  assert.equal(s.server.hub.sessions.get('projector')!.owner, owner, 'the reconnect presented the same resume token');
  await sdk2.close();
});


