import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyzeSweep, paretoFront } from '../analysis/tune.js';
import { type CrashSummary } from '../model/crash-report.js';
import { type RunReport } from '../model/run-report.js';
import { crashSummaryOf, crashTrial, report } from './helpers/report-builder.js';
import { runCli } from './helpers/cli.js';
import { labResidue } from './helpers/crash-lab.js';
import { tempDir } from './helpers/tmp.js';

const sweep = report('h', [
  { engine: 'wal', mode: 'batch', batchSize: 1, commitsPerSec: 4000, commitP50Us: 200, commitP99Us: 400, exposureMaxCommits: 0, exposureMaxMs: 0 },
  { engine: 'wal', mode: 'batch', batchSize: 8, commitsPerSec: 20000, commitP50Us: 30, commitP99Us: 450, exposureMaxCommits: 7, exposureMaxMs: 2 },
  { engine: 'wal', mode: 'batch', batchSize: 64, commitsPerSec: 60000, commitP50Us: 10, commitP99Us: 500, exposureMaxCommits: 63, exposureMaxMs: 8 },
  // Dominated: less throughput, worse p99 and more exposure than batch 64.
  { engine: 'wal', mode: 'batch', batchSize: 128, commitsPerSec: 50000, commitP50Us: 10, commitP99Us: 900, exposureMaxCommits: 127, exposureMaxMs: 16 },
]);

const dominates = (q: { commitsPerSec: number; commitP99Ns: number; exposure: number }, p: typeof q): boolean =>
  q.commitsPerSec >= p.commitsPerSec && q.commitP99Ns <= p.commitP99Ns && q.exposure <= p.exposure && (q.commitsPerSec > p.commitsPerSec || q.commitP99Ns < p.commitP99Ns || q.exposure < p.exposure);

test('property: the front contains no dominated point, and every point off it is dominated', () => {
  const point = fc.record({ commitsPerSec: fc.integer({ min: 0, max: 20 }), commitP99Ns: fc.integer({ min: 0, max: 20 }), exposure: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(Infinity)) });
  fc.assert(
    fc.property(fc.array(point, { minLength: 1, maxLength: 12 }), (pts) => {
      const front = paretoFront(pts);
      return pts.every((p, i) => (front.has(i) ? !pts.some((q, j) => j !== i && dominates(q, p)) : pts.some((q, j) => j !== i && dominates(q, p))));
    }),
    { numRuns: 2000, seed: 7 },
  );
});

test('Pareto front over throughput, commit p99 and exposure at once', () => {
  const t = analyzeSweep({ report: sweep, engine: 'wal', budget: null, crash: 'not-requested' });
  assert.deepEqual(t.points.map((p) => [p.batchSize, p.pareto]), [[1, true], [8, true], [64, true], [128, false]]);
  assert.equal(t.recommendation, null);
  assert.match(t.verdict, /No loss budget given: the Pareto front .* is batch size 1, 8, 64/);
  assert.deepEqual([...paretoFront([{ commitsPerSec: 1, commitP99Ns: 1, exposure: 1 }, { commitsPerSec: 1, commitP99Ns: 1, exposure: 1 }])], [0, 1]);
  // A point best on throughput but worst on p99 stays on the 3-D front (a 2-D throughput/exposure line would drop it).
  assert.deepEqual([...paretoFront([{ commitsPerSec: 10, commitP99Ns: 100, exposure: 5 }, { commitsPerSec: 9, commitP99Ns: 1, exposure: 5 }])], [0, 1]);
});

test('the highest throughput inside the budget wins; the explanation says why each faster setting is out', () => {
  const ms = analyzeSweep({ report: sweep, engine: 'wal', budget: { kind: 'ms', ms: 5 }, crash: 'not-requested' });
  assert.equal(ms.exposureStatistic, 'p99.9');
  assert.equal(ms.recommendation?.batchSize, 8);
  assert.deepEqual(ms.points.map((p) => p.withinBudget), [true, true, false, false]);
  assert.match(ms.points[2]!.budgetReason!, /declared exposure p99\.9 8\.00 ms > 5 ms/);
  assert.deepEqual(ms.explanation, [
    'Faster, but out: batch size 64 (60,000 commits/s): declared exposure p99.9 8.00 ms > 5 ms',
    'Faster, but out: batch size 128 (50,000 commits/s): declared exposure p99.9 16.0 ms > 5 ms',
  ]);
  const commits = analyzeSweep({ report: sweep, engine: 'wal', budget: { kind: 'commits', commits: 100 }, crash: 'not-requested' });
  assert.equal(commits.recommendation?.batchSize, 64);
});

test('one stall sets the max, not the p99.9: the default statistic is not ruled by it; --exposure max is', () => {
  const stalled = report('h', [
    { engine: 'wal', mode: 'batch', batchSize: 1, commitsPerSec: 4000, commitP50Us: 200, commitP99Us: 400, exposureMaxCommits: 0, exposureMaxMs: 0 },
    { engine: 'wal', mode: 'batch', batchSize: 16, commitsPerSec: 40000, commitP50Us: 20, commitP99Us: 420, exposureMaxCommits: 15, exposureMaxMs: 30, exposureP999Ms: 1.2 },
  ]);
  const p999 = analyzeSweep({ report: stalled, engine: 'wal', budget: { kind: 'ms', ms: 5 }, crash: 'not-requested' });
  assert.equal(p999.recommendation?.batchSize, 16);
  const max = analyzeSweep({ report: stalled, engine: 'wal', budget: { kind: 'ms', ms: 5 }, crash: 'not-requested', exposure: 'max' });
  assert.equal(max.recommendation?.batchSize, 1);
  assert.match(max.explanation![0]!, /batch size 16 .*declared exposure max 30\.0 ms > 5 ms/);
});

function crash(lostMax: number, windowMs: number, bound: number): CrashSummary {
  // Losses up to the bound were never declared durable; beyond it they were (a DURABILITY BUG).
  const trial = crashTrial({ lost: lostMax, lostDeclared: Math.max(0, lostMax - bound), lossWindowCommits: lostMax, lossWindowMs: windowMs });
  return crashSummaryOf([trial, { ...trial, instant: 1 }], { mode: 'batch', batchSize: bound + 1, batchMs: null });
}

test('with crash trials the measured loss must fit too; unverified settings and durability bugs do not fit', () => {
  const withLoss: RunReport = structuredClone(sweep);
  const [b1, b8, b64] = withLoss.cases;
  if (b1?.state === 'completed') b1.crash = crash(0, 0, 0);
  if (b8?.state === 'completed') b8.crash = crash(7, 9, 7);
  if (b64?.state === 'completed') b64.crash = crash(70, 3, 63);
  // batch 128: its crash trials never completed.
  const five = analyzeSweep({ report: withLoss, engine: 'wal', budget: { kind: 'ms', ms: 5 }, crash: 'measured' });
  assert.equal(five.recommendation?.batchSize, 1);
  assert.equal(five.points[1]!.budgetReason, 'measured loss window 9 ms > 5 ms');
  assert.equal(five.explanation!.length, 3);
  const ten = analyzeSweep({ report: withLoss, engine: 'wal', budget: { kind: 'ms', ms: 10 }, crash: 'measured' });
  assert.equal(ten.recommendation?.batchSize, 8);
  assert.match(ten.recommendation!.reason, /measured loss ≤ 7 commits \/ 9 ms in 2 trials/);
  assert.equal(ten.points[2]!.budgetReason, 'DURABILITY BUG: the crash trials lost more than it declares (70 commits)');
  assert.equal(ten.points[3]!.budgetReason, 'declared exposure p99.9 16.0 ms > 10 ms');
  const twenty = analyzeSweep({ report: withLoss, engine: 'wal', budget: { kind: 'ms', ms: 20 }, crash: 'measured' });
  assert.equal(twenty.points[3]!.budgetReason, 'no verified crash trial: its loss was not measured (see the warnings)');
  assert.equal(twenty.recommendation?.batchSize, 8);
});

test('when nothing fits, it says so plainly and lists every setting with its reason', () => {
  const t = analyzeSweep({ report: sweep, engine: 'wal', budget: { kind: 'commits', commits: 0 }, crash: 'not-requested' });
  assert.equal(t.recommendation?.batchSize, 1);
  const noSmall: RunReport = { ...sweep, cases: sweep.cases.slice(2) };
  const none = analyzeSweep({ report: noSmall, engine: 'wal', budget: { kind: 'commits', commits: 10 }, crash: 'not-requested' });
  assert.equal(none.recommendation, null);
  assert.match(none.verdict, /^No setting fits the loss budget of 10 commits/);
  assert.deepEqual(none.explanation, ['batch size 64 (60,000 commits/s): declared exposure up to 63 commits > 10', 'batch size 128 (50,000 commits/s): declared exposure up to 127 commits > 10']);
});

test('tune on a null-engine sweep recommends the largest batch whose exposure fits (end to end)', async () => {
  const out = tempDir('tune');
  // A commit count, not a duration: every case then measures whole batches of 64 however long a
  // loaded machine keeps the writer waiting for a CPU (a 0.2 s run once measured fewer than 64).
  const r = await runCli(['tune', '--engine', 'null', '--batch-sizes', '1,4,16,64', '--null-sync-us', '200', '--commits', '4000', '--warmup', '0', '--loss-budget-commits', '20', '--out', out, '--quiet', '--dir', out]);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  const t = rep.tune!;
  // Declared exposure of batch size B on the null engine is exactly B − 1 acked-unsynced commits.
  assert.deepEqual(t.points.map((p) => [p.batchSize, p.exposureMaxCommits, p.withinBudget]), [[1, 0, true], [4, 3, true], [16, 15, true], [64, 63, false]]);
  // The recommendation is the measured fastest inside the budget (which of 1, 4, 16 that is depends
  // on the machine's load; the choice rule itself is checked exactly on the fixtures above).
  const fastest = t.points.filter((p) => p.withinBudget).sort((a, b) => b.commitsPerSec - a.commitsPerSec)[0]!;
  assert.equal(t.recommendation?.batchSize, fastest.batchSize);
  assert.match(r.stdout, new RegExp(`Recommended: batch size ${fastest.batchSize}:`));
  // Batch 64 is named as faster but out exactly when it measured faster than the recommendation.
  const out64 = /Faster, but out: batch size 64 .*declared exposure up to 63 commits > 20/;
  if (t.points.find((p) => p.batchSize === 64)!.commitsPerSec >= fastest.commitsPerSec) assert.match(r.stdout, out64);
  else assert.doesNotMatch(r.stdout, out64);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.ok(html.includes('Batch sweep'));
  assert.ok(html.includes('on the Pareto front'));

  const none = await runCli(['tune', '--engine', 'null', '--batch-sizes', '32,64', '--commits', '1000', '--warmup', '0', '--loss-budget-commits', '10', '--out', out, '--quiet', '--dir', out]);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /No setting fits the loss budget of 10 commits/);
});

test('tune --crash kill: every setting crashed, measured loss judged against the budget (end to end)', async () => {
  const dir = tempDir('tune-kill');
  const out = path.join(dir, 'out');
  const r = await runCli(['tune', '--engine', 'wal', '--batch-size', '1,8', '--duration', '0.2', '--warmup', '0', '--loss-budget-ms', '200', '--crash', 'kill', '--trials', '2', '--dir', dir, '--out', out, '--quiet', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const t = (JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport).tune!;
  assert.equal(t.crash, 'measured');
  for (const p of t.points) {
    assert.equal(p.crashTrials, 2, `batch ${p.batchSize}`);
    assert.equal(p.lostMax, 0, 'a process kill keeps the page cache: wal loses no acked commit');
  }
  assert.ok(t.recommendation !== null, t.verdict);
  assert.match(r.stdout, /measured loss ≤ 0 commits \/ 0 ms in 2 trials/);
});

test('tune --fs ext4 --crash power: the sweep on an ext4 image, power cuts on ext4 images (end to end, root)', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
  const dir = tempDir('tune-power');
  const out = path.join(dir, 'out');
  const r = await runCli(['tune', '--engine', 'wal', '--batch-size', '1,16', '--duration', '0.2', '--warmup', '0', '--loss-budget-commits', '20', '--crash', 'power', '--trials', '2', '--fs', 'ext4', '--image-mib', '256', '--dir', dir, '--out', out, '--quiet', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  assert.deepEqual(rep.suite.filesystems?.map((f) => [f.spec, f.fs, f.dir]), [['ext4', 'ext4', dir]]);
  assert.equal(rep.host.targets[0]!.fsType.value, 'ext4');
  for (const c of rep.cases) {
    assert.equal(c.state, 'completed');
    if (c.state !== 'completed') continue;
    assert.equal(c.crash?.setting.kind, 'power');
    assert.equal(c.crash?.setting.filesystem, 'ext4');
  }
  const t = rep.tune!;
  assert.equal(t.crash, 'measured');
  for (const p of t.points) assert.equal(p.crashTrials, 2);
  // wal in batch 16 may lose up to 15 acked commits in a power cut: within the 20-commit budget, or not — but it was measured.
  assert.ok(t.points.every((p) => p.lostMax !== null));
  assert.match(r.stdout, /in 2 trials/);
  assert.deepEqual(labResidue(dir), []);
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('durabench-')), []);
});

test('tune: bad budgets are usage errors', async () => {
  const both = await runCli(['tune', '--engine', 'null', '--loss-budget-ms', '5', '--loss-budget-commits', '3']);
  assert.equal(both.code, 2);
  assert.equal(both.stderr.trim().split('\n').length, 1);
  const neg = await runCli(['tune', '--engine', 'null', '--loss-budget-ms', '-1']);
  assert.equal(neg.code, 2);
  assert.match(neg.stderr, /--loss-budget-ms must be a number from 0 to 86400000, got '-1'/);
  const stat = await runCli(['tune', '--engine', 'null', '--loss-budget-ms', '5', '--exposure', 'p42']);
  assert.equal(stat.code, 2);
  assert.match(stat.stderr, /--exposure 'p42' is not an exposure statistic; use p50, p99, p99\.9 or max/);
});

test('a sweep over writers × policy on a shared log names each setting; the recommendation fits the budget', () => {
  const wide = report('h', [
    { engine: 'wal', mode: 'sync', commitsPerSec: 300, commitP50Us: 3000, commitP99Us: 8000, exposureMaxCommits: 0, exposureMaxMs: 0 },
    { engine: 'wal', mode: 'sync', commitsPerSec: 2000, commitP50Us: 3500, commitP99Us: 9000, exposureMaxCommits: 0, exposureMaxMs: 0 },
    { engine: 'wal', mode: 'batch', batchSize: 64, commitsPerSec: 40000, commitP50Us: 20, commitP99Us: 4000, exposureMaxCommits: 63, exposureMaxMs: 6 },
    { engine: 'wal', mode: 'sync', commitsPerSec: 2600, commitP50Us: 3000, commitP99Us: 8500, exposureMaxCommits: 0, exposureMaxMs: 0 },
  ]);
  // 1 writer per writer; then 8 writers on one log: sync, batch 64 acked on write, delay 100 µs.
  const keys = [
    { writers: 1 },
    { writers: 8, share: 'log' },
    { writers: 8, share: 'log' },
    { writers: 8, share: 'log', mode: 'delay', commitDelayUs: 100, commitSiblings: 5 },
  ];
  wide.cases.forEach((c, i) => {
    c.key = { ...c.key, ...keys[i] } as typeof c.key;
    c.id = `case-${i}`;
  });
  const t = analyzeSweep({ report: wide, engine: 'wal', budget: { kind: 'ms', ms: 1 }, crash: 'not-requested' });
  assert.deepEqual(
    t.points.map((p) => [p.label, p.writers, p.share, p.withinBudget]),
    [
      ['sync, 1 writer, each its own', 1, 'none', true],
      ['sync, 8 writers on one log', 8, 'log', true],
      ['batch 64, 8 writers on one log', 8, 'log', false],
      ['delay 100 µs (siblings 5), 8 writers on one log', 8, 'log', true],
    ],
  );
  assert.equal(t.recommendation?.label, 'delay 100 µs (siblings 5), 8 writers on one log');
  assert.match(t.verdict, /^Recommended: delay 100 µs \(siblings 5\), 8 writers on one log: 2,600 commits\/s/);
  const noBudget = analyzeSweep({ report: wide, engine: 'wal', budget: null, crash: 'not-requested' });
  assert.match(noBudget.verdict, /the Pareto front \(throughput, commit p99 and exposure p99.9 together\) is .*batch 64, 8 writers on one log/);
});
