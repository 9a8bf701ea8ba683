/**
 * Exact merging of the metrics of several measurements of one case (the repeats of a case, or the
 * same case from several reports). Histograms add bucket by bucket; counters add; rates are total
 * over total measured time (as if the parts ran one after the other). Pure.
 */
import type { CountSummary, EncodedLatency, LatencySummary } from '../model/latency.js';
import type { CaseMetrics, ExposureSummary } from '../model/run-report.js';
import { SYNC_KINDS, zeroSyncCounts, type SyncKind } from '../model/sync-kind.js';
import { rates } from './case-metrics.js';
import { decodeHistogram, mergeEncoded } from './hdr.js';
import { intervalOfPoint, mergeTimelines } from './timeline.js';
import { countsFromSummary, latencyFromSummary, summarizeCounts, summarizeLatency, summarizeMergedLatency } from './summary.js';

function mergeSummaryList(parts: readonly (LatencySummary | null | undefined)[]): LatencySummary | null {
  const present = parts.filter((p): p is LatencySummary => p !== null && p !== undefined);
  if (present.length === 0) return null;
  return summarizeLatency(present.map(latencyFromSummary));
}

function mergeCounts(parts: readonly (CountSummary | null)[]): CountSummary | null {
  const present = parts.filter((p): p is CountSummary => p !== null);
  return summarizeCounts(present.map(countsFromSummary));
}

function mergeExposure(parts: readonly ExposureSummary[]): ExposureSummary {
  const unbounded = parts.some((p) => p.unbounded);
  const maxCommits = Math.max(0, ...parts.map((p) => p.maxCommits));
  if (unbounded) return { unbounded, maxCommits, p50Ns: null, p99Ns: null, p999Ns: null, maxNs: null, histogram: null };
  const encoded: EncodedLatency[] = [];
  for (const p of parts) {
    if (p.histogram === null) continue;
    const h = decodeHistogram(p.histogram);
    encoded.push({ unit: 'ns', histogram: p.histogram, count: h.totalCount, min: h.totalCount > 0 ? h.minNonZeroValue : 0, max: p.maxNs ?? h.maxValue });
  }
  const merged = mergeEncoded(encoded);
  if (merged.count === 0)
    return { unbounded, maxCommits, p50Ns: 0, p99Ns: 0, p999Ns: 0, maxNs: Math.max(0, ...parts.map((p) => p.maxNs ?? 0)), histogram: null };
  const s = summarizeMergedLatency(merged);
  return {
    unbounded,
    maxCommits,
    p50Ns: s.p50Ns,
    p99Ns: s.p99Ns,
    p999Ns: Math.min(s.p999Ns, Math.max(...parts.map((p) => p.maxNs ?? 0))),
    maxNs: Math.max(...parts.map((p) => p.maxNs ?? 0)),
    histogram: s.histogram,
  };
}

/** Timelines overlaid from the start of measurement (repeats of a case ran the same plan). */
function mergeTimeline(parts: readonly CaseMetrics[]): { intervalMs: number; points: CaseMetrics['timeline'] } {
  return mergeTimelines(parts.map((p) => ({ intervalMs: p.timelineIntervalMs, intervals: p.timeline.map(intervalOfPoint) })));
}

function sumRecords(parts: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Merge the metrics of several measurements of one case. */
export function mergeCaseMetrics(parts: readonly CaseMetrics[]): CaseMetrics {
  if (parts.length === 0) throw new Error('mergeCaseMetrics needs at least one part');
  if (parts.length === 1) return parts[0]!;
  const sum = (f: (m: CaseMetrics) => number): number => parts.reduce((a, m) => a + f(m), 0);
  const durationNs = sum((m) => m.durationNs);
  const commits = sum((m) => m.commits);
  const bytes = sum((m) => m.bytes);
  const syncsByKind = zeroSyncCounts();
  const syncLatencyByKind: Partial<Record<SyncKind, LatencySummary>> = {};
  for (const k of SYNC_KINDS) {
    syncsByKind[k] = sum((m) => m.syncsByKind[k] ?? 0);
    const merged = mergeSummaryList(parts.map((m) => m.syncLatencyByKind[k]));
    if (merged && merged.count > 0) syncLatencyByKind[k] = merged;
  }
  const syncs = sum((m) => m.syncs);
  const phaseNames = [...new Set(parts.flatMap((m) => Object.keys(m.phaseLatency)))];
  const phaseLatency: Record<string, LatencySummary> = {};
  for (const name of phaseNames) phaseLatency[name] = mergeSummaryList(parts.map((m) => m.phaseLatency[name]))!;
  const timeline = mergeTimeline(parts);
  return {
    durationNs,
    commits,
    bytes,
    ...rates(commits, bytes, syncs, durationNs),
    syncs,
    syncsByKind,
    commitLatency: mergeSummaryList(parts.map((m) => m.commitLatency))!,
    syncLatency: mergeSummaryList(parts.map((m) => m.syncLatency))!,
    syncLatencyByKind,
    commitsPerSync: mergeCounts(parts.map((m) => m.commitsPerSync)),
    ...(parts.some((m) => m.leaderWaitLatency) ? { leaderWaitLatency: mergeSummaryList(parts.map((m) => m.leaderWaitLatency))! } : {}),
    exposure: mergeExposure(parts.map((m) => m.exposure)),
    phaseLatency,
    commitLatencyDuringPhase: mergeSummaryList(parts.map((m) => m.commitLatencyDuringPhase)),
    commitLatencyOutsidePhase: mergeSummaryList(parts.map((m) => m.commitLatencyOutsidePhase)),
    timeline: timeline.points,
    timelineIntervalMs: timeline.intervalMs,
    // The timelines are overlaid from the start of measurement, so are the phases that shaped them.
    ...(parts.some((m) => m.phaseSpans) ? { phaseSpans: parts.flatMap((m) => m.phaseSpans ?? []).sort((a, b) => a.startMs - b.startMs) } : {}),
    engineStats: sumRecords(parts.map((m) => m.engineStats)),
    ioBytesWritten: sum((m) => m.ioBytesWritten),
  };
}
