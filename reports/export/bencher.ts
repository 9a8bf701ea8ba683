/**
 * Export in Bencher Metric Format (BMF): `{ "<benchmark>": { "<measure>": { value, lower_value?,
 * upper_value? } } }`, for `bencher run --adapter json --file bencher.json --testbed <testbed>`.
 *
 * - Benchmarks: stable names — engine (+fault)/durability/writers/value/workload, plus the target
 *   when a report has several (reports/export/names.ts) — never the runner or a path, so one
 *   benchmark is followed across testbeds. The testbed is the host (`testbedOf`).
 * - Measures: `throughput` (Bencher's built-in measure, operations per second: commits/s) and one
 *   measure per latency percentile in nanoseconds (`commit-p50`, `commit-p99`, `commit-p99-9`,
 *   `sync-p50`, `sync-p99`; Bencher creates a measure it does not know on first use).
 * - Values are the ones every view shows; bounds only from a valid 95 % interval of the median
 *   (6 or more repeats), never from fewer repeats. Pure.
 */
import { HEADLINE_METRICS, type MetricDef } from '../../model/metrics.js';
import { intervalOf, metricValue } from '../../analysis/metric-value.js';
import { UsageError } from '../../model/errors.js';
import { type RunReport } from '../../model/run-report.js';
import { benchmarkName } from './names.js';

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

/** BMF of one report's completed cases; `name` names the report in the error. */
export function toBencher(report: RunReport, name = 'the report'): Bmf {
  const out: Bmf = {};
  for (const c of report.cases) {
    if (c.state !== 'completed') continue;
    const measures: Record<string, BmfMetric> = {};
    for (const m of HEADLINE_METRICS) {
      const v = metricValue(c, m);
      if (v.value === null || !Number.isFinite(v.value)) continue;
      const ci = intervalOf(v);
      measures[bencherMeasure(m)] = ci ? { value: v.value, lower_value: ci.low, upper_value: ci.high } : { value: v.value };
    }
    out[benchmarkName(report, c)] = measures;
  }
  if (Object.keys(out).length === 0) throw new UsageError(`--export bencher: ${name} has no completed case to export; see its errored and skipped cases`);
  return out;
}
