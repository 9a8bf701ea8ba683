/** What one power-cut instant yields under each drive-cache model; crash windows and instants. Pure, exact. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashInstants, formatCrashWindow, parseCrashWindow, windowMs } from '../../lab/crash-point.js';
import { planStates } from '../../lab/crash-states.js';

const plan = (model: 'none' | 'volatile' | 'reorder', cachedCount: number, o: { torn?: boolean; reorderStates?: number; instant?: number } = {}) =>
  planStates({ model, cachedCount, reorderStates: o.reorderStates ?? 3, torn: o.torn ?? false, seed: 7, instant: o.instant ?? 0 });

test('none keeps every cached block; volatile keeps none', () => {
  assert.deepEqual(plan('none', 4), [{ image: 'device', keep: [0, 1, 2, 3] }]);
  assert.deepEqual(plan('volatile', 4), [{ image: 'flushed', keep: [] }]);
});

test('reorder: the flushed state plus seeded subsets, deterministic, duplicates verified once', () => {
  const a = plan('reorder', 40, { reorderStates: 5 });
  assert.equal(a[0]!.image, 'flushed');
  assert.ok(a.length >= 2 && a.length <= 6);
  assert.ok(a.slice(1).every((s) => s.image === 'reorder' && s.keep.every((i) => i >= 0 && i < 40)));
  assert.deepEqual(plan('reorder', 40, { reorderStates: 5 }), a);
  assert.notDeepEqual(plan('reorder', 40, { reorderStates: 5, instant: 1 }), a);
  const sigs = new Set(a.map((s) => s.keep.join(',')));
  assert.equal(sigs.size, a.length);
  // An empty cache has one state only: every subset of nothing is the flushed state.
  assert.deepEqual(plan('reorder', 0, { reorderStates: 5, torn: true }), [{ image: 'flushed', keep: [] }]);
});

test('torn: one cached block with 1–7 of its 8 sectors new, on top of the flushed state', () => {
  const s = plan('volatile', 9, { torn: true });
  assert.equal(s.length, 2);
  const t = s[1]!;
  assert.equal(t.image, 'torn');
  assert.deepEqual(t.keep, []);
  assert.ok(t.torn && t.torn.index >= 0 && t.torn.index < 9 && t.torn.sectors >= 1 && t.torn.sectors <= 7);
});

test('crash windows: seconds or percent of the run; bad ones name the option and the fix', () => {
  assert.deepEqual(parseCrashWindow('5..40'), { unit: 's', from: 5, to: 40 });
  assert.deepEqual(parseCrashWindow('50%..100%'), { unit: '%', from: 50, to: 100 });
  assert.equal(formatCrashWindow({ unit: '%', from: 0, to: 100 }), '0%..100%');
  assert.deepEqual(windowMs({ unit: '%', from: 50, to: 100 }, 2000), [1000, 2000]);
  assert.deepEqual(windowMs({ unit: 's', from: 0.5, to: 3 }, 9000), [500, 3000]);
  assert.match(String(parseCrashWindow('5%..40')), /--crash-window must look like A\.\.B/);
  assert.match(String(parseCrashWindow('9..3')), /the end must come after the start/);
  assert.match(String(parseCrashWindow('0%..120%')), /percentages go up to 100%/);
});

test('instants are stratified: one in each equal slice of the window, in order, seeded', () => {
  const xs = crashInstants(10, 1000, 2000, 3);
  assert.equal(xs.length, 10);
  xs.forEach((x, i) => assert.ok(x >= 1000 + i * 100 && x < 1000 + (i + 1) * 100, `${i}: ${x}`));
  assert.deepEqual(crashInstants(10, 1000, 2000, 3), xs);
  assert.notDeepEqual(crashInstants(10, 1000, 2000, 4), xs);
});
