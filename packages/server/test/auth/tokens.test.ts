// Token verification and lifetime over real sockets: RS256 with a PEM public key (inline and file),
// ES256 through a JWKS file, no algorithm confusion, role claims (array, space-separated, dotted
// path, default role, unknown roles), require_exp, clock tolerance, token expiry during a connection
// (closed with 4001 at `exp`, measured), and configuration errors that name the bad key.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { createServer, ConfigError } from '../../src/index.js';
import type { CloseInfo, TestClient } from '../helpers/ws-client.js';
import type { Started } from '../helpers/server.js';
import { AUDIENCE, ISSUER, SAMPLE_PAYLOADS, SECRET, ask, attempt, authSection, mint, startAuthServer } from '../helpers/auth-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'tablecast-auth-'));
const clients: TestClient[] = [];
const servers: Started[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function server(auth: Record<string, unknown>): Promise<Started> {
  const s = await startAuthServer(auth);
  servers.push(s);
  return s;
}

async function signWith(key: CryptoKey | Uint8Array, alg: string, claims: Record<string, unknown>, kid?: string, expiresInS = 600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader(kid ? { alg, kid } : { alg })
    .setSubject(String(claims.sub ?? 'user-1'))
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInS)
    .sign(key);
}

async function expectOpen(s: Started, token: string, path = '/api/v1/ws'): Promise<Record<string, unknown>> {
  const a = await attempt(s, path, token);
  assert.ok(a.open, `expected open, got ${a.open ? '' : `${a.close.code} ${a.close.reason}`}`);
  clients.push(a.client);
  return a.welcome;
}

async function expectClose(s: Started, token: string | undefined, code: number, path = '/api/v1/ws'): Promise<string> {
  const a = await attempt(s, path, token);
  if (a.open) clients.push(a.client);
  assert.ok(!a.open && a.close.code === code, `expected ${code}, got ${a.open ? 'open' : `${a.close.code} ${a.close.reason}`}`);
  return a.open ? '' : a.close.reason;
}

test('RS256 with a PEM public key (inline and from a file); HS256 tokens are not accepted then', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const pem = await exportSPKI(publicKey);
  const inline = await server({ enabled: true, jwt: { public_key: pem, issuer: ISSUER, audience: AUDIENCE } });
  const token = await signWith(privateKey, 'RS256', { sub: 'rsa-user', role: 'publisher' });
  const w = await expectOpen(inline, token);
  assert.equal(w.role, 'publisher');
  // Algorithm confusion: an HMAC token keyed with the PEM text must not verify.
  const confused = await signWith(new TextEncoder().encode(pem), 'HS256', { sub: 'x', role: 'admin' });
  assert.match(await expectClose(inline, confused, 4001), /algorithm|invalid|signature/);
  const other = await generateKeyPair('RS256');
  await expectClose(inline, await signWith(other.privateKey, 'RS256', { sub: 'x', role: 'admin' }), 4001);

  const file = join(dir, 'rsa.pem');
  writeFileSync(file, pem);
  const fromFile = await server({ enabled: true, jwt: { public_key_file: file, issuer: ISSUER, audience: AUDIENCE } });
  await expectOpen(fromFile, token);
});

test('ES256 through a JWKS file (kid); HS256 accepted too when a secret is also configured', async () => {
  const ec = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };
  const file = join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [jwk] }));
  const s = await server({ enabled: true, jwt: { jwks_file: file, secret: SECRET, issuer: ISSUER, audience: AUDIENCE } });
  const w = await expectOpen(s, await signWith(ec.privateKey, 'ES256', { sub: 'ec-user', roles: ['admin'] }, 'ec-1'));
  assert.equal(w.role, 'admin');
  await expectOpen(s, await mint('hs-user', { role: 'subscriber' }));
  const unknownKid = await signWith(ec.privateKey, 'ES256', { sub: 'ec-user', role: 'admin' }, 'nope');
  await expectClose(s, unknownKid, 4001);
});

test('role claims: space-separated string, dotted path, default role, unknown roles only -> 4003', async () => {
  const s = await server(authSection({ role_claims: ['realm_access.roles', 'scope'], default_role: 'subscriber' }));
  const w1 = await expectOpen(s, await mint('k', { realm_access: { roles: ['offline', 'publisher'] } }));
  assert.equal(w1.role, 'publisher', 'dotted claim path');
  const w2 = await expectOpen(s, await mint('k2', { scope: 'openid admin' }));
  assert.equal(w2.role, 'admin', 'space-separated roles');
  const w3 = await expectOpen(s, await mint('k3', {}));
  assert.equal(w3.role, 'subscriber', 'no role claim -> default_role');
  // `role` is not one of the configured claims here: ignored, so the default applies.
  const w4 = await expectOpen(s, await mint('k4', { role: 'admin' }));
  assert.equal(w4.role, 'subscriber');
  assert.match(await expectClose(s, await mint('k5', { scope: 'superuser' }), 4003), /no known role/);
});

test('require_exp refuses tokens without exp; clock tolerance accepts a just-expired token', async () => {
  const s = await server(authSection({ jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, require_exp: true } }));
  const noExp = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(ISSUER).setAudience(AUDIENCE)
    .sign(new TextEncoder().encode(SECRET));
  await expectClose(s, noExp, 4001);
  const lenient = await server(authSection({ jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, clock_tolerance_s: 30 } }));
  await expectOpen(lenient, await mint('late', { role: 'subscriber' }, { expiresInS: -5 }));
  await expectClose(lenient, await mint('later', { role: 'subscriber' }, { expiresInS: -60 }), 4001);
});

test('token expiry during a connection closes it with 4001 at exp (gateway, system-health, user channel)', async () => {
  const s = await server(authSection());
  // exp is whole seconds: 2 s from now lands 1..2 s ahead.
  const token = await mint('short', { role: 'publisher' }, { expiresInS: 2 });
  const expOf = (t: string): number => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).exp * 1000;
  const expMs = expOf(token);
  const a = await attempt(s, '/api/v1/ws', token);
  const b = await attempt(s, '/ws/system-health', token);
  const longLived = await attempt(s, '/api/v1/ws', await mint('long', { role: 'subscriber' }));
  const subToken = await mint('short-user', { role: 'subscriber' }, { expiresInS: 2 });
  const u = await attempt(s, '/ws/short-user', subToken);
  assert.ok(a.open && b.open && longLived.open && u.open);
  clients.push(longLived.client);
  await longLived.client.subscribe(['detection']);
  // Still usable before expiry.
  const r = await ask(a.client, { type: 'publish', data: { stream: 'detection', data: SAMPLE_PAYLOADS.detection } }, 'published');
  assert.equal(r.type, 'published');
  // Each connection against its own token's exp (the user token, minted later, may fall in the next second).
  const watched: [Promise<CloseInfo>, number][] = [[a.client.closed, expMs], [b.client.closed, expMs], [u.client.closed, expOf(subToken)]];
  const closes = await Promise.all(watched.map(async ([p, exp]) => ({ ...(await p), at: Date.now(), exp })));
  for (const c of closes) {
    assert.equal(c.code, 4001);
    assert.equal(c.reason, 'token expired');
    // Tolerance: the timer fires at exp; allow 350 ms for scheduling and the close handshake.
    assert.ok(c.at >= c.exp - 50 && c.at <= c.exp + 350, `closed ${c.at - c.exp} ms from exp (tolerance -50..+350 ms)`);
  }
  // Other connections are untouched.
  assert.equal(longLived.client.closeInfo, null);
  const pong = await ask(longLived.client, { type: 'ping', data: {} }, 'pong');
  assert.equal(pong.type, 'pong');
  assert.equal(s.server.auth.expiry.size, 1, 'only the long-lived connection keeps a timer');
});

test('configuration errors name the key', async () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ permissions: { subscriber: { subscribe: ['state', 'nope'] } } }, /auth\.permissions\.subscriber\.subscribe\.1/],
    [{ api_keys: [{ key: 'abcdefghijkl', role: 'wizard' }] }, /auth\.api_keys\.0\.role/],
    [{ jwt: { jwks_file: join(dir, 'missing.json') } }, /auth\.jwt\.jwks_file/],
    [{ jwt: { public_key: 'not a pem' } }, /auth\.jwt\.public_key/],
    [{ jwt: { secret: 'short' } }, /auth\.jwt\.secret/],
    [{ permissions: { subscriber: { channels: ['nowhere'] } } }, /auth\.permissions/],
  ];
  for (const [auth, re] of bad) {
    await assert.rejects(
      createServer({ env: {}, logger: false, overrides: { server: { port: 0, host: '127.0.0.1' }, source: { spec: 'none' }, auth } }),
      (err: unknown) => err instanceof ConfigError && re.test(err.message),
      `config ${JSON.stringify(auth)} is rejected naming ${re}`,
    );
  }
});
