import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Parser } from '@asyncapi/parser';
import {
  formatTimestamp, parseTimestamp, nowMicros, clampCloseReason, shouldReconnect, CloseCode,
  buildAsyncApiDocument, STREAMS_BY_PRIORITY, canonicalStream, isStreamName,
} from '../src/index.js';

test('timestamps carry microseconds and +00:00 and round-trip', () => {
  const us = 1_795_000_000_123_456;
  const s = formatTimestamp(us);
  assert.match(s, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  assert.equal(s.slice(-13), '.123456+00:00');
  assert.equal(parseTimestamp(s), us);
  const now = nowMicros();
  assert.ok(Math.abs(now / 1000 - Date.now()) < 50);
});

test('close reasons are clamped under 123 bytes without splitting characters', () => {
  const r = clampCloseReason('é'.repeat(200));
  assert.ok(new TextEncoder().encode(r).length <= 122);
  assert.ok(!r.includes('\uFFFD'));
});

test('close code ranges: terminal codes never reconnect, 41xx do', () => {
  assert.equal(shouldReconnect(CloseCode.UNAUTHORIZED), false);
  assert.equal(shouldReconnect(CloseCode.FORBIDDEN), false);
  assert.equal(shouldReconnect(CloseCode.SLOW_CONSUMER), true);
  assert.equal(shouldReconnect(CloseCode.GOING_AWAY), true);
});

test('priority order follows the contract', () => {
  const ranked = ['alert', 'config', 'event', 'trajectory', 'state', 'performance', 'frame'];
  const order = STREAMS_BY_PRIORITY.filter((s) => ranked.includes(s));
  assert.deepEqual(order, ranked);
  assert.equal(canonicalStream('metrics'), 'performance');
  assert.equal(isStreamName('nope'), false);
});

test('AsyncAPI document lists every client message, reply and stream', () => {
  const doc = buildAsyncApiDocument() as { asyncapi: string; components: { messages: Record<string, unknown> } };
  assert.equal(doc.asyncapi, '3.0.0');
  const names = Object.keys(doc.components.messages);
  for (const n of ['client_subscribe', 'client_publish', 'reply_subscribed', 'reply_error', 'stream_state', 'stream_event', 'targeted']) {
    assert.ok(names.includes(n), n);
  }
});

test('AsyncAPI document: @asyncapi/parser finds no error or warning; every channel has operations; messages are named components', async () => {
  const doc = buildAsyncApiDocument() as {
    channels: Record<string, { messages: Record<string, { $ref?: string }> }>;
    operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
    components: { messages: Record<string, unknown> };
  };
  const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
  const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`);
  assert.deepEqual(problems, [], 'no errors (severity 0) or warnings (1)');
  assert.ok(document, 'the document parses');
  for (const [name, channel] of Object.entries(doc.channels)) {
    const ops = Object.values(doc.operations).filter((o) => o.channel.$ref === `#/channels/${name}`);
    assert.ok(ops.length > 0, `channel ${name} has operations`);
    for (const [key, m] of Object.entries(channel.messages)) {
      assert.equal(m.$ref, `#/components/messages/${key}`, `${name}.${key} references its component`);
      assert.ok(doc.components.messages[key], `component ${key}`);
    }
    for (const o of ops) for (const m of o.messages) assert.ok(m.$ref.startsWith(`#/channels/${name}/messages/`), `operation messages belong to ${name}`);
  }
  assert.deepEqual(Object.values(doc.operations).map((o) => o.action).sort().at(0), 'receive', 'clients send on the gateway');
});
