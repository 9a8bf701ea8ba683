/**
 * Pure statistics: from merged histograms to the report's summaries, and from writer measurements
 * to a case's metrics. No fs, no console.
 */
import { encodeHistogram, encodeMerged, mergeLatencies, type EncodedLatency, type MergedLatency } from './hdr.js';
import { FIO_PERCENTILES, type CountSummary, type LatencySummary } from './schema.js';

/** fio prints percentile keys with `%f`: 99 → "99.000000". */
export function fioPercentileKey(p: number): string {
  return p.toFixed(6);
}

/** Summarise a merged latency. Percentiles are HDR values (within 0.1 %); min and max are exact. */
export function summarizeLatency(m: MergedLatency): LatencySummary {
  const h = m.histogram;
  const at = (p: number): number => (m.count === 0 ? 0 : Math.min(h.getValueAtPercentile(p), m.maxNs));
  const percentilesNs: Record<string, number> = {};
  for (const p of FIO_PERCENTILES) percentilesNs[fioPercentileKey(p)] = at(p);
  return {
    count: m.count,
    minNs: m.minNs,
    meanNs: m.count === 0 ? 0 : h.mean,
    stddevNs: m.count === 0 ? 0 : h.stdDeviation,
    maxNs: m.maxNs,
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
export function summarizeEncoded(parts: readonly EncodedLatency[]): LatencySummary {
  return summarizeLatency(mergeLatencies(parts));
}

/** Summarise a distribution of counts (commits per sync). */
export function summarizeCounts(parts: readonly EncodedLatency[]): CountSummary | null {
  const m = mergeLatencies(parts);
  if (m.count === 0) return null;
  const at = (p: number): number => Math.min(m.histogram.getValueAtPercentile(p), m.maxNs);
  return {
    count: m.count,
    min: m.minNs,
    mean: m.histogram.mean,
    p50: at(50),
    p99: at(99),
    max: m.maxNs,
    histogram: encodeHistogram(m.histogram),
  };
}

/** A latency summary rebuilt from a stored summary's histogram (for re-merging saved reports). */
export function latencyFromSummary(s: LatencySummary): EncodedLatency {
  return { histogram: s.histogram, count: s.count, minNs: s.minNs, maxNs: s.maxNs };
}

/** Merge stored summaries exactly (their encoded histograms add). */
export function mergeSummaries(parts: readonly LatencySummary[]): LatencySummary {
  return summarizeLatency(mergeLatencies(parts.map(latencyFromSummary)));
}

export { encodeMerged };
