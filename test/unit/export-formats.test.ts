import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { bencherMeasure, toBencher } from '../../reports/export/bencher.js';
import { toGithubActionBenchmark, type GabEntry } from '../../reports/export/github-action-benchmark.js';
import { benchmarkName, testbedOf } from '../../reports/export/names.js';
import { HEADLINE_METRICS } from '../../model/metrics.js';
import type { RunReport } from '../../model/run-report.js';
import { readReport } from '../../reports/read.js';
import { fixtureDir } from '../helpers/fixtures.js';
import { report } from '../helpers/report-builder.js';
import { assertBmf, githubActionBenchmarkAccepts } from '../helpers/ci-formats.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);

test('github-action-benchmark: latencies smaller-is-better, throughput bigger-is-better, accepted by the action', () => {
  const out = toGithubActionBenchmark(readReport(fx('baseline')));
  const smaller = githubActionBenchmarkAccepts(JSON.stringify(out.customSmallerIsBetter));
  const bigger = githubActionBenchmarkAccepts(JSON.stringify(out.customBiggerIsBetter));
  assert.equal(bigger.length, 3);
  assert.ok(bigger.every((e) => e.unit === 'commits/s'));
  assert.ok(smaller.every((e) => e.unit === 'ns'));
  const p99 = smaller.find((e) => e.name === 'wal/sync/w1/v128/unique commit p99')!;
  assert.ok(Math.abs(p99.value - 480_000) / 480_000 < 0.002);
  assert.equal(p99.range, undefined);
  assert.match(p99.extra!, /^one run; host runner-a/);
});

test('github-action-benchmark: an empty result is an error, never []', () => {
  const r = readReport(fx('baseline'));
  const none: RunReport = { ...r, cases: r.cases.map((c) => ({ id: c.id, key: c.key, params: c.params, startedAt: c.startedAt, finishedAt: c.finishedAt, state: 'skipped' as const, reason: 'x' })) };
  assert.throws(() => toGithubActionBenchmark(none, 'empty.json'), /empty\.json has no completed case to export \(github-action-benchmark rejects an empty result\)/);
  assert.throws(() => githubActionBenchmarkAccepts('[]'), /No benchmark result was found/);
  assert.throws(() => toBencher(none, 'empty.json'), /empty\.json has no completed case/);
});

test('benchmark names are stable: no runner, host or path; the target only when a report has several', () => {
  const a = toGithubActionBenchmark(readReport(fx('baseline')));
  const b = toGithubActionBenchmark(readReport(fx('slow-runner')));
  assert.deepEqual(a.customSmallerIsBetter.map((e) => e.name), b.customSmallerIsBetter.map((e) => e.name));
  for (const e of [...a.customSmallerIsBetter, ...a.customBiggerIsBetter]) assert.doesNotMatch(e.name, /runner|\/data|report/);
  const two = readReport(fx('two-targets'));
  assert.deepEqual(two.cases.map((c) => (c.state === 'completed' ? benchmarkName(two, c) : '')), ['raw/sync/w1/v128/unique/t0', 'raw/sync/w1/v128/unique/t1']);
  const onImages: RunReport = {
    ...two,
    suite: {
      ...two.suite,
      filesystems: [
        { spec: 'ext4', fs: 'ext4', mountOptions: null, imageMib: 4096, dir: '/disk', target: '/mnt/ext4' },
        { spec: 'xfs:logbsize=256k', fs: 'xfs', mountOptions: 'logbsize=256k', imageMib: 4096, dir: '/disk', target: '/mnt/xfs' },
      ],
    },
  };
  assert.deepEqual(onImages.cases.map((c) => (c.state === 'completed' ? benchmarkName(onImages, c) : '')), ['raw/sync/w1/v128/unique/ext4', 'raw/sync/w1/v128/unique/xfs:logbsize=256k']);
  assert.equal(testbedOf({ ...two.host, hostname: 'Runner_A.example' }), 'runner-a-example');
});

test('github-action-benchmark and Bencher: bounds only from a valid interval (6 repeats), not from 5', () => {
  const five = readReport(fx('repeats-base'));
  const e5 = toGithubActionBenchmark(five).customSmallerIsBetter.find((x) => x.name === 'wal/sync/w1/v128/unique commit p99')!;
  assert.equal(e5.range, undefined);
  assert.match(e5.extra!, /^median of 5 repeats/);
  const b5 = toBencher(five)['wal/sync/w1/v128/unique']!;
  assert.equal(b5['commit-p99']!.lower_value, undefined);

  const six = report('runner-a', [{ engine: 'wal', mode: 'sync', commitsPerSec: 4000, commitP50Us: 240, commitP99Us: 480, syncP50Us: 220, syncP99Us: 440, repeatFactors: [1, 0.9, 1.1, 0.95, 1.05, 1.02] }]);
  const e6: GabEntry = toGithubActionBenchmark(six).customSmallerIsBetter.find((x) => x.name === 'wal/sync/w1/v128/unique commit p99')!;
  assert.match(e6.range!, /^95 % CI \d/);
  const bmf = toBencher(six);
  assertBmf(JSON.parse(JSON.stringify(bmf)));
  const p99 = bmf['wal/sync/w1/v128/unique']!['commit-p99']!;
  const c = six.cases[0]!;
  assert.ok(c.state === 'completed');
  if (c.state !== 'completed') return;
  const stat = c.repeats!.metrics['commit_p99_ns']!;
  assert.deepEqual([p99.lower_value, p99.value, p99.upper_value], [stat.ciLow, stat.median, stat.ciHigh]);
  assert.ok(p99.lower_value! > 0);
});

test('Bencher BMF: one benchmark per case, throughput and latency measures', () => {
  const bmf = JSON.parse(JSON.stringify(toBencher(readReport(fx('baseline'))))) as Record<string, Record<string, Record<string, number>>>;
  assertBmf(bmf);
  assert.deepEqual(Object.keys(bmf), ['raw/sync/w1/v128/unique', 'wal/sync/w1/v128/unique', 'wal/batch-16/w1/v128/unique']);
  assert.deepEqual(Object.keys(bmf['wal/sync/w1/v128/unique']!).sort(), ['commit-p50', 'commit-p99', 'commit-p99-9', 'sync-p50', 'sync-p99', 'throughput']);
  assert.deepEqual(HEADLINE_METRICS.map(bencherMeasure), ['throughput', 'commit-p50', 'commit-p99', 'commit-p99-9', 'sync-p50', 'sync-p99']);
});
