/**
 * Statistics over the repeats of a case (`durabench run --repeat N`, and the reports `merge`
 * pools): per metric each repeat's value, their median, and a 95 % confidence interval for the
 * median. Pure.
 *
 * The interval is the distribution-free one from order statistics (W. J. Conover, *Practical
 * Nonparametric Statistics*, 3rd ed., 1999, §3.2, confidence interval for a quantile; G. J. Hahn
 * and W. Q. Meeker, *Statistical Intervals*, 1991, §5.2): [X(k), X(n+1−k)] of the sorted values
 * covers the true median with probability exactly 1 − 2·P(Bin(n, ½) ≤ k − 1) for any continuous
 * distribution, so it needs no normality — repeat latencies and rates are skewed, bounded below by
 * 0, with the odd slow run. Its ends are two of the measured values, so it can never leave their
 * range (no negative latency, no negative throughput, which the Student-t interval of the mean
 * gave with two repeats). Ranks do not change under a logarithm, so it is also exactly the interval
 * a method on log values gives, without a bootstrap's resampling noise (a percentile bootstrap
 * under-covers badly at these n: with two repeats its "95 %" interval [min, max] covers the median
 * half of the time).
 *
 * The price: no pair of order statistics reaches 95 % below 6 repeats (5 give at most 1 − 2/2⁵ =
 * 93.75 %). Then there is no interval, and the reason says so.
 */
import { HEADLINE_METRICS, METRICS, formatMetric, type MetricDef } from '../model/metrics.js';
import { type CompletedCase, type RepeatStat, type RepeatSummary } from '../model/run-report.js';
import { type Warning } from '../model/warning.js';
import { noiseWarnings } from './warnings.js';

/** The confidence level of every interval durabench gives for a median. */
export const CI_LEVEL = 0.95;
/** The fewest repeats with an order-statistic interval of at least 95 %: 1 − 2·(½)ⁿ ≥ 0.95 ⇔ n ≥ 6. */
export const MIN_REPEATS_FOR_INTERVAL = 6;

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** P(Bin(n, ½) ≤ k), exact for the n of repeats. */
export function binomialCdfHalf(k: number, n: number): number {
  if (k < 0) return 0;
  let sum = 0;
  let c = 1;
  for (let i = 0; i <= Math.min(k, n); i++) {
    sum += c;
    c = (c * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

/** Coverage of [X(k), X(n+1−k)] for the median of n values. */
export function orderStatisticCoverage(k: number, n: number): number {
  return 1 - 2 * binomialCdfHalf(k - 1, n);
}

function percent(x: number): string {
  return `${Number((x * 100).toFixed(2))} %`;
}

/**
 * The narrowest order-statistic interval for the median with coverage ≥ `level`: the 1-based rank
 * k of its lower end (the upper end is n + 1 − k) and its exact coverage; null when n is too small.
 */
export function medianIntervalRank(n: number, level = CI_LEVEL): { k: number; coverage: number } | null {
  if (n < 1 || orderStatisticCoverage(1, n) < level) return null;
  let k = 1;
  while (k + 1 <= (n + 1) / 2 && orderStatisticCoverage(k + 1, n) >= level) k += 1;
  return { k, coverage: orderStatisticCoverage(k, n) };
}

/** Why `n` repeats give no interval. */
export function noIntervalReason(n: number): string {
  if (n <= 1) return 'one run: no interval (repeat the case with --repeat 6 or more for a 95 % interval of the median)';
  return `${n} repeats: no 95 % interval (the widest interval of measured values, min … max, covers the median with only ${percent(orderStatisticCoverage(1, n))}; a 95 % interval needs ${MIN_REPEATS_FOR_INTERVAL} repeats)`;
}

/** Median and 95 % interval of one metric's values over the repeats. */
export function repeatStat(values: readonly number[]): RepeatStat {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const med = median(values);
  const mean = n === 0 ? NaN : values.reduce((a, v) => a + v, 0) / n;
  const rank = medianIntervalRank(n);
  if (rank === null) return { median: med, values: [...values], mean, ciMethod: 'none', ciReason: noIntervalReason(n) };
  return {
    median: med,
    values: [...values],
    mean,
    ciLow: sorted[rank.k - 1]!,
    ciHigh: sorted[n - rank.k]!,
    ciCoverage: rank.coverage,
    ciMethod: 'median-order-statistics',
  };
}

/** Relative half-width of the interval around the median (0.05 = ±5 %); null without an interval. */
export function relativeHalfWidth(s: RepeatStat): number | null {
  if (s.ciLow === undefined || s.ciHigh === undefined || !Number.isFinite(s.median) || s.median === 0) return null;
  return (s.ciHigh - s.ciLow) / 2 / Math.abs(s.median);
}

/**
 * Repeat summary of a case from each repeat's completed result (in repeat order): every metric of
 * the catalogue that every repeat measured (a finite value), so every view can show the same
 * statistic — the median of the repeats — for every metric.
 */
export function repeatSummary(repeats: readonly CompletedCase[], metrics: readonly MetricDef[] = METRICS): RepeatSummary {
  const out: RepeatSummary = { count: repeats.length, metrics: {} };
  for (const m of metrics) {
    const values = repeats.map((c) => m.read(c)).filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length === repeats.length && values.length > 0) out.metrics[m.id] = repeatStat(values);
  }
  return out;
}

/** A summary recomputed from its stored values with the current method (reports written by older versions). */
export function recomputeRepeatSummary(s: RepeatSummary): RepeatSummary {
  const metrics: RepeatSummary['metrics'] = {};
  for (const [id, stat] of Object.entries(s.metrics)) metrics[id] = stat.values.length > 0 ? repeatStat(stat.values) : stat;
  return { count: s.count, metrics };
}

/** `95 % interval 1.20 ms … 1.51 ms` or the reason there is none. */
export function intervalText(m: Pick<MetricDef, 'unit'>, s: RepeatStat): string {
  if (s.ciLow === undefined || s.ciHigh === undefined) return s.ciReason ?? noIntervalReason(s.values.length);
  return `95 % interval ${formatMetric(m, s.ciLow)} … ${formatMetric(m, s.ciHigh)}`;
}

/**
 * Warnings for headline metrics whose repeats disagree, by analysis/warnings.ts's `noiseWarnings`
 * ((max − min) / median above its limit): one rule for noise across the whole tool.
 */
export function repeatNoiseWarnings(summary: RepeatSummary, metrics: readonly MetricDef[] = HEADLINE_METRICS): Warning[] {
  const out: Warning[] = [];
  for (const m of metrics) {
    const s = summary.metrics[m.id];
    if (!s) continue;
    const interval = s.ciLow !== undefined && s.ciHigh !== undefined ? `; ${intervalText(m, s)}` : '';
    for (const w of noiseWarnings(s.values, `${m.label} over ${summary.count} repeats${interval}`)) {
      out.push({ ...w, remedy: `${w.remedy}; with durabench run, --duration and --repeat` });
    }
  }
  return out;
}
