import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mannWhitney } from '../../analysis/rank-test.js';

const close = (a: number, b: number, eps = 1e-12): void => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);

test('exact two-sided p of fully separated samples is 2 / C(n1 + n2, n1)', () => {
  close(mannWhitney([1, 2, 3], [4, 5, 6]).p, 2 / 20);
  close(mannWhitney([1, 2, 3, 4], [5, 6, 7, 8]).p, 2 / 70);
  // scipy.stats.mannwhitneyu([1..5], [6..10], method='exact').pvalue = 0.007936507936507936
  close(mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p, 0.007936507936507936);
  close(mannWhitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).p, 0.007936507936507936);
  // The smallest p a design allows: 3 vs 3 can never be significant at 0.05.
  close(mannWhitney([1, 2, 3], [1.5, 2.5, 3.5]).minP, 0.1);
  close(mannWhitney([1], [2, 3, 4, 5]).minP, 2 / 5);
});

test('exact p of interleaved samples and of identical ones', () => {
  // x = {1, 4}, y = {2, 3}: W = 5 = E[W], every arrangement is at least as extreme.
  close(mannWhitney([1, 4], [2, 3]).p, 1);
  const p = mannWhitney([1, 2, 4], [3, 5, 6]).p;
  // x = {1, 2, 4}: W = 7, E[W] = 10.5. Rank sums of 3 of 6 with |W − 10.5| ≥ 3.5: W ∈ {6, 7, 14, 15}, 1 way each: 4 of 20.
  close(p, 4 / 20);
  const same = mannWhitney([5, 5, 5], [5, 5, 5]);
  assert.equal(same.p, 1);
  assert.equal(same.minP, 1);
});

test('ties use mid-ranks in the exact distribution', () => {
  // Pooled 1,2,2,3 with x = {1,2}: mid-ranks 1, 2.5, 2.5, 4. Subsets of 2: sums 3.5,3.5,5,5,6.5,6.5; E = 5.
  // Observed 3.5 (|d| = 1.5): 4 of 6 subsets are as extreme.
  close(mannWhitney([1, 2], [2, 3]).p, 4 / 6);
});

test('large samples use the normal approximation with continuity correction, close to the exact value', () => {
  const x = Array.from({ length: 31 }, (_, i) => i);
  const y = Array.from({ length: 31 }, (_, i) => i + 8.5);
  const r = mannWhitney(x, y);
  assert.equal(r.method, 'normal');
  assert.ok(r.p > 0.0005 && r.p < 0.05, String(r.p));
  const exact = mannWhitney(x.slice(0, 30), y.slice(0, 30));
  assert.equal(exact.method, 'exact');
  assert.ok(Math.abs(Math.log(r.p / exact.p)) < 0.5, `${r.p} vs ${exact.p}`);
});
