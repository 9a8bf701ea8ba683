/**
 * A comparison (analysis/compare.ts) as a document — the tally first, the sides, missing cases, and
 * the side-by-side table with ratios and verdicts; in HTML, per headline metric, the ratio chart
 * (log axis, each case's interval as an error bar, the verdict as colour) beside a table of the
 * absolute values — and as CSV. Pure: comparison in, document out.
 */
import { stringify } from 'csv-stringify/sync';
import type { CompareCell, Comparison } from '../../analysis/compare.js';
import { formatMetric, type MetricDef } from '../../model/metrics.js';
import { formatRatio, plural } from '../../model/units.js';
import { chart, fact, grid, heading, list, paragraph, summary, table, type Block, type Cell, type Doc } from '../document/model.js';
import { ratioChart, type RatioRow } from './charts.js';

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(2))} %`;
}

/** `4.10 ms  1.12× worse`, `1.02× within noise ±5 %`, `missing`. */
export function cellText(m: MetricDef, cell: CompareCell): string {
  if (cell.verdict === 'missing') return 'missing';
  const v = formatMetric(m, cell.value);
  if (cell.verdict === 'baseline' || cell.verdict === 'n/a') return v;
  const ratio = formatRatio(cell.ratio);
  if (cell.verdict === 'noise') return `${v} ${ratio} ≈ noise (±${pct(cell.allowance ?? 0)})`;
  return `${v} ${ratio} ${cell.verdict === 'worse' ? 'WORSE' : 'better'}`;
}

function tone(cell: CompareCell): 'worse' | 'better' | 'noise' | undefined {
  return cell.verdict === 'worse' ? 'worse' : cell.verdict === 'better' ? 'better' : cell.verdict === 'noise' ? 'noise' : undefined;
}

function rows(c: Comparison): Cell[][] {
  const header = ['case', 'metric', ...c.sides.map((s, i) => (i === 0 ? `${s.label} (baseline)` : s.label))];
  const out: Cell[][] = [header];
  for (const cc of c.cases) {
    cc.metrics.forEach((mc, i) => {
      if (mc.cells.every((x) => x.value === null) && cc.present.some((p) => p)) return;
      out.push([
        i === 0 ? cc.key : '',
        mc.metric.label,
        ...mc.cells.map((cell): Cell => {
          const t = tone(cell);
          return t ? { text: cellText(mc.metric, cell), tone: t } : cellText(mc.metric, cell);
        }),
      ]);
    });
  }
  return out;
}

function tally(c: Comparison): string {
  const counts = { better: 0, worse: 0, noise: 0 };
  for (const cc of c.cases) for (const mc of cc.metrics) for (const cell of mc.cells) if (cell.verdict in counts) counts[cell.verdict as keyof typeof counts] += 1;
  return `${counts.worse} worse, ${counts.better} better, ${counts.noise} within noise (default allowance ±${pct(c.defaultNoise)} without repeats; with repeats on both sides, overlapping 95 % intervals)`;
}

function missingItems(c: Comparison): string[] {
  return c.missing.map((m) => `\`${m.key}\` is not in ${m.missingFrom.join(', ')}`);
}

export function compareConsoleDoc(c: Comparison): Doc {
  return { title: 'durabench comparison', blocks: [table(rows(c)), paragraph(tally(c)), ...missingItems(c).map((m) => paragraph(`missing: ${m}`))] };
}

/** A side's ratio interval from the two sides' value intervals (the widest ratio they allow), or null. */
export function ratioInterval(cell: CompareCell, base: CompareCell): { low: number; high: number } | null {
  if (cell.value === null || base.value === null || cell.value <= 0 || base.value <= 0) return null;
  const lo = cell.ciLow ?? cell.value;
  const hi = cell.ciHigh ?? cell.value;
  const bLo = base.ciLow ?? base.value;
  const bHi = base.ciHigh ?? base.value;
  if (cell.ciLow === null && base.ciLow === null) return null;
  // An interval that reaches 0 or below has no ratio bound: no bar rather than a wrong one.
  if (lo <= 0 || bLo <= 0) return null;
  return { low: lo / bHi, high: hi / bLo };
}

function verdictOf(cell: CompareCell): RatioRow['sides'][number]['verdict'] {
  return cell.verdict === 'worse' || cell.verdict === 'better' || cell.verdict === 'noise' ? cell.verdict : 'other';
}

/** Per headline metric: the ratio chart beside a table of the absolute values. */
function metricSections(c: Comparison): Block[] {
  const out: Block[] = [];
  const metrics = c.cases[0]?.metrics.map((m) => m.metric) ?? [];
  for (const [mi, m] of metrics.entries()) {
    const cases = c.cases.filter((cc) => cc.metrics[mi]!.cells.some((x) => x.value !== null));
    if (cases.length === 0) continue;
    const rowsOf = cases.map((cc) => {
      const cells = cc.metrics[mi]!.cells;
      return {
        label: cc.key,
        sides: cells.slice(1).map((cell, i) => ({ side: c.sides[i + 1]!.label, ratio: cell.ratio, ...(ratioInterval(cell, cells[0]!) ?? { low: null, high: null }), verdict: verdictOf(cell) })),
      };
    });
    const usesDefault = cases.some((cc) => cc.metrics[mi]!.cells.some((x) => x.allowanceFrom === 'default'));
    const values: Cell[][] = [
      ['case', ...c.sides.map((s, i) => (i === 0 ? `${s.label} (baseline)` : s.label))],
      ...cases.map((cc) => [
        cc.key,
        ...cc.metrics[mi]!.cells.map((cell, i): Cell => {
          const interval = cell.ciLow !== null && cell.ciHigh !== null ? ` [${formatMetric(m, cell.ciLow)} … ${formatMetric(m, cell.ciHigh)}]` : '';
          const text = cell.verdict === 'missing' ? 'missing' : `${formatMetric(m, cell.value)}${interval}${i > 0 && cell.ratio !== null ? ` ${formatRatio(cell.ratio)}` : ''}`;
          const t = tone(cell);
          return t ? { text, tone: t } : text;
        }),
      ]),
    ];
    const hasSides = rowsOf.some((r) => r.sides.some((s) => s.ratio !== null));
    out.push(
      heading(3, `${m.label} (${m.better} is better)`),
      grid(
        [
          ...(hasSides
            ? [
                chart(
                  // Drawn at the width it is shown at (one column of a 1280 px page when the table goes below), so its text keeps its size.
                  ratioChart(rowsOf, usesDefault ? c.defaultNoise : null, c.sides.length <= 2 ? 560 : 1160),
                  `Ratio to ${c.sides[0]!.label}, log scale; bars: the interval the repeats allow${usesDefault ? `; grey band: the default noise allowance ±${pct(c.defaultNoise)} (no repeats)` : ''}. Colour: the verdict.`,
                  `${m.label}: ratio to the baseline`,
                ),
              ]
            : []),
          table(values),
        ],
        // Beside the chart for two sides; below it when more sides make the table wide.
        c.sides.length <= 2 ? 480 : 1000,
      ),
    );
  }
  return out.length > 0 ? [heading(2, 'Per metric'), ...out] : [];
}

function compareSummary(c: Comparison): Block {
  const counts = { better: 0, worse: 0, noise: 0 };
  for (const cc of c.cases) for (const mc of cc.metrics) for (const cell of mc.cells) if (cell.verdict in counts) counts[cell.verdict as keyof typeof counts] += 1;
  const tone = counts.worse > 0 ? 'bug' : counts.better > 0 ? 'ok' : 'neutral';
  const headline = `${counts.worse} worse, ${counts.better} better, ${counts.noise} within noise across ${plural(c.cases.length, 'case')}`;
  return summary(tone, headline, [
    fact('baseline', `${c.sides[0]?.label ?? '—'} — ${c.sides[0]?.description ?? ''}`),
    ...c.sides.slice(1).map((s) => fact('against', `${s.label} — ${s.description}`)),
    fact('noise', `overlapping 95 % intervals with repeats on both sides, else ±${pct(c.defaultNoise)}`),
    ...(c.missing.length > 0 ? [fact('missing', plural(c.missing.length, 'case'))] : []),
  ]);
}

export function compareDoc(c: Comparison, opts: { charts: boolean }): Doc {
  return {
    title: 'durabench comparison',
    blocks: [
      heading(1, 'durabench comparison'),
      compareSummary(c),
      paragraph(c.by === 'target' ? 'Targets of one report, against the first target:' : 'Reports, against the first (baseline):'),
      list(c.sides.map((s) => `**${s.label}** — ${s.description}`), true),
      ...(c.missing.length > 0 ? [heading(2, 'Missing cases'), list(missingItems(c))] : []),
      ...(opts.charts ? metricSections(c) : [heading(2, 'Side by side'), table(rows(c)), paragraph(`${tally(c)}.`)]),
    ],
  };
}

export function renderCompareCsv(c: Comparison): string {
  const records: (string | number | null)[][] = [];
  for (const cc of c.cases) {
    for (const mc of cc.metrics) {
      mc.cells.forEach((cell, i) => {
        records.push([cc.key, mc.metric.id, c.sides[i]!.label, cell.value, cell.ciLow, cell.ciHigh, cell.ratio, cell.allowance, cell.verdict]);
      });
    }
  }
  return stringify(records, { header: true, columns: ['case', 'metric', 'side', 'value', 'ci_low', 'ci_high', 'ratio', 'noise_allowance', 'verdict'] });
}
