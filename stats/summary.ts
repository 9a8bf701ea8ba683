/**
 * Pure statistics: from merged histograms to the report's summaries (fio's percentile list, exact
 * extremes, the histogram kept encoded), and back from stored summaries for re-merging. No fs, no
 * console.
 */
import {
  FIO_PERCENTILES,
  fioPercentileKey,
  type CountSummary,
  type EncodedCounts,
  type EncodedLatency,
  type LatencySummary,
} from '../model/latency.js';
import { encodeHistogram, histogramStats, mergeEncoded, type MergedHistogram } from './hdr.js';

/** The percentiles every latency summary reports: fio's list, then the named fields' (p50 … p99.99). */
const SUMMARY_PERCENTILES: readonly number[] = [...FIO_PERCENTILES, 50, 90, 99, 99.9, 99.99];

/** Summarise merged latencies (ns). Percentiles are HDR values (within 0.1 %); min and max are exact. */
export function summarizeMergedLatency(m: MergedHistogram): LatencySummary {
  const h = m.histogram;
  const stats = histogramStats(h, SUMMARY_PERCENTILES);
  const at = (k: number): number => (m.count === 0 ? 0 : Math.min(stats.valuesAtPercentiles[k]!, m.max));
  const percentilesNs: Record<string, number> = {};
  FIO_PERCENTILES.forEach((p, k) => (percentilesNs[fioPercentileKey(p)] = at(k)));
  const named = FIO_PERCENTILES.length;
  return {
    count: m.count,
    minNs: m.min,
    meanNs: m.count === 0 ? 0 : stats.mean,
    stddevNs: m.count === 0 ? 0 : stats.stdDeviation,
    maxNs: m.max,
    p50Ns: at(named),
    p90Ns: at(named + 1),
    p99Ns: at(named + 2),
    p999Ns: at(named + 3),
    p9999Ns: at(named + 4),
    percentilesNs,
    histogram: encodeHistogram(h),
  };
}

/** Merge and summarise encoded latencies in one step. */
export function summarizeLatency(parts: readonly EncodedLatency[]): LatencySummary {
  return summarizeMergedLatency(mergeEncoded(parts));
}

/** Summarise a distribution of counts (commits per sync); null when nothing was recorded. */
export function summarizeCounts(parts: readonly EncodedCounts[]): CountSummary | null {
  const m = mergeEncoded(parts);
  if (m.count === 0) return null;
  const stats = histogramStats(m.histogram, [50, 99]);
  const [p50, p99] = stats.valuesAtPercentiles.map((v) => Math.min(v, m.max)) as [number, number];
  return { count: m.count, min: m.min, mean: stats.mean, p50, p99, max: m.max, histogram: encodeHistogram(m.histogram) };
}

/** A stored latency summary as an encoded histogram again (for re-merging saved reports). */
export function latencyFromSummary(s: LatencySummary): EncodedLatency {
  return { unit: 'ns', histogram: s.histogram, count: s.count, min: s.minNs, max: s.maxNs };
}

/** A stored count summary as an encoded histogram again. */
export function countsFromSummary(s: CountSummary): EncodedCounts {
  return { unit: 'count', histogram: s.histogram, count: s.count, min: s.min, max: s.max };
}

/** Merge stored summaries exactly (their encoded histograms add). */
export function mergeLatencySummaries(parts: readonly LatencySummary[]): LatencySummary {
  return summarizeLatency(parts.map(latencyFromSummary));
}

/** Nearest-rank percentile (p in 0..100) of a list; 0 for an empty list. */
export function nearestRank(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}
