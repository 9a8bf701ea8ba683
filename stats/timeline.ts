/**
 * Pure: timelines of measurements that started together (the writers of a case, or the repeats of
 * a case) merged into one, interval by interval. Parts may have different intervals (an adaptive
 * timeline doubles its interval when it grows past its point limit): every part is re-binned to the
 * coarsest one first. Histograms add exactly; phase spans are kept side by side.
 */
import type { EncodedLatency } from '../model/latency.js';
import type { PhaseSpan, TimelinePoint } from '../model/run-report.js';
import { summarizeLatency } from './summary.js';

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
    const c = summarizeLatency(b.commit);
    const point: TimelinePoint = { startMs: i * intervalMs, commits: c.count, p50Ns: c.p50Ns, p99Ns: c.p99Ns, maxNs: c.maxNs, histogram: c.histogram };
    if (b.syncKnown) {
      const s = summarizeLatency(b.sync);
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
