/** The probe's result table (shared by the console and Markdown renderers). Pure. */
import { type ProbeMethodInfo, type ProbeReport, type ProbeResult } from '../../model/probe-report.js';
import { formatNs, formatRate } from '../../model/units.js';
import { methodLabel } from '../../model/probe-report.js';

export const PROBE_TABLE_HEADER = ['method', 'target', 'ops/s', 'p50', 'p99', 'p99.9', 'max', '±rme', 'samples'] as const;

function row(r: ProbeResult, label: string, target: string): string[] {
  if (r.state !== 'completed') return [label, target, r.state, '—', '—', '—', '—', '—', '—'];
  const m = r.metrics;
  return [
    label,
    target,
    formatRate(m.opsPerSec),
    formatNs(m.latency.p50Ns),
    formatNs(m.latency.p99Ns),
    formatNs(m.latency.p999Ns),
    formatNs(m.latency.maxNs),
    `${m.rmePercent.toFixed(1)}%`,
    String(m.samples),
  ];
}

/**
 * Results grouped by comparison (`one write per sync`, ...), in report order: per group, a header
 * row and one row per method × target. With one target the target column is dropped; a method's
 * name is printed once above its targets.
 */
export function probeTables(report: ProbeReport): { group: string; rows: string[][] }[] {
  const several = report.settings.blockBytes.length > 1;
  const severalPatterns = (report.settings.patterns?.length ?? 1) > 1;
  const oneTarget = report.settings.targets.length <= 1;
  const groups: { group: string; rows: string[][] }[] = [];
  let lastLabel = '';
  for (const r of report.results) {
    let g = groups[groups.length - 1];
    if (!g || g.group !== r.method.group) {
      g = { group: r.method.group, rows: [[...PROBE_TABLE_HEADER]] };
      groups.push(g);
      lastLabel = '';
    }
    const label = methodLabel(r.method, several, severalPatterns);
    const cells = row(r, label === lastLabel ? '' : label, r.target);
    lastLabel = label;
    g.rows.push(cells);
  }
  if (oneTarget) for (const g of groups) for (const r of g.rows) r.splice(1, 1);
  return groups;
}

/** One line per result that is not completed: what and why. */
export function problemLines(report: ProbeReport): string[] {
  const several = report.settings.blockBytes.length > 1;
  const severalPatterns = (report.settings.patterns?.length ?? 1) > 1;
  return report.results.flatMap((r) =>
    r.state === 'completed' ? [] : [`${r.state}: ${methodLabel(r.method, several, severalPatterns)} on ${r.target}: ${r.reason}${r.code ? ` (${r.code})` : ''}`],
  );
}
