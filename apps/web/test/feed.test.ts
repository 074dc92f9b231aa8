// Unit tests of the event feed's text (no browser): the pocket as the pipeline sends it
// ({index, x, y}) and as other publishers may send it (a name).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventPayload } from '@tablecast/client';
import { describeEvent, describePocket } from '../src/panels/feed.js';

const ev = (fields: Record<string, unknown>) => ({ event: 'ball_pocketed', ...fields }) as unknown as EventPayload;

test('a pocketed ball names its pocket: index and centre from the pipeline, or a given name', () => {
  assert.equal(describeEvent(ev({ ball_id: '5', pocket: { index: 2, x: 1.27, y: 0 } })), 'ball 5 pocketed (pocket 3 at 1.27, 0.00 m)');
  assert.equal(describeEvent(ev({ ball_id: 1, pocket: 'bottom-right' })), 'ball 1 pocketed (bottom-right)');
  assert.equal(describeEvent(ev({ ball_id: 8 })), 'ball 8 pocketed');
  assert.equal(describePocket({ x: 0, y: 1.27 }), 'pocket at 0.00, 1.27 m');
  assert.equal(describePocket({ foo: 1 }), null, 'an unusable object is left out, never "[object Object]"');
});
