/**
 * A comparison (analysis/compare.ts) as a document — the sides, the side-by-side table with each
 * side's value and interval, ratios and verdicts, how the verdicts were reached, missing cases, and
 * in HTML a bar chart per headline metric — and as CSV. Pure: comparison in, document out.
 */
import { stringify } from 'csv-stringify/sync';
import type { CompareCell, Comparison } from '../../analysis/compare.js';
import { statisticName } from '../../analysis/metric-value.js';
import { formatMetric, type MetricDef } from '../../model/metrics.js';
import { formatRatio } from '../../model/units.js';
import { chart, heading, list, paragraph, table, type Block, type Cell, type Doc } from '../document/model.js';
import { barChart } from './charts.js';

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

function chartBlocks(c: Comparison): Block[] {
  const out: Block[] = [];
  const metrics = c.cases[0]?.metrics.map((m) => m.metric) ?? [];
  for (const [mi, m] of metrics.entries()) {
    const cases = c.cases.filter((cc) => cc.metrics[mi]!.cells.some((x) => x.value !== null));
    if (cases.length === 0) continue;
    const groups = c.sides.map((s, si) => ({ name: s.label, values: cases.map((cc) => cc.metrics[mi]!.cells[si]!.value) }));
    out.push(chart(barChart(m.label, cases.map((cc) => cc.key), groups, m.unit === 'ns' ? 'ns' : 'rate'), `${m.label} per case and ${c.by === 'report' ? 'report' : c.by === 'fs' ? 'filesystem' : c.by} (${m.better} is better).`));
  }
  return out.length > 0 ? [heading(2, 'Charts'), ...out] : [];
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
      paragraph(INTRO[c.by]),
      list(c.sides.map((s) => `**${s.label}** — ${s.description}`), true),
      heading(2, 'Side by side'),
      table(rows(c)),
      paragraph(`${tally(c)}.`),
      ...method(c).map((t) => paragraph(t, 'muted')),
      ...(c.missing.length > 0 ? [heading(2, 'Missing cases'), list(missingItems(c))] : []),
      ...(opts.charts ? chartBlocks(c) : []),
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
