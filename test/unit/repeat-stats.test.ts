import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { medianIntervalRank, median, MIN_REPEATS_FOR_INTERVAL, orderStatisticCoverage, recomputeRepeatSummary, relativeHalfWidth, repeatStat } from '../../analysis/repeat-stats.js';
import { combineRepeats, repeatSchedule } from '../../coordinator/repeat.js';
import { planCases } from '../../coordinator/plan.js';
import { nullEngine } from '../../engines/null.js';
import { type CaseResult, type ResolvedSuite } from '../../model/run-report.js';
import { completedCase } from '../helpers/report-builder.js';

test('median of odd and even lists', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('2–5 repeats: no interval, and the reason says why (min … max covers the median too rarely)', () => {
  for (const [n, pct] of [[2, '50 %'], [3, '75 %'], [4, '87.5 %'], [5, '93.75 %']] as const) {
    const s = repeatStat(Array.from({ length: n }, (_, i) => 10 + i));
    assert.equal(s.ciLow, undefined, `n=${n}`);
    assert.equal(s.ciHigh, undefined);
    assert.equal(s.ciMethod, 'none');
    assert.match(s.ciReason!, new RegExp(`${n} repeats: no 95 % interval .*only ${pct.replace('.', '\\.')}; a 95 % interval needs 6 repeats`));
    assert.equal(relativeHalfWidth(s), null);
  }
  // The case: two repeats of a skewed latency. Mean ± t·s/√n went below zero; now there is no interval at all.
  const two = repeatStat([165_000, 3_975_000]);
  assert.equal(two.median, 2_070_000);
  assert.equal(two.ciLow, undefined);
  assert.equal(MIN_REPEATS_FOR_INTERVAL, 6);
});

test('six or more repeats: the order-statistic interval of the median, with its exact coverage', () => {
  // n = 6: only (min, max) reaches 95 % (1 − 2/64 = 96.9 %).
  const six = repeatStat([5, 1, 4, 2, 6, 3]);
  assert.deepEqual([six.ciLow, six.ciHigh], [1, 6]);
  assert.ok(Math.abs(six.ciCoverage! - 62 / 64) < 1e-12);
  // n = 10: k = 2 gives 1 − 2·P(Bin(10,½) ≤ 1) = 97.9 %, k = 3 gives 89 %: the 2nd and 9th values.
  const s = repeatStat([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(s.ciMethod, 'median-order-statistics');
  assert.deepEqual([s.ciLow, s.median, s.ciHigh], [2, 5.5, 9]);
  assert.ok(Math.abs(s.ciCoverage! - (1 - 2 * (11 / 1024))) < 1e-12);
  assert.deepEqual(medianIntervalRank(10), { k: 2, coverage: 1 - 22 / 1024 });
  assert.equal(medianIntervalRank(5), null);
  assert.ok(Math.abs(orderStatisticCoverage(1, 5) - 0.9375) < 1e-12);
});

test('one repeat has no interval', () => {
  const s = repeatStat([7]);
  assert.deepEqual([s.ciLow, s.median, s.ciHigh, s.ciMethod], [undefined, 7, undefined, 'none']);
  assert.match(s.ciReason!, /^one run: no interval/);
});

/** A seeded log-normal sample (Box–Muller): skewed like latencies and rates. */
function lognormal(seed: number, n: number, sigma: number, mu = Math.log(1e6)): number[] {
  let x = seed >>> 0 || 1;
  const u = (): number => {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) + 0.5) / 2 ** 32;
  };
  return Array.from({ length: n }, () => Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())));
}

test('property: for any n ≥ 2 on skewed data the interval is never below 0 nor outside the measured range', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 2 ** 31 }), fc.double({ min: 0.05, max: 3, noNaN: true }), (n, seed, sigma) => {
      const values = lognormal(seed, n, sigma);
      const s = repeatStat(values);
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      if (n < 6) return s.ciLow === undefined && s.ciHigh === undefined && s.ciReason !== undefined;
      return s.ciLow! >= 0 && s.ciLow! >= lo && s.ciHigh! <= hi && s.ciLow! <= s.median && s.median <= s.ciHigh! && s.ciCoverage! >= 0.95;
    }),
    { numRuns: 500, seed: 11 },
  );
  // Values of exactly 0 (no syncs in a repeat) stay at 0, never below.
  assert.equal(repeatStat([0, 0, 0, 0, 0, 0, 5]).ciLow, 0);
});

test('the interval covers the true median of a skewed distribution at least 95 % of the time (seeded simulation)', () => {
  // Log-normal with μ = ln 1e6: the true median is exactly 1e6. 4000 samples per n: 3σ of a 95 % rate is 1 %.
  for (const n of [6, 7, 10, 20]) {
    let covered = 0;
    const runs = 4000;
    for (let r = 0; r < runs; r++) {
      const s = repeatStat(lognormal(1000 * n + r + 1, n, 1.5));
      if (s.ciLow! <= 1e6 && 1e6 <= s.ciHigh!) covered += 1;
    }
    assert.ok(covered / runs >= 0.94, `n=${n}: coverage ${covered / runs}`);
  }
});

test('an old summary (mean ± t interval, possibly below zero) is recomputed from its values', () => {
  const old = { count: 2, metrics: { commit_p50_ns: { median: 2_070_000, ciLow: -22_300_000, ciHigh: 26_500_000, values: [165_000, 3_975_000], ciMethod: 'mean-t' } } };
  const now = recomputeRepeatSummary(old);
  assert.equal(now.metrics['commit_p50_ns']!.ciLow, undefined);
  assert.equal(now.metrics['commit_p50_ns']!.ciMethod, 'none');
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
