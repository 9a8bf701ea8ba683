/**
 * Pure: merges the measurements of a case's writers into the case's metrics. Histograms are merged
 * exactly (bucket counts add); counters are summed; throughput is total commits over the longest
 * writer's measured time (all writers start together at the barrier).
 */
import type { EncodedLatency, LatencySummary } from '../model/latency.js';
import type { WriterMeasurement } from '../model/measurement.js';
import type { CaseMetrics, ExposureSummary } from '../model/run-report.js';
import { SYNC_KINDS, zeroSyncCounts, type SyncKind } from '../model/sync-kind.js';
import { summarizeCounts, summarizeLatency } from './summary.js';
import { mergePhaseSpans, mergeTimelines } from './timeline.js';

function groupBy(parts: readonly Record<string, EncodedLatency>[]): Map<string, EncodedLatency[]> {
  const out = new Map<string, EncodedLatency[]>();
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      const list = out.get(k) ?? [];
      list.push(v);
      out.set(k, list);
    }
  }
  return out;
}

function nonEmpty(parts: readonly EncodedLatency[]): LatencySummary | null {
  return parts.some((p) => p.count > 0) ? summarizeLatency(parts) : null;
}

/** Throughput and syncs per commit over a measured time (all writers start together). */
export function rates(
  commits: number,
  bytes: number,
  syncs: number,
  durationNs: number,
): { commitsPerSec: number; bytesPerSec: number; syncsPerCommit: number } {
  const seconds = durationNs / 1e9;
  return {
    commitsPerSec: seconds > 0 ? commits / seconds : 0,
    bytesPerSec: seconds > 0 ? bytes / seconds : 0,
    syncsPerCommit: commits > 0 ? syncs / commits : 0,
  };
}

/** `timelineIntervalMs`: the planned interval, used when no writer measured anything. */
export function mergeWriterMeasurements(ms: readonly WriterMeasurement[], timelineIntervalMs: number): CaseMetrics {
  const commits = ms.reduce((a, m) => a + m.commits, 0);
  const bytes = ms.reduce((a, m) => a + m.bytes, 0);
  const durationNs = Math.max(0, ...ms.map((m) => m.durationNs));

  const syncsByKind = zeroSyncCounts();
  const syncLatencyByKind: Partial<Record<SyncKind, LatencySummary>> = {};
  for (const kind of SYNC_KINDS) {
    const parts = ms.map((m) => m.syncLatency[kind]);
    syncsByKind[kind] = parts.reduce((a, p) => a + p.count, 0);
    if (syncsByKind[kind] > 0) syncLatencyByKind[kind] = summarizeLatency(parts);
  }
  const syncs = SYNC_KINDS.reduce((a, k) => a + syncsByKind[k], 0);

  const unbounded = ms.some((m) => m.exposure.unbounded);
  const exposureParts = ms.map((m) => m.exposure.latency);
  const exposureSummary = exposureParts.some((p) => p.count > 0) ? summarizeLatency(exposureParts) : null;
  const exposure: ExposureSummary = {
    unbounded,
    maxCommits: Math.max(0, ...ms.map((m) => m.exposure.maxCommits)),
    p50Ns: unbounded ? null : (exposureSummary?.p50Ns ?? 0),
    p99Ns: unbounded ? null : (exposureSummary?.p99Ns ?? 0),
    p999Ns: unbounded ? null : (exposureSummary?.p999Ns ?? 0),
    maxNs: unbounded ? null : (exposureSummary?.maxNs ?? 0),
    histogram: unbounded ? null : (exposureSummary?.histogram ?? null),
  };

  const phaseLatency: Record<string, LatencySummary> = {};
  for (const [name, parts] of groupBy(ms.map((m) => m.phases))) phaseLatency[name] = summarizeLatency(parts);

  const timeline = mergeTimelines(ms.map((m) => ({ intervalMs: m.timelineIntervalMs, intervals: m.timeline })));
  const phaseSpans = mergePhaseSpans(ms.map((m) => ({ writer: m.writer, spans: m.phaseSpans })));
  const phaseSpansDropped = ms.reduce((a, m) => a + m.phaseSpansDropped, 0);

  // Shared log: one entry per sync, recorded by whichever writer's thread issued it.
  const leaderWaitParts = ms.map((m) => m.leaderWait).filter((p): p is EncodedLatency => p !== undefined && p.count > 0);

  const engineStats: Record<string, number> = {};
  for (const m of ms) for (const [k, v] of Object.entries(m.engineStats)) engineStats[k] = (engineStats[k] ?? 0) + v;

  return {
    durationNs,
    commits,
    bytes,
    ...rates(commits, bytes, syncs, durationNs),
    syncs,
    syncsByKind,
    commitLatency: summarizeLatency(ms.map((m) => m.commitLatency)),
    syncLatency: summarizeLatency(ms.flatMap((m) => SYNC_KINDS.map((k) => m.syncLatency[k]))),
    syncLatencyByKind,
    commitsPerSync: summarizeCounts(ms.map((m) => m.commitsPerSync)),
    ...(leaderWaitParts.length > 0 ? { leaderWaitLatency: summarizeLatency(leaderWaitParts) } : {}),
    exposure,
    phaseLatency,
    commitLatencyDuringPhase: nonEmpty(ms.map((m) => m.commitLatencyDuringPhase)),
    commitLatencyOutsidePhase: nonEmpty(ms.map((m) => m.commitLatencyOutsidePhase)),
    timeline: timeline.points,
    timelineIntervalMs: timeline.points.length > 0 ? timeline.intervalMs : timelineIntervalMs,
    phaseSpans,
    ...(phaseSpansDropped > 0 ? { phaseSpansDropped } : {}),
    engineStats,
    ioBytesWritten: ms.reduce((a, m) => a + m.ioBytesWritten, 0),
  };
}
