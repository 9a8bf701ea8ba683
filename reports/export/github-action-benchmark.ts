/**
 * Export for github-action-benchmark's custom tools: `customSmallerIsBetter` (latencies) and
 * `customBiggerIsBetter` (throughput) each take a JSON array of `{ name, unit, value, range?, extra? }`
 * (`range` is a display string such as "± 12"). Pure.
 */
import { HEADLINE_METRICS } from '../../model/metrics.js';
import { measure, reportCaseKey } from '../../analysis/compare.js';
import { type CompletedCase, type RunReport } from '../../model/run-report.js';

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

function extraFor(report: RunReport, c: CompletedCase): string {
  const t = report.host.targets?.find((x) => x.dir === c.key.target);
  const where = t ? `${t.fsType.value ?? '?'} on ${t.device.value ?? '?'}` : c.key.target;
  const repeats = c.repeats && c.repeats.count > 1 ? `; median of ${c.repeats.count} repeats, range = 95 % interval half-width` : '';
  return `host ${report.host.hostname}, ${where}, ${report.tool.name} ${report.tool.version}${report.tool.gitSha ? ` (${report.tool.gitSha.slice(0, 12)})` : ''}${repeats}`;
}

/** Entries for every completed case and headline metric; `prefix` distinguishes several reports. */
export function toGithubActionBenchmark(reports: readonly { report: RunReport; prefix?: string }[]): GabExport {
  const out: GabExport = { customSmallerIsBetter: [], customBiggerIsBetter: [] };
  for (const { report, prefix } of reports) {
    for (const c of report.cases) {
      if (c.state !== 'completed') continue;
      for (const m of HEADLINE_METRICS) {
        const v = measure(c, m);
        if (v.value === null || !Number.isFinite(v.value)) continue;
        const entry: GabEntry = {
          name: `${prefix ? `${prefix}/` : ''}${reportCaseKey(report, c)} ${m.label}`,
          unit: m.unit,
          value: Number(v.value.toFixed(m.unit === 'ns' ? 0 : 2)),
          extra: extraFor(report, c),
        };
        if (v.ciLow !== null && v.ciHigh !== null) entry.range = `± ${Number(((v.ciHigh - v.ciLow) / 2).toPrecision(3))}`;
        (m.better === 'lower' ? out.customSmallerIsBetter : out.customBiggerIsBetter).push(entry);
      }
    }
  }
  return out;
}
