/** The crash summary and verdict: pure, exact values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossBound, summarizeTrials } from '../../analysis/crash-verdict.js';
import type { CrashSetting, CrashTrial } from '../../model/crash-report.js';
import type { Durability } from '../../model/durability.js';
import { nearestRank as percentile } from '../../stats/summary.js';

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

const POWER_EXT4: CrashSetting = { kind: 'power', filesystem: 'ext4', mountOptions: null, crashAt: 'random', writeback: 'none' };
const mode = (m: 'sync' | 'batch' | 'none', batchSize = 1): Durability => (m === 'batch' ? { mode: m, batchSize, batchMs: null } : { mode: m });
const judge = (d: Durability, trials: CrashTrial[]) => summarizeTrials(POWER_EXT4, d, trials);

test('declared bounds: sync 0, batch N−1, none unbounded', () => {
  assert.equal(lossBound(mode('sync')), 0);
  assert.equal(lossBound(mode('batch', 32)), 31);
  assert.equal(lossBound(mode('none')), null);
});

test('nearest-rank percentiles', () => {
  assert.equal(percentile([], 50), 0);
  assert.equal(percentile([5, 1, 3], 50), 3);
  assert.equal(percentile([0, 24], 50), 0);
  assert.equal(percentile([0, 24], 99), 24);
});

test('sync mode: any lost acked commit is a durability bug', () => {
  const s = judge(mode('sync'), [trial(0), trial(3, 2.5), trial(0)]);
  assert.equal(s.verdict, 'durability-bug');
  assert.equal(s.lostMax, 3);
  assert.equal(s.trialsWithLoss, 1);
  assert.equal(s.lostP50, 0);
  assert.equal(s.lossWindowMsMax, 2.5);
  assert.match(s.verdictReason, /sync mode claims every acked commit durable.*lost up to 3/);
});

test('batch mode: loss within batchSize − 1 is consistent, beyond it a bug', () => {
  assert.equal(judge(mode('batch', 32), [trial(31), trial(0)]).verdict, 'consistent');
  assert.equal(judge(mode('batch', 32), [trial(32)]).verdict, 'durability-bug');
});

test('none mode: loss is consistent with its claim; corrupt values are a bug everywhere', () => {
  assert.equal(judge(mode('none'), [trial(5000)]).verdict, 'consistent');
  const c = judge(mode('none'), [trial(0, 0, 1)]);
  assert.equal(c.verdict, 'durability-bug');
  assert.equal(c.corruptTotal, 1);
});

test('errored trials are counted apart and stay out of the statistics', () => {
  const s = judge(mode('sync'), [trial(0), trial(0, 0, 0, 'crash point op:99 was not reached')]);
  assert.equal(s.trialsErrored, 1);
  assert.equal(s.trials.length, 2);
  assert.equal(s.verdict, 'consistent');
  assert.equal(s.labNsP50, 5_000_000);
});

test('a recovery that throws is a durability bug even without measured loss', () => {
  const s = judge(mode('none'), [trial(0), trial(0, 0, 0, 'recovery failed: ENOENT: no such file or directory')]);
  assert.equal(s.verdict, 'durability-bug');
  assert.match(s.verdictReason, /recovery threw after a power cut on ext4 in 1 trial/);
});
