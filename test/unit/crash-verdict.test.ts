/** The crash summary and verdict, expectations and the crash command's exit status: pure, exact values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseStatus, crashExitCode, lossBound, lossDistribution, summarizeTrials } from '../../analysis/crash-verdict.js';
import type { CrashCaseResult, CrashSetting, CrashTrial } from '../../model/crash-report.js';
import type { Durability } from '../../model/durability.js';
import { nearestRank as percentile } from '../../stats/summary.js';
import { crashTrial } from '../helpers/report-builder.js';

/** `lost` acked commits lost, of which `declared` had been declared durable. */
function trial(lost: number, o: Partial<CrashTrial> & { declared?: number } = {}): CrashTrial {
  const { declared, ...rest } = o;
  return crashTrial({ acked: 100, declaredDurable: 100 - lost + (declared ?? 0), exposure: lost - (declared ?? 0), lost, lostDeclared: declared ?? 0, labNs: 5_000_000, image: 'flushed', ...rest });
}

const POWER_EXT4: CrashSetting = { kind: 'power', filesystem: 'ext4', mountOptions: null, crashAt: 'random', writeback: 'none', deviceCache: 'volatile', torn: false, reorderStates: 0, crashWindow: '0%..100%', runMs: 1000 };
const mode = (m: 'sync' | 'batch' | 'none', batchSize = 1): Durability => (m === 'batch' ? { mode: m, batchSize, batchMs: null } : { mode: m });
const EXTRAS = { instants: 3, wallMs: 60_000, device: { state: 'unavailable', reason: 'test' }, syscalls: { state: 'unavailable', reason: 'test' } } as const;
const judge = (d: Durability, trials: CrashTrial[]) => summarizeTrials(POWER_EXT4, d, trials, EXTRAS);

test("the modes' nominal bounds (reference only): sync 0, batch N−1, none unbounded", () => {
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

test('losing a commit the engine had declared durable is a durability bug', () => {
  const s = judge(mode('sync'), [trial(0), trial(3, { declared: 3, lossWindowMs: 2.5 }), trial(0)]);
  assert.equal(s.verdict, 'durability-bug');
  assert.equal(s.lostMax, 3);
  assert.equal(s.lostDeclaredMax, 3);
  assert.equal(s.trialsWithLoss, 1);
  assert.equal(s.lostP50, 0);
  assert.equal(s.lossWindowMsMax, 2.5);
  assert.match(s.verdictReason, /lost up to 3 acked commit\(s\) the engine had declared durable \(sync mode.*in 1 of 3 verified/);
});

test('the allowed loss is the declared exposure, not the nominal bound: within it consistent, beyond it a bug', () => {
  // batch 32: 31 lost, none of them declared durable.
  assert.equal(judge(mode('batch', 32), [trial(31), trial(0)]).verdict, 'consistent');
  // batch 16, but the engine declared every commit durable (sqlite DELETE + NORMAL): one loss is a bug.
  const s = judge(mode('batch', 16), [trial(1, { declared: 1 })]);
  assert.equal(s.verdict, 'durability-bug');
  assert.equal(s.exposureMax, 0);
});

test('none mode: loss of undeclared commits is consistent; corrupt values are a bug everywhere', () => {
  assert.equal(judge(mode('none'), [trial(5000, { acked: 5000, declaredDurable: 0, exposure: 5000 })]).verdict, 'consistent');
  const c = judge(mode('none'), [trial(0, { corrupt: 1 })]);
  assert.equal(c.verdict, 'durability-bug');
  assert.equal(c.corruptTotal, 1);
  assert.match(c.verdictReason, /never written \(corrupt\)/);
});

test('an errored trial makes the case inconclusive: it is counted apart and stays out of the statistics', () => {
  const s = judge(mode('sync'), [trial(0), trial(0, { outcome: 'errored', error: 'crash point op:99 was not reached in 5000 commits' })]);
  assert.equal(s.trialsErrored, 1);
  assert.equal(s.trialsVerified, 1);
  assert.equal(s.trials.length, 2);
  assert.equal(s.verdict, 'inconclusive');
  assert.match(s.verdictReason, /1 of 2 crash state\(s\) could not be verified \(crash point op:99 was not reached/);
  assert.equal(s.labNsP50, 5_000_000);
});

test('nothing verified is inconclusive, never consistent', () => {
  const s = judge(mode('sync'), [trial(0, { outcome: 'errored', error: 'crash point op:99999999 was not reached in 12 commits' })]);
  assert.equal(s.verdict, 'inconclusive');
  assert.match(s.verdictReason, /no crash state was verified: 1 of 1 errored/);
  assert.equal(judge(mode('sync'), []).verdict, 'inconclusive');
});

test('a bug found stays a bug even when other trials errored', () => {
  const s = judge(mode('sync'), [trial(2, { declared: 2 }), trial(0, { outcome: 'errored', error: 'writer child ended' })]);
  assert.equal(s.verdict, 'durability-bug');
  assert.match(s.verdictReason, /could not be verified/);
});

test('a recovery that throws is a durability bug even without measured loss, named as such', () => {
  const s = judge(mode('none'), [trial(0), trial(0, { outcome: 'recovery-failed', error: 'recovery failed: ENOENT: no such file or directory' })]);
  assert.equal(s.verdict, 'durability-bug');
  assert.equal(s.recoveryFailures, 1);
  assert.equal(s.trialsErrored, 0);
  assert.match(s.verdictReason, /recovery failed after a power cut on ext4 \(volatile cache\) in 1 of 2 crash state/);
});

test('loss distribution: states per loss bucket 0, 1, 2–3, 4–7, …', () => {
  assert.deepEqual(lossDistribution([]), []);
  assert.deepEqual(lossDistribution([0, 0, 1, 3, 2, 9]), [
    { from: 0, to: 0, trials: 2 },
    { from: 1, to: 1, trials: 1 },
    { from: 2, to: 3, trials: 2 },
    { from: 4, to: 7, trials: 0 },
    { from: 8, to: 15, trials: 1 },
  ]);
});

test('gaps are counted apart from the tail', () => {
  const s = judge(mode('none'), [trial(3, { lostTail: 1, lostGap: 2, acked: 100, declaredDurable: 0, exposure: 100 })]);
  assert.equal(s.trialsWithGaps, 1);
  assert.equal(s.lostGapMax, 2);
});

function completed(verdict: 'consistent' | 'durability-bug' | 'inconclusive', expect?: 'consistent' | 'durability-bug'): CrashCaseResult {
  const trials = verdict === 'durability-bug' ? [trial(1, { declared: 1 })] : verdict === 'inconclusive' ? [trial(0, { outcome: 'errored', error: 'x' })] : [trial(0)];
  const crash = judge(mode('sync'), trials);
  assert.equal(crash.verdict, verdict);
  return {
    id: 'c',
    key: { engine: 'wal', fault: null, writers: 1, valueBytes: 128, workload: 'unique', target: '.', mode: 'sync' },
    setting: POWER_EXT4,
    params: { engineOptions: {}, seed: 1 },
    ...(expect ? { expect } : {}),
    startedAt: '',
    finishedAt: '',
    state: 'completed',
    crash,
  };
}

test('expectations: a fault caught passes, a fault missed fails, an unexpected bug fails', () => {
  assert.equal(caseStatus(completed('durability-bug', 'durability-bug')).status, 'pass');
  assert.equal(caseStatus(completed('consistent', 'durability-bug')).status, 'fail');
  assert.match(caseStatus(completed('consistent', 'durability-bug')).reason, /expected DURABILITY BUG, but the lab did not catch it/);
  assert.equal(caseStatus(completed('durability-bug')).status, 'fail');
  assert.equal(caseStatus(completed('consistent')).status, 'pass');
  assert.equal(caseStatus(completed('inconclusive', 'durability-bug')).status, 'inconclusive');
});

test('exit status: 1 on any failure, else 3 on anything inconclusive or skipped (or nothing run), else 0', () => {
  const skipped: CrashCaseResult = { ...completed('consistent'), state: 'skipped', reason: 'power crashes need root' } as unknown as CrashCaseResult;
  assert.equal(crashExitCode([completed('consistent'), completed('durability-bug', 'durability-bug')]), 0);
  assert.equal(crashExitCode([completed('consistent'), completed('inconclusive')]), 3);
  assert.equal(crashExitCode([completed('inconclusive'), completed('durability-bug')]), 1);
  assert.equal(crashExitCode([completed('consistent', 'durability-bug')]), 1);
  assert.equal(crashExitCode([completed('consistent'), skipped]), 3);
  assert.equal(crashExitCode([]), 3);
});
