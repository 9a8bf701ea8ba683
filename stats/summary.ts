/**
 * Pure statistics: from merged histograms to the report's summaries (fio's percentile list, exact
 * extremes, the histogram kept encoded), and back from stored summaries for re-merging. No fs, no
 * console.
 */
import { FIO_PERCENTILES, fioPercentileKey, type CountSummary, type EncodedCounts, type EncodedLatency, type LatencySummary } from '../model/latency.js';
import { encodeHistogram, mergeEncoded, type MergedHistogram } from './hdr.js';

/** Summarise merged latencies (ns). Percentiles are HDR values (within 0.1 %); min and max are exact. */
export function summarizeMergedLatency(m: MergedHistogram): LatencySummary {
  const h = m.histogram;
  const at = (p: number): number => (m.count === 0 ? 0 : Math.min(h.getValueAtPercentile(p), m.max));
  const percentilesNs: Record<string, number> = {};
  for (const p of FIO_PERCENTILES) percentilesNs[fioPercentileKey(p)] = at(p);
  return {
    count: m.count,
    minNs: m.min,
    meanNs: m.count === 0 ? 0 : h.mean,
    stddevNs: m.count === 0 ? 0 : h.stdDeviation,
    maxNs: m.max,
    p50Ns: at(50),
    p90Ns: at(90),
    p99Ns: at(99),
    p999Ns: at(99.9),
    p9999Ns: at(99.99),
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
  const at = (p: number): number => Math.min(m.histogram.getValueAtPercentile(p), m.max);
  return { count: m.count, min: m.min, mean: m.histogram.mean, p50: at(50), p99: at(99), max: m.max, histogram: encodeHistogram(m.histogram) };
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
