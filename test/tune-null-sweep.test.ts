import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeSweep, paretoFront } from '../analysis/tune.js';
import { type RunReport } from '../model/run-report.js';
import { report } from './helpers/report-builder.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const sweep = report('h', [
  { engine: 'wal', mode: 'batch', batchSize: 1, commitsPerSec: 4000, commitP50Us: 200, commitP99Us: 400, exposureMaxCommits: 0, exposureMaxMs: 0 },
  { engine: 'wal', mode: 'batch', batchSize: 8, commitsPerSec: 20000, commitP50Us: 30, commitP99Us: 450, exposureMaxCommits: 7, exposureMaxMs: 2 },
  { engine: 'wal', mode: 'batch', batchSize: 64, commitsPerSec: 60000, commitP50Us: 10, commitP99Us: 500, exposureMaxCommits: 63, exposureMaxMs: 8 },
  // Dominated: less throughput, worse p99 and more exposure than batch 64.
  { engine: 'wal', mode: 'batch', batchSize: 128, commitsPerSec: 50000, commitP50Us: 10, commitP99Us: 900, exposureMaxCommits: 127, exposureMaxMs: 16 },
]);

test('Pareto front: a setting beaten on every axis is off the front', () => {
  const t = analyzeSweep({ report: sweep, engine: 'wal', budget: null, crash: 'not-requested' });
  assert.deepEqual(t.points.map((p) => [p.batchSize, p.pareto]), [[1, true], [8, true], [64, true], [128, false]]);
  assert.equal(t.recommendation, null);
  assert.match(t.verdict, /No loss budget given: the Pareto front is batch size 1, 8, 64/);
  assert.deepEqual([...paretoFront([{ commitsPerSec: 1, commitP99Ns: 1, exposure: 1 }, { commitsPerSec: 1, commitP99Ns: 1, exposure: 1 }])], [0, 1]);
});

test('the highest throughput inside the budget wins; the budget is checked on declared exposure', () => {
  const ms = analyzeSweep({ report: sweep, engine: 'wal', budget: { kind: 'ms', ms: 5 }, crash: 'not-requested' });
  assert.equal(ms.recommendation?.batchSize, 8);
  assert.deepEqual(ms.points.map((p) => p.withinBudget), [true, true, false, false]);
  assert.match(ms.points[2]!.budgetReason!, /declared exposure up to 8.00 ms > 5 ms/);
  const commits = analyzeSweep({ report: sweep, engine: 'wal', budget: { kind: 'commits', commits: 100 }, crash: 'not-requested' });
  assert.equal(commits.recommendation?.batchSize, 64);
});

test('measured loss over the budget rules a setting out even when its declared exposure fits', () => {
  const withLoss: RunReport = structuredClone(sweep);
  const b8 = withLoss.cases[1]!;
  if (b8.state === 'completed') b8.crash = { setting: { kind: 'kill', filesystem: null, mountOptions: null, crashAt: 'random', writeback: 'none' }, trials: [], trialsWithLoss: 1, trialsErrored: 0, lostMax: 40, lostP50: 40, lostP99: 40, lossWindowMsMax: 9, lossWindowMsP99: 9, corruptTotal: 0, verdict: 'durability-bug', verdictReason: 'x', lossBoundCommits: 7, labNsP50: 0, labNsMax: 0 };
  const t = analyzeSweep({ report: withLoss, engine: 'wal', budget: { kind: 'ms', ms: 5 }, crash: 'measured' });
  assert.equal(t.recommendation?.batchSize, 1);
  assert.match(t.points[1]!.budgetReason!, /measured loss window 9 ms > 5 ms/);
});

test('when nothing fits, it says so plainly', () => {
  const t = analyzeSweep({ report: sweep, engine: 'wal', budget: { kind: 'commits', commits: 0 }, crash: 'not-requested' });
  assert.equal(t.recommendation?.batchSize, 1);
  const noSmall: RunReport = { ...sweep, cases: sweep.cases.slice(2) };
  const none = analyzeSweep({ report: noSmall, engine: 'wal', budget: { kind: 'commits', commits: 10 }, crash: 'not-requested' });
  assert.equal(none.recommendation, null);
  assert.match(none.verdict, /^No setting fits the loss budget of 10 commits: the smallest, batch size 64, has declared exposure up to 63 commits > 10/);
});

test('tune on a null-engine sweep recommends the largest batch whose exposure fits (end to end)', async () => {
  const out = tempDir('tune');
  const r = await runCli(['tune', '--engine', 'null', '--batch-sizes', '1,4,16,64', '--null-sync-us', '200', '--duration', '0.2', '--warmup', '0', '--loss-budget-commits', '20', '--out', out, '--quiet', '--dir', out]);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  const t = rep.tune!;
  // Declared exposure of batch size B on the null engine is exactly B − 1 acked-unsynced commits.
  assert.deepEqual(t.points.map((p) => [p.batchSize, p.exposureMaxCommits, p.withinBudget]), [[1, 0, true], [4, 3, true], [16, 15, true], [64, 63, false]]);
  assert.equal(t.recommendation?.batchSize, 16);
  assert.match(r.stdout, /Recommended: batch size 16/);
  assert.ok(fs.readFileSync(path.join(out, 'report.html'), 'utf8').includes('Batch sweep'));

  const none = await runCli(['tune', '--engine', 'null', '--batch-sizes', '32,64', '--duration', '0.1', '--warmup', '0', '--loss-budget-commits', '10', '--out', out, '--quiet', '--dir', out]);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /No setting fits the loss budget of 10 commits/);
});

test('tune: bad budgets are usage errors', async () => {
  const both = await runCli(['tune', '--engine', 'null', '--loss-budget-ms', '5', '--loss-budget-commits', '3']);
  assert.equal(both.code, 2);
  assert.equal(both.stderr.trim().split('\n').length, 1);
  const neg = await runCli(['tune', '--engine', 'null', '--loss-budget-ms', '-1']);
  assert.equal(neg.code, 2);
  assert.match(neg.stderr, /--loss-budget-ms must be a number from 0 to 86400000, got '-1'/);
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
  assert.match(noBudget.verdict, /the Pareto front is .*batch 64, 8 writers on one log/);
});
