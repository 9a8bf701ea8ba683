/**
 * The pieces of the report layout that need no browser: values kept together with non-breaking
 * spaces, numeric columns and identifiers in tables, tabs without script, the summary in every back
 * end, label placement that never overlaps, phase shading, the compare ratio interval, the
 * percentile axis labels, and the charts' drawn series on fixture reports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSides, sidesFromReports } from '../../analysis/compare.js';
import { htmlTable, keepTogether, renderHtml } from '../../reports/document/html.js';
import { renderMarkdown } from '../../reports/document/markdown.js';
import { fact, summary, tabs, paragraph, table } from '../../reports/document/model.js';
import { renderText } from '../../reports/document/text.js';
import { render } from '../../reports/formats.js';
import { percentileLabel, placeLabels, shadeSpans, textWidth } from '../../reports/render/charts.js';
import { ratioInterval } from '../../reports/render/compare.js';
import { fixture } from '../helpers/fixtures.js';
import type { RunReport } from '../../model/run-report.js';

const NBSP = '\u00a0';

test('values keep their units and symbols on their line', () => {
  assert.equal(keepTogether('3.95 ms'), `3.95${NBSP}ms`);
  assert.equal(keepTogether('≤ 15 commits, p99 3.95 ms'), `≤${NBSP}15${NBSP}commits, p99${NBSP}3.95${NBSP}ms`);
  assert.equal(keepTogether('12,345 commits/s and 1.02× ±5 %'), `12,345${NBSP}commits/s and 1.02× ±5${NBSP}%`);
  assert.equal(keepTogether('the sync p50 against'), 'the sync p50 against', 'words stay words');
});

test('tables: numeric columns right-aligned on one line, long ids break only at slashes, keys never wrap', () => {
  const html = htmlTable([
    ['case', 'commits/s', 'exposure'],
    ['wal+flush-no-fsync/batch-32/w1/v128/unique/t0', '12,345', '≤ 15 commits, p99 3.95 ms'],
    ['wal +flush-no-fsync', '—', 'unbounded (215257 acked unsynced)'],
  ]);
  assert.match(html, /^<div class="table-wrap"><table>/);
  assert.match(html, /<th class="num">commits\/s<\/th>/);
  assert.match(html, /<td class="num">12,345<\/td>/);
  assert.match(html, /<td class="id"><span class="nw">wal\+flush-no-fsync<\/span>\/<wbr><span class="nw">batch-32<\/span>/);
  assert.match(html, /<td class="nw">wal \+flush-no-fsync<\/td>/, 'the key column does not wrap');
  assert.match(html, new RegExp(`<td class="prose">≤${NBSP}15${NBSP}commits, p99${NBSP}3.95${NBSP}ms</td>`));
});

test('tabs are radio buttons and CSS (no script); text and Markdown show every tab under its label', () => {
  const doc = { title: 't', blocks: [tabs([{ label: 'by engine', blocks: [paragraph('A')] }, { label: 'by mode', blocks: [paragraph('B')] }])] };
  const html = renderHtml(doc);
  assert.doesNotMatch(html, /<script/);
  assert.match(html, /<input type="radio" name="tabs1" id="tabs1-0" checked><label for="tabs1-0">by engine<\/label><input type="radio" name="tabs1" id="tabs1-1"><label for="tabs1-1">by mode<\/label>/);
  assert.match(html, /\.tabs > input:nth-of-type\(2\):checked ~ \.panels > \.panel:nth-of-type\(2\)/);
  assert.equal(renderText(doc), 'by engine\n\nA\n\nby mode\n\nB\n');
  assert.equal(renderMarkdown(doc), '### by engine\n\nA\n\n### by mode\n\nB\n');
});

test('the summary: a coloured box in HTML, a headline and facts in text and Markdown', () => {
  const doc = { title: 't', blocks: [summary('bug', 'DURABILITY BUG in 1 case', [fact('crash kind', 'power'), fact('trials per case', '5')]), table([['a'], ['1']])] };
  assert.match(renderHtml(doc), /<section class="summary bug"><div class="headline">DURABILITY BUG in 1\u00a0case<\/div><dl class="facts"><div><dt>crash kind<\/dt><dd>power<\/dd><\/div>/);
  assert.equal(renderText(doc).split('\n').slice(0, 3).join('\n'), 'DURABILITY BUG in 1 case\ncrash kind       power\ntrials per case  5');
  assert.match(renderMarkdown(doc), /^\*\*DURABILITY BUG in 1 case\*\*\n\n- \*\*crash kind\*\*: power\n- \*\*trials per case\*\*: 5\n/);
});

test('labels never overlap each other or another point, and stay inside the plot', () => {
  // A dense cloud: 60 points in 300 × 200 px (deterministic pseudo-random).
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const points = Array.from({ length: 60 }, (_, i) => ({ px: 20 + rnd() * 300, py: 20 + rnd() * 200, r: 5, text: `b${2 ** (i % 11)}` }));
  const plot = { x1: 0, y1: 0, x2: 340, y2: 240 };
  const placed = placeLabels(points, plot);
  const boxes = placed.filter((p) => p !== null).map((p) => p!.box);
  assert.ok(boxes.length >= 15, `${boxes.length} of 60 labelled`);
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    assert.ok(a.x1 >= plot.x1 && a.x2 <= plot.x2 && a.y1 >= plot.y1 && a.y2 <= plot.y2, 'inside the plot');
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j]!;
      assert.ok(!(a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2), `labels ${i} and ${j} overlap`);
    }
  }
  placed.forEach((p, i) => {
    if (!p) return;
    points.forEach((q, j) => {
      if (i === j) return;
      const hit = p.box.x1 < q.px + q.r && q.px - q.r < p.box.x2 && p.box.y1 < q.py + q.r && q.py - q.r < p.box.y2;
      assert.ok(!hit, `label ${i} covers point ${j}`);
    });
  });
  // Two points far apart: both labelled, first choice to the right.
  const two = placeLabels(
    [
      { px: 50, py: 50, r: 5, text: 'b1' },
      { px: 200, py: 150, r: 5, text: 'b1024' },
    ],
    plot,
  );
  assert.deepEqual(
    two.map((p) => p?.align),
    ['left', 'left'],
  );
  assert.ok(textWidth('b1024', 11) > textWidth('b1', 11));
});

test('phase shading: overlapping spans joined, tiny ones widened to be seen', () => {
  assert.deepEqual(
    shadeSpans(
      [
        { startS: 0.1, endS: 0.2 },
        { startS: 0.15, endS: 0.3 },
        { startS: 0.5, endS: 0.5000001 },
      ],
      1,
    ),
    [
      [0.1, 0.3],
      [0.5, 0.504],
    ],
  );
});

test('compare: a ratio interval from the two sides’ intervals, none when an interval reaches zero', () => {
  // A side with an interval is the median of 6 repeats; one without, a single run.
  const cell = (value: number, lo: number | null, hi: number | null) => ({
    value,
    statistic: lo === null || hi === null ? { kind: 'one-run' as const } : { kind: 'median-of-repeats' as const, repeats: 6, values: [], ciLow: lo, ciHigh: hi, ciCoverage: 0.969, ciReason: null },
  });
  assert.deepEqual(ratioInterval(cell(12, 10, 14), cell(10, 9, 11)), { low: 10 / 11, high: 14 / 9 });
  assert.deepEqual(ratioInterval(cell(12, 10, 14), cell(10, null, null)), { low: 1, high: 1.4 });
  assert.equal(ratioInterval(cell(12, null, null), cell(10, null, null)), null, 'no repeats: no interval');
  assert.equal(ratioInterval(cell(12, -3, 20), cell(10, 9, 11)), null, 'an interval below zero bounds no ratio');
});

test('HdrHistogram axis labels', () => {
  assert.deepEqual(
    [1, 10, 100, 1000, 10_000, 100_000].map(percentileLabel),
    ['0 %', '90 %', '99 %', '99.9 %', '99.99 %', '99.999 %'],
  );
});

test('fixture reports: charts in HTML only, every kind with its summary first', () => {
  const r = fixture<RunReport>('baseline.json');
  const html = render('run', 'html', r);
  assert.match(html, /<main>\n<h1>durabench report — fixture<\/h1>\n<section class="summary ok"><div class="headline">3\u00a0cases completed/);
  assert.match(html, /fixture: commit latency by percentile|raw: commit latency by percentile/);
  assert.match(html, /<div class="chart-title">wal\/batch-16\/w1\/v128\/unique\/t0<\/div>/, 'a timeline per case');
  const md = render('run', 'md', r);
  assert.doesNotMatch(md, /<svg/);
  assert.match(md, /^# durabench report — fixture\n\n\*\*3 cases completed · crash trials: no durability bug\*\*/);
  // Repeats on both sides, so the rank test can call the regression worse.
  const cmp = render('compare', 'html', compareSides(sidesFromReports(['repeats-base.json', 'repeats-worse.json'].map((n) => ({ file: n, report: fixture<RunReport>(n) }))), { alpha: 0.05, minEffect: 0.01 }));
  assert.match(cmp, /<section class="summary bug"><div class="headline">\d+ worse/);
  assert.match(cmp, /commits\/s: ratio to the baseline/);
});
