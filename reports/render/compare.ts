/**
 * A comparison (analysis/compare.ts) as a document — the sides, the side-by-side table with ratios
 * and verdicts, the tally, missing cases, and in HTML a bar chart per headline metric — and as CSV.
 * Pure: comparison in, document out.
 */
import { stringify } from 'csv-stringify/sync';
import type { CompareCell, Comparison } from '../../analysis/compare.js';
import { formatMetric, type MetricDef } from '../../model/metrics.js';
import { formatRatio } from '../../model/units.js';
import { chart, heading, list, paragraph, table, type Block, type Cell, type Doc } from '../document/model.js';
import { barChart } from './charts.js';

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

function chartBlocks(c: Comparison): Block[] {
  const out: Block[] = [];
  const metrics = c.cases[0]?.metrics.map((m) => m.metric) ?? [];
  for (const [mi, m] of metrics.entries()) {
    const cases = c.cases.filter((cc) => cc.metrics[mi]!.cells.some((x) => x.value !== null));
    if (cases.length === 0) continue;
    const groups = c.sides.map((s, si) => ({ name: s.label, values: cases.map((cc) => cc.metrics[mi]!.cells[si]!.value) }));
    out.push(chart(barChart(m.label, cases.map((cc) => cc.key), groups, m.unit === 'ns' ? 'ns' : 'rate'), `${m.label} per case and ${c.by === 'target' ? 'target' : 'report'} (${m.better} is better).`));
  }
  return out.length > 0 ? [heading(2, 'Charts'), ...out] : [];
}

export function compareDoc(c: Comparison, opts: { charts: boolean }): Doc {
  return {
    title: 'durabench comparison',
    blocks: [
      heading(1, 'durabench comparison'),
      paragraph(c.by === 'target' ? 'Targets of one report, against the first target:' : 'Reports, against the first (baseline):'),
      list(c.sides.map((s) => `**${s.label}** — ${s.description}`), true),
      heading(2, 'Side by side'),
      table(rows(c)),
      paragraph(`${tally(c)}.`),
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
        records.push([cc.key, mc.metric.id, c.sides[i]!.label, cell.value, cell.ciLow, cell.ciHigh, cell.ratio, cell.allowance, cell.verdict]);
      });
    }
  }
  return stringify(records, { header: true, columns: ['case', 'metric', 'side', 'value', 'ci_low', 'ci_high', 'ratio', 'noise_allowance', 'verdict'] });
}
