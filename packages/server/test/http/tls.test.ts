// TLS (issue 14): with server.tls.cert_file and key_file, one server speaks https:// and wss:// on
// its port (a self-signed certificate made with openssl for 127.0.0.1); a missing file or a
// certificate without its key fails the start with one line naming the key.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:https';
import WebSocket from 'ws';
import { createServer } from '@tablecast/server';
import { startServer, type Started } from '../helpers/server.js';

let dir = '';
let openssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  openssl = false;
}
const skip = openssl ? false : 'openssl not installed';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tablecast-tls-'));
  if (!openssl) return;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('https:// and wss:// on one port with the configured certificate', { skip }, async () => {
  const ca = readFileSync(join(dir, 'cert.pem'));
  const s: Started = await startServer({ server: { tls: { cert_file: join(dir, 'cert.pem'), key_file: join(dir, 'key.pem') } } });
  try {
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/, 'listen() reports the https URL');
    const health = await httpsGet(`${s.url}/api/v1/health/live`, ca);
    assert.equal(health.status, 200);
    const ws = new WebSocket(`wss://127.0.0.1:${s.port}/api/v1/ws`, { ca });
    const welcome = await new Promise<{ type: string }>((resolve, reject) => {
      ws.once('message', (d) => resolve(JSON.parse(String(d)) as { type: string }));
      ws.once('error', reject);
    });
    assert.equal(welcome.type, 'connection', 'a wss:// client gets the welcome');
    ws.close();
    // Plain http on the TLS port gets no API answer.
    const plain = await fetch(`http://127.0.0.1:${s.port}/api/v1/health/live`).then((r) => r.status, () => 'refused');
    assert.notEqual(plain, 200);
  } finally {
    await s.close();
  }
});

test('a certificate without its key, or a file that is not there, fails the start naming the key', async () => {
  const start = (tls: Record<string, string>) => createServer({ env: {}, logger: false, overrides: { server: { tls }, source: { spec: 'none' } } });
  await assert.rejects(start({ cert_file: join(dir, 'cert.pem') }), (e: Error) => e.name === 'ConfigError' && /server\.tls\.key_file is needed/.test(e.message));
  await assert.rejects(start({ cert_file: join(dir, 'missing.pem'), key_file: join(dir, 'key.pem') }), (e: Error) => e.name === 'ConfigError' && /server\.tls\.cert_file: cannot read .*missing\.pem \(ENOENT\)/.test(e.message));
});
