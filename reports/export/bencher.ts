/**
 * Export in Bencher Metric Format (BMF): `{ "<benchmark>": { "<measure>": { value, lower_value?,
 * upper_value? } } }`. Throughput goes to Bencher's built-in `throughput` measure (operations/s: our
 * commits/s); each latency percentile is its own measure in nanoseconds (`commit-p99`, `sync-p50`,
 * …; Bencher creates measures it does not know). Bounds are the 95 % interval of the repeats. Pure.
 */
import { HEADLINE_METRICS, type MetricDef } from '../../model/metrics.js';
import { measure, reportCaseKey } from '../../analysis/compare.js';
import { type RunReport } from '../../model/run-report.js';

export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

export type Bmf = Record<string, Record<string, BmfMetric>>;

/** Bencher measure slug for a metric: `throughput`, `commit-p99`, `commit-p99-9`, `sync-p50`. */
export function bencherMeasure(m: MetricDef): string {
  if (m.id === 'commits_per_sec') return 'throughput';
  return m.id.replace(/_ns$/, '').replace(/_p999$/, '_p99_9').replace(/_/g, '-');
}

export function toBencher(reports: readonly { report: RunReport; prefix?: string }[]): Bmf {
  const out: Bmf = {};
  for (const { report, prefix } of reports) {
    for (const c of report.cases) {
      if (c.state !== 'completed') continue;
      const name = `${prefix ? `${prefix}/` : ''}${reportCaseKey(report, c)}`;
      const measures: Record<string, BmfMetric> = {};
      for (const m of HEADLINE_METRICS) {
        const v = measure(c, m);
        if (v.value === null || !Number.isFinite(v.value)) continue;
        const metric: BmfMetric = { value: v.value };
        if (v.ciLow !== null && v.ciHigh !== null) {
          metric.lower_value = v.ciLow;
          metric.upper_value = v.ciHigh;
        }
        measures[bencherMeasure(m)] = metric;
      }
      out[name] = measures;
    }
  }
  return out;
}
