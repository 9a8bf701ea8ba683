/**
 * Statistics over the repeats of a case (`durabench run --repeat N`): per headline metric the
 * median and a 95 % confidence interval, and warnings when the spread is wide. Pure.
 *
 * Which interval: with six or more repeats, the distribution-free interval for the median from
 * order statistics (the widest pair X(k), X(n+1−k) whose binomial coverage is still ≥ 95 %; robust
 * to the odd slow run that disks produce). With two to five repeats no order-statistic interval
 * reaches 95 % (five runs give at most 93.75 %), so the Student-t interval of the mean is used, as
 * db_bench does for its `[X5]` runs. One run has no interval (low = high = the value).
 */
import { HEADLINE_METRICS, formatMetric, type MetricDef } from '../model/metrics.js';
import { type CompletedCase, type RepeatStat, type RepeatSummary } from '../model/run-report.js';
import { type Warning } from '../model/warning.js';
import { noiseWarnings } from './warnings.js';

/** Two-sided 95 % Student-t quantiles t(0.975, df) for df = 1..30. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  // Beyond the table, 1.96 + 2.5/df is within 0.002 of the exact quantile.
  return T975[df - 1] ?? 1.96 + 2.5 / df;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function binomialCdfHalf(k: number, n: number): number {
  // P(Bin(n, 1/2) ≤ k), exact for the small n of repeats.
  let sum = 0;
  let c = 1;
  for (let i = 0; i <= k; i++) {
    sum += c;
    c = (c * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

/** Median and 95 % interval of one metric's values over the repeats. */
export function repeatStat(values: readonly number[]): RepeatStat {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const med = median(values);
  const mean = n === 0 ? NaN : values.reduce((a, v) => a + v, 0) / n;
  if (n < 2) return { median: med, ciLow: med, ciHigh: med, values: [...values], mean, ciMethod: 'none' };
  if (n >= 6) {
    // Largest k with coverage 1 − 2·P(Bin(n, ½) ≤ k − 1) ≥ 0.95.
    let k = 1;
    while (k + 1 <= n / 2 && 1 - 2 * binomialCdfHalf(k, n) >= 0.95) k += 1;
    return { median: med, ciLow: sorted[k - 1]!, ciHigh: sorted[n - k]!, values: [...values], mean, ciMethod: 'median-order-statistics' };
  }
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const half = tQuantile975(n - 1) * Math.sqrt(variance / n);
  return { median: med, ciLow: mean - half, ciHigh: mean + half, values: [...values], mean, ciMethod: 'mean-t' };
}

/** Relative half-width of the interval around the median (0.05 = ±5 %); null when undefined. */
export function relativeHalfWidth(s: RepeatStat): number | null {
  if (s.ciMethod === 'none' || !Number.isFinite(s.median) || s.median === 0) return null;
  return (s.ciHigh - s.ciLow) / 2 / Math.abs(s.median);
}

/** Repeat summary of a case from each repeat's completed result (in repeat order). */
export function repeatSummary(repeats: readonly CompletedCase[], metrics: readonly MetricDef[] = HEADLINE_METRICS): RepeatSummary {
  const out: RepeatSummary = { count: repeats.length, metrics: {} };
  for (const m of metrics) {
    const values = repeats.map((c) => m.read(c)).filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length === repeats.length && values.length > 0) out.metrics[m.id] = repeatStat(values);
  }
  return out;
}

/**
 * Warnings for headline metrics whose repeats disagree, by provenance/warnings.ts's `noiseWarnings`
 * ((max − min) / median above its limit): one rule for noise across the whole tool.
 */
export function repeatNoiseWarnings(summary: RepeatSummary, metrics: readonly MetricDef[] = HEADLINE_METRICS): Warning[] {
  const out: Warning[] = [];
  for (const m of metrics) {
    const s = summary.metrics[m.id];
    if (!s) continue;
    for (const w of noiseWarnings(s.values, `${m.label} over ${summary.count} repeats (95 % interval ${formatMetric(m, s.ciLow)} … ${formatMetric(m, s.ciHigh)})`)) {
      out.push({ ...w, remedy: `${w.remedy}; with durabench run, --duration and --repeat` });
    }
  }
  return out;
}
