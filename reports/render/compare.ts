/**
 * A comparison (analysis/compare.ts) as a document — the tally first, the sides, missing cases, the
 * side-by-side table with each side's value and interval, ratios and verdicts, and how the verdicts
 * were reached; in HTML, per headline metric, the ratio chart (log axis, each case's interval as an
 * error bar, the verdict as colour) beside a table of the absolute values instead of the one wide
 * table — and as CSV. Pure: comparison in, document out.
 */
import { stringify } from 'csv-stringify/sync';
import type { CompareCell, Comparison } from '../../analysis/compare.js';
import { statisticName } from '../../analysis/metric-value.js';
import { formatMetric, type MetricDef } from '../../model/metrics.js';
import { formatRatio, plural } from '../../model/units.js';
import { chart, fact, grid, heading, list, paragraph, summary, table, type Block, type Cell, type Doc } from '../document/model.js';
import { ratioChart, type RatioRow } from './charts.js';

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(2))} %`;
}

/** `2.07 ms [1.95 ms … 2.21 ms]` (an interval when the side has one). */
function valueText(m: MetricDef, cell: CompareCell): string {
  const v = formatMetric(m, cell.value);
  const s = cell.statistic;
  return s.kind === 'median-of-repeats' && s.ciLow !== null && s.ciHigh !== null ? `${v} [${formatMetric(m, s.ciLow)} … ${formatMetric(m, s.ciHigh)}]` : v;
}

function pShort(cell: CompareCell): string {
  if (!cell.test) return '';
  const p = cell.test.p;
  return ` (p ${p < 0.001 ? p.toExponential(0) : Number(p.toPrecision(2))})`;
}

/** `4.10 ms 1.12× WORSE (p 0.008)`, `1.02× within noise (p 0.4)`, `1.30× no significance`, `missing`. */
export function cellText(m: MetricDef, cell: CompareCell): string {
  if (cell.verdict === 'missing') return 'missing';
  const v = valueText(m, cell);
  if (cell.verdict === 'baseline' || cell.verdict === 'n/a') return v;
  const ratio = formatRatio(cell.ratio);
  switch (cell.verdict) {
    case 'worse':
      return `${v} ${ratio} WORSE${pShort(cell)}`;
    case 'better':
      return `${v} ${ratio} better${pShort(cell)}`;
    case 'noise':
      return `${v} ${ratio} within noise${pShort(cell)}`;
    case 'unknown':
      return `${v} ${ratio} no significance`;
  }
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

type Counted = 'better' | 'worse' | 'noise' | 'unknown';

function counts(c: Comparison): Record<Counted, number> {
  const n: Record<Counted, number> = { better: 0, worse: 0, noise: 0, unknown: 0 };
  for (const cc of c.cases) for (const mc of cc.metrics) for (const cell of mc.cells) if (cell.verdict in n) n[cell.verdict as Counted] += 1;
  return n;
}

function tally(c: Comparison): string {
  const n = counts(c);
  return `${n.worse} worse, ${n.better} better, ${n.noise} within noise, ${n.unknown} without significance`;
}

/** How the verdicts were reached, and how each side's figures were obtained. */
function method(c: Comparison): string[] {
  const statistics = c.sides.map((s, i) => {
    const stats = new Set(c.cases.flatMap((cc) => cc.metrics.map((m) => m.cells[i]!)).filter((x) => x.value !== null).map((x) => statisticName(x.statistic)));
    return `${s.label}: ${[...stats].join(', ') || 'nothing measured'}`;
  });
  const unknown = new Set(c.cases.flatMap((cc) => cc.metrics.flatMap((m) => m.cells.filter((x) => x.verdict === 'unknown').map((x) => x.reason))));
  return [
    `Figures per side — ${statistics.join('; ')}. Brackets: the 95 % interval of the median (6 or more repeats).`,
    `better / worse: the Mann–Whitney rank test on the repeats of both sides gives p < ${c.alpha} and the medians differ by at least ${pct(c.minEffect)} (--alpha, --min-effect); within noise: p ≥ ${c.alpha}, or a smaller change; no significance: a side without repeats, or too few for the test.`,
    ...[...unknown].map((r) => `Not judged: ${r}.`),
  ];
}

function missingItems(c: Comparison): string[] {
  return c.missing.map((m) => `\`${m.key}\` is not in ${m.missingFrom.join(', ')}`);
}

export function compareConsoleDoc(c: Comparison): Doc {
  return {
    title: 'durabench comparison',
    blocks: [table(rows(c)), paragraph(tally(c)), ...method(c).map((t) => paragraph(t)), ...missingItems(c).map((m) => paragraph(`missing: ${m}`))],
  };
}

/** The 95 % interval of a side's value, when its repeats give one. */
function intervalOfCell(cell: Pick<CompareCell, 'statistic'>): { low: number; high: number } | null {
  const s = cell.statistic;
  return s.kind === 'median-of-repeats' && s.ciLow !== null && s.ciHigh !== null ? { low: s.ciLow, high: s.ciHigh } : null;
}

/** A side's ratio interval from the two sides' value intervals (the widest ratio they allow), or null. */
export function ratioInterval(cell: Pick<CompareCell, 'value' | 'statistic'>, base: Pick<CompareCell, 'value' | 'statistic'>): { low: number; high: number } | null {
  if (cell.value === null || base.value === null || cell.value <= 0 || base.value <= 0) return null;
  const ci = intervalOfCell(cell);
  const bCi = intervalOfCell(base);
  if (ci === null && bCi === null) return null;
  const lo = ci?.low ?? cell.value;
  const hi = ci?.high ?? cell.value;
  const bLo = bCi?.low ?? base.value;
  const bHi = bCi?.high ?? base.value;
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
    const values: Cell[][] = [
      ['case', ...c.sides.map((s, i) => (i === 0 ? `${s.label} (baseline)` : s.label))],
      ...cases.map((cc) => [
        cc.key,
        ...cc.metrics[mi]!.cells.map((cell, i): Cell => {
          const text = cell.verdict === 'missing' ? 'missing' : `${valueText(m, cell)}${i > 0 && cell.ratio !== null ? ` ${formatRatio(cell.ratio)}` : ''}${i > 0 && cell.test ? pShort(cell) : ''}`;
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
                  ratioChart(rowsOf, c.minEffect > 0 ? c.minEffect : null, c.sides.length <= 2 ? 560 : 1160),
                  `Ratio to ${c.sides[0]!.label}, log scale; bars: the ratio the two sides' 95 % intervals of the median allow (6 or more repeats); grey band: changes smaller than the minimum effect ±${pct(c.minEffect)}, noise whatever the test says. Colour: the verdict of the rank test.`,
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
  const n = counts(c);
  const tone = n.worse > 0 ? 'bug' : n.better > 0 ? 'ok' : 'neutral';
  const headline = `${n.worse} worse, ${n.better} better, ${n.noise} within noise, ${n.unknown} without significance across ${plural(c.cases.length, 'case')}`;
  return summary(tone, headline, [
    fact('baseline', `${c.sides[0]?.label ?? '—'} — ${c.sides[0]?.description ?? ''}`),
    ...c.sides.slice(1).map((s) => fact('against', `${s.label} — ${s.description}`)),
    fact('verdicts', `Mann–Whitney on the repeats, p < ${c.alpha} and a change of at least ${pct(c.minEffect)}`),
    ...(c.missing.length > 0 ? [fact('missing', plural(c.missing.length, 'case'))] : []),
  ]);
}

const INTRO: Record<Comparison['by'], string> = {
  report: 'Reports, against the first (baseline):',
  target: 'Targets of one report, against the first target:',
  host: 'Hosts, against the first (baseline):',
  fs: 'Filesystems, against the first (baseline):',
};

export function compareDoc(c: Comparison, opts: { charts: boolean }): Doc {
  return {
    title: 'durabench comparison',
    blocks: [
      heading(1, 'durabench comparison'),
      compareSummary(c),
      paragraph(INTRO[c.by]),
      list(c.sides.map((s) => `**${s.label}** — ${s.description}`), true),
      ...(c.missing.length > 0 ? [heading(2, 'Missing cases'), list(missingItems(c))] : []),
      ...(opts.charts ? metricSections(c) : [heading(2, 'Side by side'), table(rows(c)), paragraph(`${tally(c)}.`)]),
      ...method(c).map((t) => paragraph(t, 'muted')),
    ],
  };
}

export function renderCompareCsv(c: Comparison): string {
  const records: (string | number | null)[][] = [];
  for (const cc of c.cases) {
    for (const mc of cc.metrics) {
      mc.cells.forEach((cell, i) => {
        const s = cell.statistic;
        const rep = s.kind === 'median-of-repeats';
        records.push([
          cc.key,
          mc.metric.id,
          c.sides[i]!.label,
          cell.value,
          rep ? 'median-of-repeats' : 'one-run',
          rep ? s.repeats : cell.value === null ? null : 1,
          rep ? s.ciLow : null,
          rep ? s.ciHigh : null,
          cell.ratio,
          cell.test ? cell.test.p : null,
          cell.verdict,
          cell.reason,
        ]);
      });
    }
  }
  return stringify(records, { header: true, columns: ['case', 'metric', 'side', 'value', 'statistic', 'repeats', 'ci_low', 'ci_high', 'ratio', 'p_value', 'verdict', 'reason'] });
}
