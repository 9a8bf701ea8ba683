/**
 * Export for github-action-benchmark's custom tools: `customSmallerIsBetter` (latencies) and
 * `customBiggerIsBetter` (throughput), each a JSON array of `{ name, unit, value, range?, extra? }`.
 * The action parses the file, maps it as an array and refuses an empty result ("No benchmark result
 * was found"), so a report without a completed case is an error here, not `[]`. Names are stable
 * (reports/export/names.ts); values are the ones every view shows (the median of the repeats, or
 * one run); `range` is the 95 % interval of the median, only when the repeats give one. Pure.
 */
import { HEADLINE_METRICS } from '../../model/metrics.js';
import { intervalOf, metricValue, statisticName } from '../../analysis/metric-value.js';
import { UsageError } from '../../model/errors.js';
import { formatMetric } from '../../model/metrics.js';
import { type CompletedCase, type RunReport } from '../../model/run-report.js';
import { benchmarkName } from './names.js';

export interface GabEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export interface GabExport {
  customSmallerIsBetter: GabEntry[];
  customBiggerIsBetter: GabEntry[];
}

function where(report: RunReport, c: CompletedCase): string {
  const t = report.host.targets?.find((x) => x.dir === c.key.target);
  return t ? `${report.suite.filesystems?.find((f) => f.target === c.key.target)?.spec ?? t.fsType.value ?? '?'} on ${t.device.value ?? '?'}` : c.key.target;
}

/** Entries for every completed case and headline metric of one report; `name` names the report in the error. */
export function toGithubActionBenchmark(report: RunReport, name = 'the report'): GabExport {
  const out: GabExport = { customSmallerIsBetter: [], customBiggerIsBetter: [] };
  for (const c of report.cases) {
    if (c.state !== 'completed') continue;
    for (const m of HEADLINE_METRICS) {
      const v = metricValue(c, m);
      if (v.value === null || !Number.isFinite(v.value)) continue;
      const ci = intervalOf(v);
      const entry: GabEntry = {
        name: `${benchmarkName(report, c)} ${m.label}`,
        unit: m.unit,
        value: Number(v.value.toFixed(m.unit === 'ns' ? 0 : 2)),
        ...(ci ? { range: `95 % CI ${formatMetric(m, ci.low)} … ${formatMetric(m, ci.high)}` } : {}),
        extra: `${statisticName(v.statistic)}; host ${report.host.hostname} (${report.host.arch}, ${report.host.kernel}), ${where(report, c)}; ${report.tool.name} ${report.tool.version}${report.tool.gitSha ? ` (${report.tool.gitSha.slice(0, 12)})` : ''}`,
      };
      (m.better === 'lower' ? out.customSmallerIsBetter : out.customBiggerIsBetter).push(entry);
    }
  }
  if (out.customSmallerIsBetter.length === 0 || out.customBiggerIsBetter.length === 0) {
    throw new UsageError(`--export github-action-benchmark: ${name} has no completed case to export (github-action-benchmark rejects an empty result); see its errored and skipped cases`);
  }
  return out;
}
