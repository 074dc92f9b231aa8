// The HTTP API contract (issue 14): the OpenAPI document (/docs/json) gives every operation an
// operation id, its security, a success response with a schema or content type and error responses
// in the one Error shape; Redocly's recommended rules find no error in it; and every operation,
// called on a live server (simulator running, a client connected), answers what its schema says:
// each JSON reply validates with Ajv against the response schema of its status code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { startServer, waitFor, type Started } from '../helpers/server.js';
import { connect, type TestClient } from '../helpers/ws-client.js';
import { ROOT } from '../helpers/cli.js';

type Operation = { operationId?: string; security?: unknown[]; summary?: string; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const KEY = 'contract-publisher-key';
let s: Started;
let doc: Doc;
let client: TestClient;
let dir = '';

before(async () => {
  s = await startServer({ source: { spec: 'simulator' }, publish: { api_keys: [KEY] } });
  await waitFor(() => s.server.hub.latest('state') !== undefined && s.server.hub.latest('state') !== null, 'a first state', 15_000);
  client = await connect(s.ws, { client_id: 'contract-client' });
  await client.request({ type: 'subscribe', data: { streams: ['alert'] } }, 'subscribed');
  doc = (await s.server.app.inject({ method: 'GET', url: '/docs/json' })).json() as Doc;
  dir = mkdtempSync(join(tmpdir(), 'tablecast-openapi-'));
});
after(async () => {
  await client?.close();
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

test('every operation: an operation id, security, a summary, a success response with a schema, errors in the Error shape', () => {
  const ids = new Set<string>();
  const ops = operations();
  assert.ok(ops.length >= 40, `${ops.length} operations`);
  for (const { path, method, op } of ops) {
    const at = `${method} ${path}`;
    assert.ok(op.operationId && !ids.has(op.operationId), `${at}: a unique operationId`);
    ids.add(op.operationId);
    assert.ok(Array.isArray(op.security), `${at}: security`);
    assert.ok(op.summary, `${at}: summary`);
    const ok = op.responses['200'];
    assert.ok(ok?.content && Object.values(ok.content).every((c) => c.schema), `${at}: 200 has content with a schema`);
    for (const [status, r] of Object.entries(op.responses)) {
      if (Number(status) < 400) continue;
      const schema = r.content?.['application/json']?.schema as { $ref?: string; properties?: Record<string, unknown> } | undefined;
      assert.ok(schema?.$ref === '#/components/schemas/Error' || schema?.properties?.error || schema?.properties?.ready, `${at} ${status}: the Error shape`);
    }
    assert.ok(op.responses['429'], `${at}: 429 documented`);
  }
  const admin = doc.paths['/api/v1/websocket/system/stop']!.post!;
  assert.deepEqual(admin.security, [{ bearer: [] }, { apiKey: [] }], 'admin routes need a credential');
  assert.deepEqual(doc.paths['/api/v1/health']!.get!.security, [], 'public routes need none');
});

test("Redocly's recommended rules: no errors", () => {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const cli = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  let out: string;
  try {
    out = execFileSync(process.execPath, [cli, 'lint', file, '--extends', 'recommended', '--format', 'json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '';
  }
  const report = JSON.parse(out.slice(out.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; severity: string; message: string }[] };
  const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`);
  assert.deepEqual(errors, [], 'no Redocly errors');
  assert.equal(report.totals.errors, 0);
  // One warning is left on purpose: info-license-strict wants a licence URL, and a proprietary
  // licence (LICENSE) has none to give.
  assert.deepEqual(report.problems.map((p) => p.ruleId), ['info-license-strict'], 'the only warning');
});

test('every operation answers as documented (Ajv against the response schema of the status)', async () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc, 'openapi.json');
  const pointer = (path: string, method: string, status: string, type: string) =>
    `openapi.json#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method.toLowerCase()}/responses/${status}/content/${type.replaceAll('/', '~1')}/schema`;
  // A control: the schemas do reject what does not match.
  const health = ajv.getSchema(pointer('/api/v1/health', 'GET', '200', 'application/json'))!;
  assert.equal(health({ status: 'fine' }), false, 'a wrong body fails validation');
  const groupMember = await connect(s.ws.replace('/api/v1/ws', '/ws/contract-user'), {}, { allowClose: true }).catch(() => null);
  const bodies: Record<string, { url?: string; body?: unknown; headers?: Record<string, string>; expect?: number }> = {
    'POST /api/v1/websocket/connections/{id}/subscribe': { body: { streams: ['event'] } },
    'POST /api/v1/websocket/connections/{id}/unsubscribe': { body: { streams: ['event'] } },
    'POST /api/v1/websocket/connections/{id}/disconnect': { url: '/api/v1/websocket/connections/nobody/disconnect', expect: 404 },
    'POST /api/v1/websocket/broadcast/alert': { url: '/api/v1/websocket/broadcast/alert?message=contract' },
    'POST /api/v1/publish': { body: { stream: 'alert', data: { level: 'info', message: 'contract', code: 'C' } }, headers: { 'x-api-key': KEY } },
    'POST /api/v1/groups/{group}/broadcast': { body: { data: { hello: 1 } } },
    'POST /api/v1/users/{user_id}/send': { url: '/api/v1/users/nobody-here/send', body: { data: { hello: 1 } }, expect: 404 },
    'PUT /api/v1/config': { body: { integration: { target_fps: 30 } } },
    'POST /api/v1/config/reset': { url: '/api/v1/config/reset?confirm=true' },
    'POST /api/v1/config/import': { body: { integration: { target_fps: 30 } } },
    'POST /api/v1/config/table/playing-area': { body: { corners: [{ x: 10, y: 10 }, { x: 630, y: 10 }, { x: 630, y: 350 }, { x: 10, y: 350 }], calibration_resolution_width: 640, calibration_resolution_height: 360 } },
    'GET /api/v1/stream/video': { expect: -1 }, // an endless MJPEG response: its headers are checked below
    'POST /api/v1/websocket/system/stop': { expect: -2 }, // run last (then start again)
    'POST /api/v1/websocket/system/start': { expect: -2 },
  };
  const failures: string[] = [];
  const checked: string[] = [];
  const call = async (method: string, path: string, spec: { url?: string; body?: unknown; headers?: Record<string, string>; expect?: number }) => {
    const url = spec.url ?? path.replace('{id}', 'contract-client').replace('{group}', 'contract-group').replace('{user_id}', 'contract-user');
    const r = await s.server.app.inject({ method: method as 'GET', url, headers: spec.headers, ...(spec.body !== undefined ? { payload: spec.body as object } : {}) });
    const key = `${method} ${path}`;
    const expected = spec.expect ?? 200;
    if (r.statusCode !== expected) failures.push(`${key}: status ${r.statusCode}, expected ${expected}: ${r.body.slice(0, 200)}`);
    const type = String(r.headers['content-type'] ?? '').split(';')[0]!;
    const declared = doc.paths[path]![method.toLowerCase()]!.responses[String(r.statusCode)];
    if (!declared?.content?.[type]) {
      failures.push(`${key}: status ${r.statusCode} with ${type} is not documented`);
      return;
    }
    if (type === 'application/json') {
      const validate = ajv.getSchema(pointer(path, method, String(r.statusCode), type));
      if (!validate) failures.push(`${key}: no schema to validate with`);
      else if (!validate(r.json())) failures.push(`${key} ${r.statusCode}: ${ajv.errorsText(validate.errors)}`);
    }
    checked.push(key);
  };
  const last: [string, string][] = [];
  for (const { path, method } of operations()) {
    const spec = bodies[`${method} ${path}`] ?? {};
    if (spec.expect === -1) continue;
    if (spec.expect === -2) {
      last.push([method, path]);
      continue;
    }
    await call(method, path, spec);
  }
  for (const [method, path] of last.sort((a, b) => (a[1].endsWith('stop') ? -1 : 1) - (b[1].endsWith('stop') ? -1 : 1))) await call(method, path, {});
  // The MJPEG stream: its status and content type, then the connection is dropped.
  const video = await fetch(`${s.url}/api/v1/stream/video`, { signal: AbortSignal.timeout(5000) });
  assert.equal(video.status, 200);
  assert.match(video.headers.get('content-type') ?? '', /^multipart\/x-mixed-replace/);
  assert.ok(doc.paths['/api/v1/stream/video']!.get!.responses['200']!.content!['multipart/x-mixed-replace']);
  await video.body?.cancel();
  checked.push('GET /api/v1/stream/video');
  await groupMember?.close();
  assert.deepEqual(failures, []);
  assert.equal(checked.length, operations().length, 'every operation was called');
});
