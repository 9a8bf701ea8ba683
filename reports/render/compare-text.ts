/** Text renderings of a `Comparison` (console, Markdown, CSV). Pure: comparison in, text out. */
import { stringify } from 'csv-stringify/sync';
import type { CompareCell, Comparison } from '../compare.js';
import { formatMetric, type MetricDef } from '../metrics-catalog.js';
import { formatRatio, markdownTable, textTable } from './format.js';

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

function rows(c: Comparison): string[][] {
  const header = ['case', 'metric', ...c.sides.map((s, i) => (i === 0 ? `${s.label} (baseline)` : s.label))];
  const out: string[][] = [header];
  for (const cc of c.cases) {
    cc.metrics.forEach((mc, i) => {
      if (mc.cells.every((x) => x.value === null) && cc.present.some((p) => p)) return;
      out.push([i === 0 ? cc.key : '', mc.metric.label, ...mc.cells.map((cell) => cellText(mc.metric, cell))]);
    });
  }
  return out;
}

function tally(c: Comparison): string {
  const counts = { better: 0, worse: 0, noise: 0 };
  for (const cc of c.cases) for (const mc of cc.metrics) for (const cell of mc.cells) if (cell.verdict in counts) counts[cell.verdict as keyof typeof counts] += 1;
  return `${counts.worse} worse, ${counts.better} better, ${counts.noise} within noise (default allowance ±${pct(c.defaultNoise)} without repeats; with repeats on both sides, overlapping 95 % intervals)`;
}

export function renderCompareConsole(c: Comparison): string {
  const lines = [textTable(rows(c)), '', tally(c)];
  for (const m of c.missing) lines.push(`missing: ${m.key} is not in ${m.missingFrom.join(', ')}`);
  return lines.join('\n') + '\n';
}

export function renderCompareMarkdown(c: Comparison): string {
  const out = ['# durabench comparison', ''];
  out.push(c.by === 'target' ? 'Targets of one report, against the first target:' : 'Reports, against the first (baseline):');
  out.push('');
  for (const [i, s] of c.sides.entries()) out.push(`${i + 1}. **${s.label}** — ${s.description}`);
  out.push('', markdownTable(rows(c)), '', tally(c) + '.');
  if (c.missing.length > 0) {
    out.push('', '## Missing cases', '');
    for (const m of c.missing) out.push(`- \`${m.key}\` is not in ${m.missingFrom.join(', ')}`);
  }
  return out.join('\n') + '\n';
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
