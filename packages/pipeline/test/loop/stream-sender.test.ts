// Retry with backoff and the circuit breaker, alone and through the StreamSender with a publisher
// that fails like a broker outage (an UNAVAILABLE publish error) or a validation error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { CanonicalStream } from '@tablecast/protocol';
import { publishError } from '../helpers/ports.js';
import type { PublishReceipt, StreamPort } from '../../src/ports.js';
import { CircuitBreaker, CircuitOpenError, BREAKER_STATE_VALUE, withRetry, isRetryable, backoffDelays, type BreakerState } from '@tablecast/common';
import { StreamSender } from '../../src/loop/stream-sender.js';
import { createPipelineMetrics } from '../../src/metrics/pipeline-metrics.js';

/** A publisher whose publish rejects while `down` (like a failing broker), recording call times. */
class FlakyPublisher implements StreamPort {
  calls: number[] = [];
  down = true;
  error: () => Error = () => publishError('UNAVAILABLE', 'broker down');
  async publish(stream: CanonicalStream): Promise<PublishReceipt> {
    this.calls.push(performance.now());
    if (this.down) throw this.error();
    return { stream, sequence: this.calls.length, timestamp: '' };
  }
  subscriberCount(): number {
    return 0;
  }
}

const policy = { maxRetries: 3, initialDelayS: 0.1, backoffMultiplier: 2 };

test('retry: backoff 0.1, 0.2, 0.4 s on transient failures, then gives up', async () => {
  assert.deepEqual(backoffDelays(policy), [0.1, 0.2, 0.4]);
  const pub = new FlakyPublisher();
  const waits: number[] = [];
  await assert.rejects(
    withRetry(() => pub.publish('state'), policy, { onRetry: (_a, d) => waits.push(d) }),
    (e: Error & { code?: string }) => e.code === 'UNAVAILABLE',
  );
  assert.deepEqual(waits, [0.1, 0.2, 0.4]);
  assert.equal(pub.calls.length, 4);
  const gaps = pub.calls.slice(1).map((t, i) => (t - pub.calls[i]!) / 1000);
  for (const [i, want] of [0.1, 0.2, 0.4].entries()) assert.ok(Math.abs(gaps[i]! - want) < 0.05, `gap ${i} ${gaps[i]} ~ ${want} s (tolerance 50 ms)`);
  // Recovers when the failure is transient.
  pub.calls = [];
  setTimeout(() => (pub.down = false), 150);
  await withRetry(() => pub.publish('state'), policy);
  assert.equal(pub.calls.length, 3);
});

test('retry: validation errors (INVALID_PAYLOAD, INVALID_STREAM, retryable=false) are not retried', async () => {
  for (const err of [publishError('INVALID_PAYLOAD', 'bad'), publishError('INVALID_STREAM', 'bad'), Object.assign(new Error('x'), { retryable: false })]) {
    const pub = new FlakyPublisher();
    pub.error = () => err;
    await assert.rejects(withRetry(() => pub.publish('state'), policy), (e) => e === err);
    assert.equal(pub.calls.length, 1, `${err.message}: one attempt only`);
    assert.equal(isRetryable(err), false);
  }
  assert.equal(isRetryable(publishError('UNAVAILABLE', 'x')), true);
});

test('circuit breaker: opens after 10 failures, rejects while open, half-opens after the timeout, closes on success', async () => {
  let now = 0;
  const changes: [BreakerState, BreakerState][] = [];
  const b = new CircuitBreaker({ failureThreshold: 10, timeoutS: 30, now: () => now, onStateChange: (to, from) => changes.push([from, to]) });
  const fail = () => Promise.reject(new Error('down'));
  for (let i = 0; i < 9; i++) await assert.rejects(b.execute(fail), /down/);
  assert.equal(b.state, 'closed');
  await assert.rejects(b.execute(fail), /down/);
  assert.equal(b.state, 'open');
  let called = false;
  await assert.rejects(b.execute(async () => (called = true)), (e) => e instanceof CircuitOpenError && (e as CircuitOpenError).retryable === false);
  assert.equal(called, false, 'rejected without calling');
  now += 29_999;
  assert.equal(b.state, 'open');
  now += 1;
  assert.equal(b.state, 'half_open');
  // Failed trial: open again for another timeout.
  await assert.rejects(b.execute(fail), /down/);
  assert.equal(b.state, 'open');
  now += 30_000;
  assert.equal(b.state, 'half_open');
  // Only one trial at a time.
  let release: () => void = () => {};
  const trial = b.execute(() => new Promise<void>((r) => (release = r)));
  await assert.rejects(b.execute(async () => 1), CircuitOpenError);
  release();
  await trial;
  assert.equal(b.state, 'closed');
  assert.equal(b.consecutiveFailures, 0);
  assert.deepEqual(changes, [
    ['closed', 'open'],
    ['open', 'half_open'],
    ['half_open', 'open'],
    ['open', 'half_open'],
    ['half_open', 'closed'],
  ]);
  assert.deepEqual(BREAKER_STATE_VALUE, { closed: 0, half_open: 1, open: 2 });
});

test('circuit breaker through the sender: a failing broker trips it (gauge 2), then it recovers', async () => {
  const registry = new Registry();
  const metrics = createPipelineMetrics(registry);
  const breaker = new CircuitBreaker({
    failureThreshold: 10,
    timeoutS: 0.3,
    isFailure: isRetryable,
    onStateChange: (to) => metrics.breakerState.set(BREAKER_STATE_VALUE[to]),
  });
  const pub = new FlakyPublisher();
  const sender = new StreamSender(pub, breaker, metrics, pino({ level: 'silent' }), {
    retry: { maxRetries: 3, initialDelayS: 0.001, backoffMultiplier: 1 },
  });
  // Each message: 1 attempt + 3 retries = 4 failures; 10 failures open the breaker during the 3rd.
  for (let i = 0; i < 5; i++) {
    sender.send('event', { event: 'shot_started', i });
  }
  await sender.flush();
  assert.equal(pub.calls.length, 10, 'exactly 10 attempts reach the broker before it opens');
  assert.equal(breaker.state, 'open');
  assert.equal((await registry.getSingleMetric('tablecast_circuit_breaker_state')!.get()).values[0]!.value, 2);
  const failures = await registry.getSingleMetric('tablecast_pipeline_publish_failures_total')!.get();
  const open = failures.values.find((v) => v.labels.reason === 'circuit_open');
  assert.ok(open && open.value >= 2, 'messages refused while open are counted');
  // Still open: refused without touching the broker.
  sender.send('state', { balls: [], cue: null, table: null });
  await sender.flush();
  assert.equal(pub.calls.length, 10);
  // After the timeout the next publish is the half-open trial; the broker is back: closes.
  pub.down = false;
  await new Promise((r) => setTimeout(r, 320));
  assert.equal(breaker.state, 'half_open');
  assert.equal((await registry.getSingleMetric('tablecast_circuit_breaker_state')!.get()).values[0]!.value, 1);
  sender.send('state', { balls: [], cue: null, table: null });
  await sender.flush();
  assert.equal(breaker.state, 'closed');
  assert.equal((await registry.getSingleMetric('tablecast_circuit_breaker_state')!.get()).values[0]!.value, 0);
  assert.deepEqual(breaker.health().state, 'closed');
  // Validation errors do not count against the broker.
  pub.error = () => publishError('INVALID_PAYLOAD', 'bad');
  pub.down = true;
  for (let i = 0; i < 15; i++) sender.send('event', { event: 'x', i });
  await sender.flush();
  assert.equal(breaker.state, 'closed');
});
