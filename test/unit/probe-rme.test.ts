import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchMeansRmePercent } from '../../probe/measure.js';

test('the margin of error comes from batch means with Student t', () => {
  // Batch means 100, 200, 300 ns; grand mean 200; sd 100; t(0.975, 2) = 4.303.
  const want = ((4.303 * 100) / Math.sqrt(3) / 200) * 100;
  assert.ok(Math.abs(batchMeansRmePercent([10, 10, 10], [1000, 2000, 3000]) - want) < 1e-9);
  // Five equal batches: no spread, no margin.
  assert.equal(batchMeansRmePercent([5, 5, 5, 5, 5], [50, 50, 50, 50, 50]), 0);
  // Empty batches are left out; fewer than two batches give no estimate (0, not a made-up number).
  assert.equal(batchMeansRmePercent([0, 7, 0], [0, 700, 0]), 0);
  assert.equal(batchMeansRmePercent([], []), 0);
  // The grand mean weights batches by their operations.
  const weighted = batchMeansRmePercent([1, 3], [100, 300]);
  assert.equal(weighted, 0);
});
