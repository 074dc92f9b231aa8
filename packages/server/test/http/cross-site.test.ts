// Cross-site requests (issue 14, "any web page the coach happens to open"): with auth off the admin
// routes trust loopback, and a page of another origin in the coach's browser on the server's own
// machine is loopback. CORS does not stop a "simple" POST (text/plain, a <form>); the server must
// refuse it before the route runs. Checked in Debian's Chromium with a hostile page served from
// another origin, a same-origin page doing the same requests, and plain Node requests (no Origin).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { connect } from '../helpers/ws-client.js';
import { startServer, waitFor, type Started } from '../helpers/server.js';
import { crossSiteRefusal } from '../../src/http/cross-site-guard.js';

const servers: Started[] = [];
const pages: Server[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const p of pages) p.close();
});

/** A web server on another origin whose only page is `html`. */
async function hostilePage(html: () => string): Promise<string> {
  const srv = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html());
  });
  pages.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

/** The page's attacks: a no-cors text/plain fetch to system/stop and a text/plain form POST (into an iframe) of an alert. */
function attacks(target: string): string {
  return `<!doctype html><iframe name="sink"></iframe>
<form id="f" method="post" enctype="text/plain" target="sink" action="${target}/api/v1/websocket/broadcast/alert?message=from-another-site"><input name="x" value="y"></form>
<script>
fetch(${JSON.stringify(target)} + '/api/v1/websocket/system/stop', { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: 'stop' })
  .finally(() => { document.getElementById('f').submit(); window.__sent = true; });
</script>`;
}

test('a page of another origin cannot stop the pipeline or broadcast an alert through the loopback admin routes (Chromium); the own origin and Node clients still can', async () => {
  const s = await startServer({ source: { spec: 'simulator' } });
  servers.push(s);
  const watcher = await connect(s.ws);
  await watcher.subscribe(['alert']);
  const running = async () => ((await (await fetch(`${s.url}/api/v1/health`)).json()) as { components: { pipeline: { running: boolean } } }).components.pipeline.running;
  assert.equal(await running(), true, 'the simulator pipeline runs');

  const logs: string[] = [];
  const origin = await hostilePage(() => attacks(s.url));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    const answers: { url: string; status: number }[] = [];
    page.on('response', (r) => answers.push({ url: r.url(), status: r.status() }));
    page.on('console', (m) => logs.push(m.text()));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (globalThis as unknown as { __sent?: boolean }).__sent === true, undefined, { timeout: 10_000 });
    // Both requests reached the server (the form's reply is the iframe's document).
    await waitFor(() => answers.some((a) => a.url.includes('/broadcast/alert')), 'the form POST answered');
    assert.equal(answers.find((a) => a.url.includes('/broadcast/alert'))!.status, 403, 'the form POST is refused 403');
    assert.equal(await running(), true, 'the cross-site POST did not stop the pipeline');

    // The server's own page (the dashboard's origin) may do the same: the guard is about origin.
    const own = await browser.newPage();
    await own.goto(`${s.url}/api/v1/health`);
    const status = await own.evaluate(async () => (await fetch('/api/v1/websocket/broadcast/alert?message=from-own-origin', { method: 'POST' })).status);
    assert.equal(status, 200, 'same-origin POST allowed');
  } finally {
    await browser.close();
  }
  await watcher.until(() => watcher.of('alert').length >= 1, 3000, 'the own-origin alert');
  assert.deepEqual(watcher.of('alert').map((m) => (m.data as { message: string }).message), ['from-own-origin'], 'only the own-origin alert was broadcast');
  await watcher.close();

  // Non-browser callers send no Origin and are unaffected; a forged foreign Origin gets the one error shape.
  const plain = await fetch(`${s.url}/api/v1/websocket/system/stop`, { method: 'POST' });
  assert.equal(plain.status, 200);
  const forged = await fetch(`${s.url}/api/v1/websocket/system/start`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(forged.status, 403);
  const body = (await forged.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'FORBIDDEN');
  assert.match(body.error.message, /origin http:\/\/evil\.example/);
  assert.equal(await running(), false, 'the refused start did not start the pipeline');
  // GETs stay readable cross-site (CORS decides whether the page may read them).
  assert.equal((await fetch(`${s.url}/api/v1/health`, { headers: { origin: 'http://evil.example' } })).status, 200);
});

test('an origin listed in server.cors_origins may POST; "*" allows every origin', async () => {
  const listed = 'http://coach-laptop.example:3000';
  const s = await startServer({ server: { cors_origins: [listed] } });
  servers.push(s);
  const post = (origin: string) => fetch(`${s.url}/api/v1/websocket/broadcast/alert?message=hi`, { method: 'POST', headers: { origin } });
  assert.equal((await post(listed)).status, 200);
  assert.equal((await post('http://other.example')).status, 403);
  assert.equal((await post('null')).status, 403, 'an opaque origin (sandboxed frame, file://) is never the own one');
  const open = await startServer({ server: { cors_origins: ['*'] } });
  servers.push(open);
  assert.equal((await fetch(`${open.url}/api/v1/websocket/broadcast/alert?message=hi`, { method: 'POST', headers: { origin: 'http://other.example' } })).status, 200);
});

test('crossSiteRefusal: safe methods pass, Origin decides, Sec-Fetch-Site cross-site without Origin is refused', () => {
  const host = '127.0.0.1:8000';
  assert.equal(crossSiteRefusal('GET', { origin: 'http://evil.example', host }, []), null);
  assert.equal(crossSiteRefusal('OPTIONS', { origin: 'http://evil.example', host }, []), null);
  assert.equal(crossSiteRefusal('POST', { host }, []), null, 'no Origin, no fetch metadata: a tool');
  assert.equal(crossSiteRefusal('POST', { origin: 'http://127.0.0.1:8000', host }, []), null);
  assert.match(crossSiteRefusal('PUT', { origin: 'http://127.0.0.1:9999', host }, []) ?? '', /not this server's/);
  assert.match(crossSiteRefusal('DELETE', { host, 'sec-fetch-site': 'cross-site' }, []) ?? '', /Sec-Fetch-Site/);
  assert.equal(crossSiteRefusal('POST', { host, 'sec-fetch-site': 'same-origin' }, []), null);
});
