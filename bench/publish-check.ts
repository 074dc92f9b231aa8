/**
 * Cost of the publish-time payload check (schema + the walk that refuses nesting deeper than 32 and
 * values JSON and msgpack would encode differently: hub.ts `validatePayload`), on the in-process
 * path every 30 Hz state takes: Hub.publish of the pipeline's full 16-ball state (about 5 KB) into a
 * MemoryBroker with no subscribers, with the check on (the default) and off
 * (`validateInProcess: false`), interleaved round by round in one process.
 *
 *   node --import tsx bench/publish-check.ts [--rounds 15] [--publishes 20000]
 *
 * Prints the median µs per publish of each and of the check alone (on - off), with the spread over rounds.
 */
import client from 'prom-client';
import { nowMicros } from '@tablecast/protocol';
import { billiardsCatalog } from '@tablecast/server';
// Not part of the package's public API: the benchmark builds a hub without a server.
import { GatewayMetrics, Hub, MemoryBroker } from '@tablecast/gateway';
import { StateGenerator } from './lib/state-payload.js';
import { fmt, median, medSpread } from './lib/stats.js';
import { numArg } from './lib/args.js';

const rounds = numArg('rounds', 15);
const publishes = numArg('publishes', 20_000);
const gen = new StateGenerator('full');
const payloads = Array.from({ length: 256 }, () => gen.next(nowMicros()));

function hub(validate: boolean): Hub {
  const metrics = new GatewayMetrics(new client.Registry(), () => 0);
  return new Hub({ broker: new MemoryBroker({ maxMessages: 100, maxAgeS: 60 }), metrics, historyLimit: 100, catalog: billiardsCatalog(), validateInProcess: validate });
}

async function run(h: Hub): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < publishes; i++) await h.publish('state', payloads[i & 255]!);
  return ((performance.now() - t0) * 1000) / publishes;
}

const on = hub(true);
const off = hub(false);
await run(on);
await run(off);
const withCheck: number[] = [];
const without: number[] = [];
for (let r = 0; r < rounds; r++) {
  withCheck.push(await run(on));
  without.push(await run(off));
}
const diff = withCheck.map((v, i) => v - without[i]!);
console.log(`publish-check: ${rounds} rounds x ${publishes} publishes of a ${JSON.stringify(payloads[0]).length}-byte state`);
console.log(`  check on : ${medSpread(withCheck, 3)} µs/publish`);
console.log(`  check off: ${medSpread(without, 3)} µs/publish`);
console.log(`  the check: ${medSpread(diff, 3)} µs/publish (median of paired differences), ratio on/off ${fmt(median(withCheck) / median(without), 3)}`);
