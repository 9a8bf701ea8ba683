/** Lost commits as ranges of sequence numbers, tail vs gap: pure, exact. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRange, lossShape } from '../../analysis/loss-ranges.js';

const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

test('a lost suffix is one tail range', () => {
  const s = lossShape(0, upTo(10), (i) => i > 7);
  assert.deepEqual(s.ranges, [{ writer: 0, from: 8, to: 10, where: 'tail' }]);
  assert.equal(s.lostTail, 3);
  assert.equal(s.lostGap, 0);
  assert.equal(s.tailFrom, 8);
});

test('every 100th commit dropped: one gap each, exactly', () => {
  const s = lossShape(2, upTo(450), (i) => i % 100 === 0);
  assert.deepEqual(
    s.ranges,
    [100, 200, 300, 400].map((n) => ({ writer: 2, from: n, to: n, where: 'gap' })),
  );
  assert.equal(s.lost, 4);
  assert.equal(s.lostGap, 4);
  assert.equal(s.tailFrom, null);
});

test('gaps and a tail together; the last acked commit lost ends the tail', () => {
  const s = lossShape(0, upTo(300), (i) => i % 100 === 0 || i > 295);
  assert.deepEqual(s.ranges, [
    { writer: 0, from: 100, to: 100, where: 'gap' },
    { writer: 0, from: 200, to: 200, where: 'gap' },
    { writer: 0, from: 296, to: 300, where: 'tail' },
  ]);
  assert.equal(s.lostTail, 5);
  assert.equal(s.lostGap, 2);
});

test('overwrite workloads: only checked commits count, ranges join across unchecked ones', () => {
  const s = lossShape(0, [3, 7, 9, 12], (i) => i === 7 || i === 9);
  assert.deepEqual(s.ranges, [{ writer: 0, from: 7, to: 9, where: 'gap' }]);
  assert.equal(s.lost, 2);
  assert.equal(formatRange(s.ranges[0]!), '7–9');
  assert.equal(formatRange({ writer: 0, from: 5, to: 5, where: 'gap' }), '5');
});

test('nothing lost: no ranges', () => {
  const s = lossShape(0, upTo(5), () => false);
  assert.deepEqual(s, { ranges: [], lost: 0, lostTail: 0, lostGap: 0, tailFrom: null });
});
