import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { compareSides, sidesFromReports, sidesFromTargets, uniqueLabels, type Comparison } from '../../analysis/compare.js';
import { readReport } from '../../reports/read.js';
import { render } from '../../reports/formats.js';
import { UsageError } from '../../model/errors.js';
import { fixtureDir } from '../helpers/fixtures.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);
const load = (...names: string[]) => sidesFromReports(names.map((n) => ({ file: fx(n), report: readReport(fx(n)) })));

function verdict(c: Comparison, key: string, metric: string, side = 1): string {
  const cc = c.cases.find((x) => x.key === key)!;
  return cc.metrics.find((m) => m.metric.id === metric)!.cells[side]!.verdict;
}

const WAL = 'wal/sync/w1/v128/unique/t0';

test('a regression is worse, an improvement better, a small change inside the default noise', () => {
  const c = compareSides(load('baseline', 'regression', 'improvement', 'noise'));
  assert.equal(verdict(c, WAL, 'commit_p99_ns', 1), 'worse');
  assert.equal(verdict(c, WAL, 'commits_per_sec', 1), 'worse');
  assert.equal(verdict(c, WAL, 'commit_p99_ns', 2), 'better');
  assert.equal(verdict(c, WAL, 'commits_per_sec', 2), 'better');
  assert.equal(verdict(c, WAL, 'commit_p99_ns', 3), 'noise');
  assert.equal(verdict(c, WAL, 'commits_per_sec', 3), 'noise');
  const cell = c.cases.find((x) => x.key === WAL)!.metrics.find((m) => m.metric.id === 'commit_p99_ns')!.cells[1]!;
  assert.equal(cell.ratio!.toFixed(2), '1.30');
  assert.equal(cell.allowanceFrom, 'default');
  assert.equal(verdict(c, 'raw/sync/w1/v128/unique/t0', 'commit_p99_ns', 1), 'noise');
});

test('--noise widens the allowance: a 30 % change inside ±40 % is noise', () => {
  const c = compareSides(load('baseline', 'regression'), { noise: 0.4 });
  assert.equal(verdict(c, WAL, 'commit_p99_ns'), 'noise');
});

test('with repeats on both sides, overlapping intervals are noise and separated ones a change', () => {
  const noisy = compareSides(load('repeats-base', 'repeats-noise'));
  const cell = noisy.cases.find((x) => x.key === WAL)!.metrics.find((m) => m.metric.id === 'commit_p99_ns')!.cells[1]!;
  assert.ok(cell.ratio! > 1.05, 'the median moved by more than the default allowance');
  assert.equal(cell.verdict, 'noise');
  assert.equal(cell.allowanceFrom, 'repeats');
  assert.equal(verdict(compareSides(load('repeats-base', 'repeats-worse')), WAL, 'commit_p99_ns'), 'worse');
});

test('a case missing from one report is listed as missing', () => {
  const c = compareSides(load('baseline', 'missing'));
  assert.deepEqual(c.missing, [{ key: 'wal/batch-16/w1/v128/unique/t0', missingFrom: ['missing'] }]);
  assert.equal(verdict(c, 'wal/batch-16/w1/v128/unique/t0', 'commit_p99_ns'), 'missing');
  assert.match(render('compare', 'md', c), /`wal\/batch-16\/w1\/v128\/unique\/t0` is not in missing/);
});

test('reports with no case in common are a usage error', () => {
  assert.throws(() => compareSides(load('baseline', 'other-suite')), (e: Error) => e instanceof UsageError && /no completed case in common/.test(e.message));
});

test('--by target lines up the targets of one report', () => {
  const c = compareSides(sidesFromTargets(readReport(fx('two-targets'))), { by: 'target' });
  assert.deepEqual(c.sides.map((s) => s.label), ['/mnt/ext4 (ext4)', '/mnt/xfs (xfs)']);
  assert.equal(c.cases.length, 1);
  assert.equal(verdict(c, 'raw/sync/w1/v128/unique', 'commit_p99_ns'), 'better');
  assert.throws(() => sidesFromTargets(readReport(fx('baseline'))), UsageError);
});

test('CSV has one row per case, metric and side', () => {
  const csv = render('compare', 'csv', compareSides(load('baseline', 'regression')));
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'case,metric,side,value,ci_low,ci_high,ratio,noise_allowance,verdict');
  assert.equal(lines.length, 1 + 3 * 6 * 2);
  assert.ok(lines.some((l) => l.startsWith(`${WAL},commit_p99_ns,regression,`) && l.endsWith(',worse')));
});

test('labels are the shortest distinguishing path', () => {
  assert.deepEqual(uniqueLabels(['a/x/report.json', 'b/x/report.json']), ['a/x/report', 'b/x/report']);
  assert.deepEqual(uniqueLabels(['nvme.json', 'sata.json']), ['nvme', 'sata']);
});
