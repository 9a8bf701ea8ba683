/** The crash summary and verdict: pure, exact values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossBound, percentile, summarizeTrials, type SummaryContext } from '../coordinator/crash/summary.js';
import type { CrashTrial } from '../reports/schema.js';

function trial(lost: number, windowMs = 0, corrupt = 0, error?: string): CrashTrial {
  return {
    crashPoint: 'random',
    acked: 100,
    lost,
    corrupt,
    lossWindowCommits: lost,
    lossWindowMs: windowMs,
    recoveryNs: 1000,
    discardedBytes: 0,
    crcFailures: 0,
    notes: [],
    labNs: 5_000_000,
    ...(error ? { error } : {}),
  };
}

const ctx = (mode: SummaryContext['mode'], batchSize = 1): SummaryContext => ({
  crashKind: 'power',
  filesystem: 'ext4',
  mountOptions: null,
  crashAt: 'random',
  mode,
  batchSize,
});

test('declared bounds: sync 0, batch N−1, none unbounded', () => {
  assert.equal(lossBound('sync', 1), 0);
  assert.equal(lossBound('batch', 32), 31);
  assert.equal(lossBound('none', 1), null);
});

test('nearest-rank percentiles', () => {
  assert.equal(percentile([], 50), 0);
  assert.equal(percentile([5, 1, 3], 50), 3);
  assert.equal(percentile([0, 24], 50), 0);
  assert.equal(percentile([0, 24], 99), 24);
});

test('sync mode: any lost acked commit is a durability bug', () => {
  const s = summarizeTrials(ctx('sync'), [trial(0), trial(3, 2.5), trial(0)]);
  assert.equal(s.verdict, 'DURABILITY BUG');
  assert.equal(s.lostMax, 3);
  assert.equal(s.trialsWithLoss, 1);
  assert.equal(s.lostP50, 0);
  assert.equal(s.lossWindowMsMax, 2.5);
  assert.match(s.verdictReason, /sync mode claims every acked commit durable.*lost up to 3/);
});

test('batch mode: loss within batchSize − 1 is consistent, beyond it a bug', () => {
  assert.equal(summarizeTrials(ctx('batch', 32), [trial(31), trial(0)]).verdict, 'consistent');
  assert.equal(summarizeTrials(ctx('batch', 32), [trial(32)]).verdict, 'DURABILITY BUG');
});

test('none mode: loss is consistent with its claim; corrupt values are a bug everywhere', () => {
  assert.equal(summarizeTrials(ctx('none'), [trial(5000)]).verdict, 'consistent');
  const c = summarizeTrials(ctx('none'), [trial(0, 0, 1)]);
  assert.equal(c.verdict, 'DURABILITY BUG');
  assert.equal(c.corruptTotal, 1);
});

test('errored trials are counted apart and stay out of the statistics', () => {
  const s = summarizeTrials(ctx('sync'), [trial(0), trial(0, 0, 0, 'crash point op:99 was not reached')]);
  assert.equal(s.trialsErrored, 1);
  assert.equal(s.trials.length, 2);
  assert.equal(s.verdict, 'consistent');
  assert.equal(s.labNsP50, 5_000_000);
});

test('a recovery that throws is a durability bug even without measured loss', () => {
  const s = summarizeTrials(ctx('none'), [trial(0), trial(0, 0, 0, 'recovery failed: ENOENT: no such file or directory')]);
  assert.equal(s.verdict, 'DURABILITY BUG');
  assert.match(s.verdictReason, /recovery threw after a power cut on ext4 in 1 trial/);
});
