import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { compareSides, judge, sidesFromFilesystems, sidesFromHosts, sidesFromReports, sidesFromTargets, type Comparison } from '../../analysis/compare.js';
import { uniqueLabels } from '../../analysis/lineup.js';
import { metricValue } from '../../analysis/metric-value.js';
import { findMetric } from '../../model/metrics.js';
import { readReport } from '../../reports/read.js';
import { render } from '../../reports/formats.js';
import { UsageError } from '../../model/errors.js';
import type { RunReport } from '../../model/run-report.js';
import { fixtureDir } from '../helpers/fixtures.js';
import { report as buildReport } from '../helpers/report-builder.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);
const loaded = (...names: string[]) => names.map((n) => ({ file: fx(n), report: readReport(fx(n)) }));
const load = (...names: string[]) => sidesFromReports(loaded(...names));
const OPTS = { alpha: 0.05, minEffect: 0.01 };

function cell(c: Comparison, key: string, metric: string, side = 1) {
  const cc = c.cases.find((x) => x.key === key)!;
  return cc.metrics.find((m) => m.metric.id === metric)!.cells[side]!;
}
const verdict = (c: Comparison, key: string, metric: string, side = 1): string => cell(c, key, metric, side).verdict;

const WAL = 'wal/sync/w1/v128/unique/t0';

test('without repeats no significance is given — not a silent ±5 % — and the ratio is still shown', () => {
  const c = compareSides(load('baseline', 'regression', 'improvement', 'noise'), OPTS);
  for (const side of [1, 2, 3]) {
    for (const m of ['commit_p99_ns', 'commits_per_sec']) {
      const x = cell(c, WAL, m, side);
      assert.equal(x.verdict, 'unknown');
      assert.match(x.reason, /^no significance without repeats: baseline and .* ran once/);
    }
  }
  assert.equal(cell(c, WAL, 'commit_p99_ns', 1).ratio!.toFixed(2), '1.30');
  const text = render('compare', 'console', c);
  assert.match(text, /1\.30× no significance/);
  assert.doesNotMatch(text, /WORSE|±5/);
});

test('with repeats on both sides: a rank test decides; overlapping repeats are within noise, separated ones a change', () => {
  const noisy = compareSides(load('repeats-base', 'repeats-noise'), OPTS);
  const n = cell(noisy, WAL, 'commit_p99_ns');
  assert.ok(n.ratio! > 1.05, 'the median moved by more than 5 %');
  assert.equal(n.verdict, 'noise');
  assert.equal(n.test!.n1, 5);
  assert.ok(n.test!.p >= 0.05);
  const worse = compareSides(load('repeats-base', 'repeats-worse'), OPTS);
  const w = cell(worse, WAL, 'commit_p99_ns');
  assert.equal(w.verdict, 'worse');
  // 5 against 5 fully separated: the exact two-sided p is 2 / C(10, 5).
  assert.ok(Math.abs(w.test!.p - 2 / 252) < 1e-12);
  assert.match(w.reason, /^worse: p = 0\.0079 \(Mann–Whitney, 5 vs 5 repeats\)/);
  assert.match(render('compare', 'console', worse), /WORSE \(p 0\.0079\)/);
});

test('when only one side has repeats, that side keeps its own statistic, and no significance is claimed', () => {
  const c = compareSides(load('repeats-base', 'regression'), OPTS);
  const x = cell(c, WAL, 'commit_p99_ns');
  assert.equal(x.verdict, 'unknown');
  assert.match(x.reason, /regression ran once/);
  const base = cell(c, WAL, 'commit_p99_ns', 0);
  assert.equal(base.statistic.kind, 'median-of-repeats');
});

test('too few repeats for the test: no significance, with the smallest p the design allows', () => {
  const m = findMetric('commit_p99_ns')!;
  const v = (values: number[]) => ({ value: [...values].sort((a, b) => a - b)[values.length >> 1]!, statistic: { kind: 'median-of-repeats' as const, repeats: values.length, values, ciLow: null, ciHigh: null, ciCoverage: null, ciReason: 'x' } });
  const x = judge(m, v([1, 2, 3]), v([10, 20, 30]), OPTS, { base: 'a', other: 'b' });
  assert.equal(x.verdict, 'unknown');
  assert.match(x.reason, /with 3 vs 3 repeats no result can reach p < 0\.05 \(the smallest possible p is 0\.1\)/);
  // Significant (p = 0.008), but the medians differ by 0.5 %: below the minimum effect, so noise.
  const tiny = judge(m, v([1000, 1001, 1002, 1003, 1004]), v([1005, 1006, 1007, 1008, 1009]), OPTS, { base: 'a', other: 'b' });
  assert.equal(tiny.verdict, 'noise');
  assert.match(tiny.reason, /below the 1 % minimum effect/);
  assert.equal(judge(m, v([1000, 1001, 1002, 1003, 1004]), v([1005, 1006, 1007, 1008, 1009]), { alpha: 0.05, minEffect: 0 }, { base: 'a', other: 'b' }).verdict, 'worse');
});

test('a case missing from one report is listed as missing', () => {
  const c = compareSides(load('baseline', 'missing'), OPTS);
  assert.deepEqual(c.missing, [{ key: 'wal/batch-16/w1/v128/unique/t0', missingFrom: ['missing'] }]);
  assert.equal(verdict(c, 'wal/batch-16/w1/v128/unique/t0', 'commit_p99_ns'), 'missing');
  assert.match(render('compare', 'md', c), /`wal\/batch-16\/w1\/v128\/unique\/t0` is not in missing/);
});

test('reports with no case in common are a usage error', () => {
  assert.throws(() => compareSides(load('baseline', 'other-suite'), OPTS), (e: Error) => e instanceof UsageError && /no completed case in common/.test(e.message));
});

test('--by target lines up the targets of one report', () => {
  const c = compareSides(sidesFromTargets(readReport(fx('two-targets'))), { ...OPTS, by: 'target' });
  assert.deepEqual(c.sides.map((s) => s.label), ['/mnt/ext4 (ext4)', '/mnt/xfs (xfs)']);
  assert.equal(c.cases.length, 1);
  assert.equal(verdict(c, 'raw/sync/w1/v128/unique', 'commit_p99_ns'), 'unknown');
  assert.throws(() => sidesFromTargets(readReport(fx('baseline'))), UsageError);
});

test('--by fs lines up the filesystems of a run --fs report (its specs), --by host the hosts', () => {
  const r = readReport(fx('two-targets'));
  const onImages: RunReport = {
    ...r,
    suite: {
      ...r.suite,
      filesystems: [
        { spec: 'ext4:data=journal', fs: 'ext4', mountOptions: 'data=journal', imageMib: 4096, dir: '/disk', target: '/mnt/ext4' },
        { spec: 'xfs', fs: 'xfs', mountOptions: null, imageMib: 4096, dir: '/disk', target: '/mnt/xfs' },
      ],
    },
  };
  const byFs = compareSides(sidesFromFilesystems([{ file: 'r.json', report: onImages }]), { ...OPTS, by: 'fs' });
  assert.deepEqual(byFs.sides.map((s) => s.label), ['ext4:data=journal', 'xfs']);
  assert.deepEqual(byFs.cases.map((c) => c.key), ['raw/sync/w1/v128/unique']);
  // Plain targets are named by their filesystem type.
  assert.deepEqual(sidesFromFilesystems([{ file: 'r.json', report: r }]).map((s) => s.label), ['ext4', 'xfs']);
  assert.throws(() => sidesFromFilesystems(loaded('baseline')), /--by fs needs cases on two or more filesystems/);

  const hosts = sidesFromHosts(loaded('baseline', 'regression'));
  assert.deepEqual(hosts.map((s) => s.label), ['runner-a (x64, Linux 6.1.0)', 'runner-b (x64, Linux 6.1.0)']);
  assert.throws(() => sidesFromHosts(loaded('regression', 'improvement')), /both have case .* for host runner-b/);
});

test('every cell shows the same statistic as the report: the median of the repeats', () => {
  const c = compareSides(load('repeats-base', 'repeats-worse'), OPTS);
  const rep = readReport(fx('repeats-base'));
  const wal = rep.cases.find((x) => x.id === WAL)!;
  assert.ok(wal.state === 'completed');
  if (wal.state !== 'completed') return;
  assert.equal(cell(c, WAL, 'commit_p99_ns', 0).value, metricValue(wal, findMetric('commit_p99_ns')!).value);
  assert.equal(cell(c, WAL, 'commit_p99_ns', 0).value, wal.repeats!.metrics['commit_p99_ns']!.median);
});

test('CSV has one row per case, metric and side, with the statistic, interval, p-value, verdict and reason', () => {
  const csv = render('compare', 'csv', compareSides(load('repeats-base', 'repeats-worse'), OPTS));
  const lines = csv.trim().split('\n');
  assert.equal(lines[0], 'case,metric,side,value,statistic,repeats,ci_low,ci_high,ratio,p_value,verdict,reason');
  assert.equal(lines.length, 1 + 2 * 6 * 2);
  assert.ok(lines.some((l) => l.startsWith(`${WAL},commit_p99_ns,repeats-worse,`) && l.includes(',median-of-repeats,5,') && /,worse,/.test(l)));
});

test('labels are the shortest distinguishing path', () => {
  assert.deepEqual(uniqueLabels(['a/x/report.json', 'b/x/report.json']), ['a/x/report', 'b/x/report']);
  assert.deepEqual(uniqueLabels(['nvme.json', 'sata.json']), ['nvme', 'sata']);
});

test('a skewed two-repeat case gives no interval anywhere, and compare does not pretend', () => {
  const two = buildReport('h', [{ engine: 'raw', mode: 'sync', commitsPerSec: 5000, commitP50Us: 190, commitP99Us: 380, syncP50Us: 180, repeatFactors: [1, 0.05] }]);
  const c = two.cases[0]!;
  assert.ok(c.state === 'completed');
  if (c.state !== 'completed') return;
  for (const stat of Object.values(c.repeats!.metrics)) assert.equal(stat.ciLow, undefined);
  const v = metricValue(c, findMetric('commits_per_sec')!);
  assert.equal(v.statistic.kind, 'median-of-repeats');
});
