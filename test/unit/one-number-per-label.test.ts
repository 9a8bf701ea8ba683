/**
 * One number per label: with repeats, every view shows and decides on the median of the repeats,
 * never the percentile of the histograms merged over them. The report below is built so the two
 * differ by 15× (merged commit p99 ≈ 480 µs, median of the repeats' p99s 7.35 ms), which is the size
 * of the disagreement that once put two numbers under one label; any view still reading the merged
 * histogram shows 480 µs and fails here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRule, evaluateGate } from '../../analysis/gate.js';
import { repeatStat } from '../../analysis/repeat-stats.js';
import { formatNs } from '../../model/units.js';
import type { RunReport } from '../../model/run-report.js';
import { toBencher } from '../../reports/export/bencher.js';
import { toGithubActionBenchmark } from '../../reports/export/github-action-benchmark.js';
import { render } from '../../reports/formats.js';
import { report } from '../helpers/report-builder.js';

const P99S = [7.1e6, 7.2e6, 7.3e6, 7.4e6, 7.5e6, 7.6e6];
const MEDIAN = 7.35e6;

function repeated(): RunReport {
  const r = report('runner-a', [{ engine: 'wal', mode: 'sync', commitsPerSec: 4000, commitP50Us: 240, commitP99Us: 480, syncP50Us: 220, syncP99Us: 440, repeatFactors: [1, 1, 1, 1, 1, 1] }]);
  const c = r.cases[0]!;
  assert.ok(c.state === 'completed' && c.repeats);
  if (c.state !== 'completed' || !c.repeats) throw new Error('unreachable');
  c.repeats.metrics['commit_p99_ns'] = repeatStat(P99S);
  // The premise: the merged histogram says something else entirely.
  assert.ok(c.metrics.commitLatency.p99Ns < 600_000, `merged p99 ${c.metrics.commitLatency.p99Ns}`);
  return r;
}

test('with repeats the console, Markdown and CSV case tables show the median of the repeats, named so', () => {
  const r = repeated();
  const shown = formatNs(MEDIAN);
  const merged = formatNs((r.cases[0] as { metrics: { commitLatency: { p99Ns: number } } }).metrics.commitLatency.p99Ns);
  assert.notEqual(shown, merged);
  for (const format of ['console', 'md'] as const) {
    const text = render('run', format, r);
    assert.ok(text.includes(shown), `${format} shows ${shown}`);
    assert.ok(!text.includes(merged), `${format} does not show the merged p99 ${merged}`);
    assert.match(text, /median of 6 repeats/);
  }
  const [header, row] = render('run', 'csv', r).trim().split('\n').map((l) => l.split(','));
  const at = (name: string) => row![header!.indexOf(name)];
  assert.equal(at('statistic'), 'median-of-repeats');
  assert.equal(at('repeats'), '6');
  assert.equal(Number(at('commit_p99_ns')), MEDIAN);
  assert.equal(Number(at('commit_p99_ns_ci_low')), 7.1e6);
  assert.equal(Number(at('commit_p99_ns_ci_high')), 7.6e6);
});

test('gate decides on the number it shows: the median of the repeats', () => {
  const r = repeated();
  const g = evaluateGate({ rules: [compileRule('commit_p99_ns < 5ms')], reports: [{ name: 'r.json', report: r }], baseline: null, alpha: 0.05 });
  // The merged p99 (≈ 480 µs) would pass; the median of the repeats (7.35 ms) breaks the rule.
  assert.equal(g.checks.length, 1);
  assert.equal(g.checks[0]!.status, 'fail');
  assert.equal(g.checks[0]!.value, formatNs(MEDIAN));
  assert.match(g.checks[0]!.statistic, /median of 6 repeats/);
});

test('the CI exports carry the same median and its interval', () => {
  const r = repeated();
  const gab = toGithubActionBenchmark(r).customSmallerIsBetter.find((e) => e.name === 'wal/sync/w1/v128/unique commit p99')!;
  assert.equal(gab.value, MEDIAN);
  assert.match(gab.extra!, /^median of 6 repeats/);
  const bmf = toBencher(r)['wal/sync/w1/v128/unique']!['commit-p99']!;
  assert.deepEqual([bmf.lower_value, bmf.value, bmf.upper_value], [7.1e6, MEDIAN, 7.6e6]);
});
