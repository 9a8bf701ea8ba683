import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { bencherMeasure, toBencher } from '../../reports/export/bencher.js';
import { toGithubActionBenchmark, type GabEntry } from '../../reports/export/github-action-benchmark.js';
import { HEADLINE_METRICS } from '../../model/metrics.js';
import { readReport } from '../../reports/read.js';
import { fixtureDir } from '../helpers/fixtures.js';

const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);

/** github-action-benchmark's custom tools: an array of { name: string, unit: string, value: number, range?: string, extra?: string }. */
function assertGabShape(entries: unknown): asserts entries is GabEntry[] {
  assert.ok(Array.isArray(entries));
  for (const e of entries as Record<string, unknown>[]) {
    assert.equal(typeof e['name'], 'string');
    assert.equal(typeof e['unit'], 'string');
    assert.equal(typeof e['value'], 'number');
    assert.ok(Number.isFinite(e['value']));
    if ('range' in e) assert.equal(typeof e['range'], 'string');
    if ('extra' in e) assert.equal(typeof e['extra'], 'string');
    for (const k of Object.keys(e)) assert.ok(['name', 'unit', 'value', 'range', 'extra'].includes(k), `unexpected key ${k}`);
  }
}

/** Bencher's BMF JSON schema: object → object → { value: number (required), lower_value?, upper_value? }. */
function assertBmfShape(bmf: unknown): void {
  assert.equal(typeof bmf, 'object');
  assert.ok(bmf !== null && !Array.isArray(bmf));
  for (const [bench, measures] of Object.entries(bmf as Record<string, unknown>)) {
    assert.ok(bench.length > 0 && bench.length <= 1024);
    assert.equal(typeof measures, 'object');
    for (const [measure, metric] of Object.entries(measures as Record<string, Record<string, unknown>>)) {
      assert.ok(measure.length > 0 && measure.length <= 64);
      assert.equal(typeof metric['value'], 'number');
      for (const k of Object.keys(metric)) assert.ok(['value', 'lower_value', 'upper_value'].includes(k), `unexpected key ${k}`);
      if ('lower_value' in metric) assert.ok((metric['lower_value'] as number) <= (metric['upper_value'] as number));
    }
  }
}

test('github-action-benchmark: latencies smaller-is-better, throughput bigger-is-better, valid shape', () => {
  const out = toGithubActionBenchmark([{ report: readReport(fx('baseline')) }]);
  const round = JSON.parse(JSON.stringify(out)) as typeof out;
  assertGabShape(round.customSmallerIsBetter);
  assertGabShape(round.customBiggerIsBetter);
  assert.equal(round.customBiggerIsBetter.length, 3);
  assert.ok(round.customBiggerIsBetter.every((e) => e.unit === 'commits/s'));
  assert.ok(round.customSmallerIsBetter.every((e) => e.unit === 'ns'));
  const p99 = round.customSmallerIsBetter.find((e) => e.name === 'wal/sync/w1/v128/unique/t0 commit p99')!;
  assert.ok(Math.abs(p99.value - 480_000) / 480_000 < 0.002);
  assert.equal(p99.range, undefined);
});

test('github-action-benchmark: repeats give a range', () => {
  const out = toGithubActionBenchmark([{ report: readReport(fx('repeats-base')), prefix: 'runner-a' }]);
  assertGabShape(out.customSmallerIsBetter);
  const e = out.customSmallerIsBetter.find((x) => x.name === 'runner-a/wal/sync/w1/v128/unique/t0 commit p99')!;
  assert.match(e.range!, /^± \d/);
  assert.match(e.extra!, /median of 5 repeats/);
});

test('Bencher BMF: one benchmark per case, throughput and latency measures, bounds from repeats', () => {
  const bmf = JSON.parse(JSON.stringify(toBencher([{ report: readReport(fx('repeats-base')) }]))) as Record<string, Record<string, Record<string, number>>>;
  assertBmfShape(bmf);
  assert.deepEqual(Object.keys(bmf), ['raw/sync/w1/v128/unique/t0', 'wal/sync/w1/v128/unique/t0']);
  const wal = bmf['wal/sync/w1/v128/unique/t0']!;
  assert.deepEqual(Object.keys(wal).sort(), ['commit-p50', 'commit-p99', 'commit-p99-9', 'sync-p50', 'sync-p99', 'throughput']);
  assert.ok(wal['commit-p99']!['lower_value']! < wal['commit-p99']!['value']!);
  assert.equal(bmf['raw/sync/w1/v128/unique/t0']!['throughput']!['lower_value'], undefined);
  assert.deepEqual(HEADLINE_METRICS.map(bencherMeasure), ['throughput', 'commit-p50', 'commit-p99', 'commit-p99-9', 'sync-p50', 'sync-p99']);
});
