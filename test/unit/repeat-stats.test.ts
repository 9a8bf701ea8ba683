import assert from 'node:assert/strict';
import { test } from 'node:test';
import { median, relativeHalfWidth, repeatStat, tQuantile975 } from '../../analysis/repeat-stats.js';
import { combineRepeats, repeatSchedule } from '../../coordinator/repeat.js';
import { planCases } from '../../coordinator/plan.js';
import { nullEngine } from '../../engines/null.js';
import { type CaseResult, type ResolvedSuite } from '../../model/run-report.js';
import { completedCase } from '../helpers/report-builder.js';

test('median of odd and even lists', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('2–5 repeats: Student-t interval of the mean, exact values', () => {
  const s = repeatStat([10, 12, 14]);
  assert.equal(s.median, 12);
  assert.equal(s.mean, 12);
  assert.equal(s.ciMethod, 'mean-t');
  // sd = 2, sem = 2/√3, t(0.975, 2) = 4.303
  const half = (4.303 * 2) / Math.sqrt(3);
  assert.ok(Math.abs(s.ciLow - (12 - half)) < 1e-9);
  assert.ok(Math.abs(s.ciHigh - (12 + half)) < 1e-9);
  assert.ok(Math.abs(relativeHalfWidth(s)! - half / 12) < 1e-12);
});

test('six or more repeats: order-statistic interval of the median', () => {
  // n = 6: only (min, max) reaches 95 % (96.9 %).
  assert.deepEqual([repeatStat([5, 1, 4, 2, 6, 3]).ciLow, repeatStat([5, 1, 4, 2, 6, 3]).ciHigh], [1, 6]);
  // n = 10: k = 2 gives 1 − 2·P(Bin(10,½) ≤ 1) = 97.9 %, k = 3 gives 89 %: the 2nd and 9th values.
  const s = repeatStat([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(s.ciMethod, 'median-order-statistics');
  assert.deepEqual([s.ciLow, s.median, s.ciHigh], [2, 5.5, 9]);
});

test('one repeat has no interval; t quantiles beyond the table', () => {
  const s = repeatStat([7]);
  assert.deepEqual([s.ciLow, s.median, s.ciHigh, s.ciMethod], [7, 7, 7, 'none']);
  assert.equal(relativeHalfWidth(s), null);
  assert.equal(tQuantile975(1), 12.706);
  assert.ok(Math.abs(tQuantile975(60) - 2.0) < 0.003);
});

const suite: ResolvedSuite = {
  name: 't', engines: ['null'], modes: ['sync', 'batch'], batchSizes: [4], batchMs: null, writers: [1], valueBytes: [128],
  workloads: ['unique'], targets: ['/data'], faults: [null], engineOptions: {}, seed: 1, warmupMs: 0, durationMs: 100, commitsPerWriter: null, repeat: 3,
};

test('repeats are interleaved: every case once per round', () => {
  const cases = planCases(suite, [nullEngine]);
  const s = repeatSchedule(cases, 3);
  assert.deepEqual(
    s.map((r) => `${r.planned.id}#${r.round}`),
    ['null/sync/w1/v128/unique/t0#1', 'null/batch-4/w1/v128/unique/t0#1', 'null/sync/w1/v128/unique/t0#2', 'null/batch-4/w1/v128/unique/t0#2', 'null/sync/w1/v128/unique/t0#3', 'null/batch-4/w1/v128/unique/t0#3'],
  );
  assert.deepEqual(s.map((r) => r.index), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(s.map((r) => r.last), [false, false, false, false, true, true]);
  assert.equal(repeatSchedule(cases, 1).length, 2);
});

test('completed repeats merge exactly and carry medians; an errored repeat makes the case errored', () => {
  const a = completedCase({ engine: 'wal', mode: 'sync', commitsPerSec: 1000, commitP50Us: 100, commitP99Us: 200 }, ['/data']);
  const b = completedCase({ engine: 'wal', mode: 'sync', commitsPerSec: 3000, commitP50Us: 100, commitP99Us: 200 }, ['/data']);
  const merged = combineRepeats([a, b]);
  assert.equal(merged.state, 'completed');
  if (merged.state !== 'completed') return;
  assert.equal(merged.metrics.commitLatency.count, 2000);
  assert.equal(merged.metrics.commits, 4000);
  assert.equal(merged.metrics.durationNs, 2e9);
  assert.equal(merged.repeats!.count, 2);
  assert.deepEqual(merged.repeats!.metrics['commits_per_sec']!.values, [1000, 3000]);
  assert.equal(merged.repeats!.metrics['commits_per_sec']!.median, 2000);
  assert.ok(merged.warnings.some((w) => w.code === 'noisy'), 'a 100 % spread is flagged as noise');
  const failed: CaseResult = { ...a, state: 'errored', reason: 'ENOSPC', code: 'ENOSPC', partialMetrics: null } as CaseResult;
  const e = combineRepeats([a, failed]);
  assert.equal(e.state, 'errored');
  if (e.state === 'errored') {
    assert.equal(e.reason, 'repeat 2 of 2: ENOSPC');
    assert.equal(e.partialMetrics!.commits, 1000);
  }
});
