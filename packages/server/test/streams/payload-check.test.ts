// Payload validation of in-process publishes: schema errors and the nesting limit name the path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublishError, validatePayload as validateWith } from '@tablecast/gateway';
import { billiardsCatalog } from '../../src/streams/index.js';

const catalog = billiardsCatalog();
const validatePayload = (stream: string, data: unknown) => validateWith(catalog, stream, data);

function nest(depth: number, leaf: unknown, key: (i: number) => string | number): unknown {
  let v = leaf;
  for (let i = depth - 1; i >= 0; i--) {
    const k = key(i);
    v = typeof k === 'number' ? [0, v] : { [k]: v, flat: 1 };
  }
  return v;
}

test('validatePayload: nesting deeper than 32 levels is refused with the path of the first deep value', () => {
  const ok = { level: 'info', message: 'm', details: nest(30, 'x', () => 'a') };
  validatePayload('alert', ok);
  const deep = { level: 'info', message: 'm', details: { shallow: [1, 2, { x: 1 }], deep: nest(40, 'x', (i) => (i % 2 ? 1 : 'k')) } };
  assert.throws(
    () => validatePayload('alert', deep),
    (e: unknown) => {
      assert.ok(e instanceof PublishError);
      assert.equal(e.code, 'INVALID_PAYLOAD');
      const path = (e.details as { path: string }).path;
      assert.match(path, /^data\.details\.deep\.k\.1\.k\.1\./, path);
      assert.equal(path.split('.').length, 1 + 32, 'data + 32 keys');
      return true;
    },
  );
});

test('validatePayload: a schema error names the field', () => {
  assert.throws(
    () => validatePayload('alert', { level: 'loud', message: 'm' }),
    (e: unknown) => e instanceof PublishError && (e.details as { path: string }).path === 'data.level',
  );
});
