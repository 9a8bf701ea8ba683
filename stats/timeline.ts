/**
 * Pure: timelines of measurements that started together (the writers of a case, or the repeats of
 * a case) merged into one, interval by interval. Parts may have different intervals (an adaptive
 * timeline doubles its interval when it grows past its point limit): every part is re-binned to the
 * coarsest one first. Histograms add exactly; phase spans are kept side by side.
 */
import type { EncodedLatency } from '../model/latency.js';
import type { PhaseSpan, TimelinePoint } from '../model/run-report.js';
import { decodeHistogram, encodeHistogram, mergeEncoded } from './hdr.js';

/**
 * What a timeline point needs from its parts — count, p50, p99, max and the histogram — without a
 * full summary (17 percentiles, mean, deviation: ~50× the cost, times hundreds of points). One part
 * keeps its encoded histogram as it is.
 */
function pointStats(parts: readonly EncodedLatency[]): { count: number; p50Ns: number; p99Ns: number; maxNs: number; histogram: string } {
  const present = parts.filter((p) => p.count > 0);
  if (present.length === 0) {
    const empty = parts[0]?.histogram ?? encodeHistogram(mergeEncoded([]).histogram);
    return { count: 0, p50Ns: 0, p99Ns: 0, maxNs: 0, histogram: empty };
  }
  const single = present.length === 1 ? present[0]! : null;
  const merged = single ? null : mergeEncoded(present);
  const h = single ? decodeHistogram(single.histogram) : merged!.histogram;
  const max = single ? single.max : merged!.max;
  return {
    count: present.reduce((a, p) => a + p.count, 0),
    p50Ns: Math.min(h.getValueAtPercentile(50), max),
    p99Ns: Math.min(h.getValueAtPercentile(99), max),
    maxNs: max,
    histogram: single ? single.histogram : encodeHistogram(h),
  };
}

export interface TimelinePart {
  readonly intervalMs: number;
  readonly intervals: readonly { readonly commit: EncodedLatency; readonly sync: EncodedLatency | null }[];
}

/** Merge timelines interval by interval at the coarsest interval of the parts. */
export function mergeTimelines(parts: readonly TimelinePart[]): { intervalMs: number; points: TimelinePoint[] } {
  const withData = parts.filter((p) => p.intervals.length > 0);
  const intervalMs = Math.max(0, ...parts.map((p) => p.intervalMs));
  if (withData.length === 0 || intervalMs <= 0) return { intervalMs: intervalMs > 0 ? intervalMs : 1000, points: [] };
  const bins: { commit: EncodedLatency[]; sync: EncodedLatency[]; syncKnown: boolean }[] = [];
  for (const p of withData) {
    p.intervals.forEach((iv, i) => {
      // A small epsilon: 3 × 10 ms lands in the 30 ms bin, not below it.
      const bin = Math.floor((i * p.intervalMs + 1e-6) / intervalMs);
      const b = (bins[bin] ??= { commit: [], sync: [], syncKnown: false });
      b.commit.push(iv.commit);
      if (iv.sync !== null) {
        b.sync.push(iv.sync);
        b.syncKnown = true;
      }
    });
  }
  const points: TimelinePoint[] = [];
  for (let i = 0; i < bins.length; i++) {
    const b = bins[i] ?? { commit: [], sync: [], syncKnown: false };
    const c = pointStats(b.commit);
    const point: TimelinePoint = { startMs: i * intervalMs, commits: c.count, p50Ns: c.p50Ns, p99Ns: c.p99Ns, maxNs: c.maxNs, histogram: c.histogram };
    if (b.syncKnown) {
      const s = pointStats(b.sync);
      point.syncs = s.count;
      point.syncP99Ns = s.p99Ns;
      point.syncMaxNs = s.maxNs;
      point.syncHistogram = s.histogram;
    }
    points.push(point);
  }
  return { intervalMs, points };
}

/** A stored timeline point as the encoded histograms it was summarised from. */
export function intervalOfPoint(p: TimelinePoint): { commit: EncodedLatency; sync: EncodedLatency | null } {
  return {
    commit: { unit: 'ns', histogram: p.histogram, count: p.commits, min: 0, max: p.maxNs },
    sync: p.syncHistogram !== undefined ? { unit: 'ns', histogram: p.syncHistogram, count: p.syncs ?? 0, min: 0, max: p.syncMaxNs ?? 0 } : null,
  };
}

/** Phase spans of several writers, in time order. */
export function mergePhaseSpans(parts: readonly { writer: number; spans: readonly Omit<PhaseSpan, 'writer'>[] }[]): PhaseSpan[] {
  return parts.flatMap((p) => p.spans.map((s) => ({ ...s, writer: p.writer }))).sort((a, b) => a.startMs - b.startMs || a.writer - b.writer);
}
