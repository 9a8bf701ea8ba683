/**
 * The ECharts parts the build bundles (reports/render/echarts-parts.ts → dist/vendor/echarts.cjs)
 * draw exactly what the whole package draws: every chart kind, and the HTML of fixture reports of
 * every kind with charts, rendered both ways, must be the same SVG text. A chart option that needed
 * a part missing from the list would be drawn without it, and differ here.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { compareSides, sidesFromReports } from '../../analysis/compare.js';
import { render } from '../../reports/formats.js';
import { readReportOf } from '../../reports/read.js';
import {
  curveChart,
  echartsBuild,
  logBarChart,
  lossChart,
  projectionChart,
  ratioChart,
  timelineChart,
  withWholePackage,
} from '../../reports/render/charts.js';
import { fixture } from '../helpers/fixtures.js';
import { repoRoot } from '../helpers/tmp.js';
import type { RunReport } from '../../model/run-report.js';

function same(what: string, draw: () => string): void {
  const parts = draw();
  const whole = withWholePackage(draw);
  assert.match(parts, /<svg|<main>/, `${what}: something was drawn`);
  assert.equal(parts, whole, `${what}: the parts draw what the whole package draws`);
}

test('compiled code draws with the bundled parts', () => {
  assert.equal(echartsBuild(), 'parts');
});

test('every chart kind: the same SVG with the parts as with the whole package', () => {
  const fmt = (v: number): string => v.toPrecision(3);
  same('timeline', () =>
    timelineChart({
      points: [0, 1, 2, 3].map((i) => ({
        startS: i * 0.25,
        lengthS: 0.25,
        commits: 100 + i,
        p50Ns: 2e5 + i * 1e4,
        p99Ns: 9e5,
        maxNs: 3e6,
        syncP99Ns: i === 2 ? null : 8e5,
      })),
      durationS: 1,
      phases: [
        { phase: 'flush', startS: 0.3, endS: 0.35 },
        { phase: 'compaction', startS: 0.6, endS: 0.9 },
      ],
    }),
  );
  same('ratio', () =>
    ratioChart(
      [
        { label: 'wal/sync', sides: [{ side: 'b', ratio: 0.8, low: 0.75, high: 0.86, verdict: 'worse' }] },
        { label: 'raw/sync', sides: [{ side: 'b', ratio: 1.01, low: 0.97, high: 1.05, verdict: 'noise' }] },
        { label: 'lsm/sync', sides: [{ side: 'b', ratio: null, low: null, high: null, verdict: 'other' }] },
      ],
      0.05,
    ),
  );
  same('projection', () =>
    projectionChart(
      [1, 4, 16, 64].map((b, i) => ({
        label: `batch ${b}`,
        x: b * 0.2,
        y: 1000 * b,
        front: i !== 1,
        withinBudget: b < 30,
        recommended: b === 16,
      })),
      { name: 'exposure', format: fmt, zeroColumn: true },
      { name: 'commits/s', format: fmt },
      5,
    ),
  );
  same('log bars', () =>
    logBarChart(
      ['fdatasync', 'fsync', 'open_dsync'],
      [
        { name: 'ops/s', values: [8000, 7000, null] },
        { name: 'other', values: [900, 120, 40] },
      ],
      'ops/s',
      fmt,
    ),
  );
  same('loss', () =>
    lossChart([
      {
        label: 'wal/batch-16',
        states: [
          { lost: 0, broken: false },
          { lost: 7, broken: false },
          { lost: 15, broken: false },
        ],
        bound: 15,
      },
      { label: 'wal/none', states: [{ lost: 300, broken: true }], bound: null },
    ]),
  );
  same('curve (ns)', () =>
    curveChart(
      'commit p99',
      [
        {
          name: 'wal',
          points: [
            [1, 2e5],
            [2, 2.5e5],
            [4, 4e5],
          ],
        },
        {
          name: 'lsm',
          points: [
            [1, 3e5],
            [2, 3.5e5],
            [4, 6e5],
          ],
        },
      ],
      'ns',
    ),
  );
  same('curve (rate)', () =>
    curveChart(
      'commits/s',
      [
        {
          name: 'wal',
          points: [
            [1, 4000],
            [2, 7000],
            [4, 9000],
          ],
        },
      ],
      'rate',
    ),
  );
});

test('fixture reports of every kind: the same HTML with the parts as with the whole package', () => {
  same('run', () => render('run', 'html', fixture<RunReport>('baseline.json')));
  same('run with repeats', () => render('run', 'html', fixture<RunReport>('repeats-base.json')));
  same('compare', () =>
    render(
      'compare',
      'html',
      compareSides(sidesFromReports(['repeats-base.json', 'repeats-worse.json'].map((n) => ({ file: n, report: fixture<RunReport>(n) }))), {
        alpha: 0.05,
        minEffect: 0.01,
      }),
    ),
  );
  same('crash', () => render('crash', 'html', readReportOf(path.join(repoRoot, 'test', 'fixtures', 'v2', 'crash.json'), ['crash'])));
  same('probe', () => render('probe', 'html', readReportOf(path.join(repoRoot, 'test', 'fixtures', 'v1', 'probe.json'), ['probe'])));
});
