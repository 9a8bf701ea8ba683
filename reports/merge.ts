/**
 * Exact merging of whole cases: the repeats of a case in one run, or the same case measured by
 * several reports (`durabench merge`: runs from many machines add up). Histograms add bucket by
 * bucket; counters add; rates are total over total measured time (as if the parts ran one after
 * the other). Pure.
 */
import { decodeHistogram, mergeLatencies, type EncodedLatency } from './hdr.js';
import { repeatNoiseWarnings, repeatSummary } from './repeat-stats.js';
import type {
  CaseMetrics,
  CaseResult,
  CompletedCase,
  CountSummary,
  CrashSummary,
  ExposureSummary,
  LatencySummary,
  RunReport,
  TimelinePoint,
} from './schema.js';
import { latencyFromSummary, summarizeCounts, summarizeLatency } from './summary.js';
import { rates } from './case-metrics.js';
import { SYNC_KINDS, zeroSyncCounts, type SyncKind } from '../io/io.js';

function mergeSummaryList(parts: readonly (LatencySummary | null | undefined)[]): LatencySummary | null {
  const present = parts.filter((p): p is LatencySummary => p !== null && p !== undefined);
  if (present.length === 0) return null;
  return summarizeLatency(mergeLatencies(present.map(latencyFromSummary)));
}

function mergeCounts(parts: readonly (CountSummary | null)[]): CountSummary | null {
  const present = parts.filter((p): p is CountSummary => p !== null);
  return summarizeCounts(present.map((p) => ({ histogram: p.histogram, count: p.count, minNs: p.min, maxNs: p.max })));
}

function mergeExposure(parts: readonly ExposureSummary[]): ExposureSummary {
  const unbounded = parts.some((p) => p.unbounded);
  const maxCommits = Math.max(0, ...parts.map((p) => p.maxCommits));
  if (unbounded) return { unbounded, maxCommits, p50Ns: null, p99Ns: null, maxNs: null, histogram: null };
  const encoded: EncodedLatency[] = [];
  for (const p of parts) {
    if (p.histogram === null) continue;
    const h = decodeHistogram(p.histogram);
    encoded.push({
      histogram: p.histogram,
      count: h.totalCount,
      minNs: h.totalCount > 0 ? h.minNonZeroValue : 0,
      maxNs: p.maxNs ?? h.maxValue,
    });
  }
  const merged = mergeLatencies(encoded);
  if (merged.count === 0)
    return { unbounded, maxCommits, p50Ns: 0, p99Ns: 0, maxNs: Math.max(0, ...parts.map((p) => p.maxNs ?? 0)), histogram: null };
  const s = summarizeLatency(merged);
  return {
    unbounded,
    maxCommits,
    p50Ns: s.p50Ns,
    p99Ns: s.p99Ns,
    maxNs: Math.max(...parts.map((p) => p.maxNs ?? 0)),
    histogram: s.histogram,
  };
}

function mergeTimeline(parts: readonly CaseMetrics[]): TimelinePoint[] {
  const n = Math.max(0, ...parts.map((p) => p.timeline.length));
  const intervalMs = parts[0]?.timelineIntervalMs ?? 1000;
  const out: TimelinePoint[] = [];
  for (let i = 0; i < n; i++) {
    const points = parts.map((p) => p.timeline[i]).filter((p): p is TimelinePoint => p !== undefined && p.commits > 0);
    const m = mergeLatencies(points.map((p) => ({ histogram: p.histogram, count: p.commits, minNs: 0, maxNs: p.maxNs })));
    const s = summarizeLatency(m);
    out.push({ startMs: i * intervalMs, commits: s.count, p50Ns: s.p50Ns, p99Ns: s.p99Ns, maxNs: s.maxNs, histogram: s.histogram });
  }
  return out;
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
    exposure: mergeExposure(parts.map((m) => m.exposure)),
    phaseLatency,
    commitLatencyDuringPhase: mergeSummaryList(parts.map((m) => m.commitLatencyDuringPhase)),
    commitLatencyOutsidePhase: mergeSummaryList(parts.map((m) => m.commitLatencyOutsidePhase)),
    timeline: mergeTimeline(parts),
    timelineIntervalMs: parts[0]!.timelineIntervalMs,
    engineStats: sumRecords(parts.map((m) => m.engineStats)),
    ioBytesWritten: sum((m) => m.ioBytesWritten),
  };
}

/** Nearest-rank percentile of a small list (crash trials). */
function nearestRank(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Merge crash-lab summaries of one case: trials are pooled and the summary recomputed. */
export function mergeCrash(parts: readonly (CrashSummary | undefined)[]): CrashSummary | undefined {
  const present = parts.filter((p): p is CrashSummary => p !== undefined);
  if (present.length <= 1) return present[0];
  const trials = present.flatMap((p) => p.trials);
  const bug = present.find((p) => p.verdict === 'DURABILITY BUG');
  const kinds = new Set(present.map((p) => p.crashKind));
  return {
    crashKind: present[0]!.crashKind,
    filesystem: present[0]!.filesystem,
    trials,
    trialsWithLoss: trials.filter((t) => t.lost > 0).length,
    lostMax: Math.max(0, ...trials.map((t) => t.lost)),
    lostP50: nearestRank(
      trials.map((t) => t.lost),
      50,
    ),
    lostP99: nearestRank(
      trials.map((t) => t.lost),
      99,
    ),
    lossWindowMsMax: Math.max(0, ...trials.map((t) => t.lossWindowMs)),
    lossWindowMsP99: nearestRank(
      trials.map((t) => t.lossWindowMs),
      99,
    ),
    corruptTotal: trials.reduce((a, t) => a + t.corrupt, 0),
    verdict: bug ? 'DURABILITY BUG' : 'consistent',
    verdictReason: bug
      ? bug.verdictReason
      : `${present.length} crash summaries pooled${kinds.size > 1 ? ` (crash kinds ${[...kinds].join(', ')})` : ''}: ${present[0]!.verdictReason}`,
  };
}

/** Merge several completed results of one case into one (the first gives id, key and params). */
export function mergeCompletedCases(cases: readonly CompletedCase[]): CompletedCase {
  const first = cases[0]!;
  if (cases.length === 1) return first;
  const crash = mergeCrash(cases.map((c) => c.crash));
  const startedAt = cases.map((c) => c.startedAt).sort()[0]!;
  const finishedAt = cases
    .map((c) => c.finishedAt)
    .sort()
    .at(-1)!;
  return {
    id: first.id,
    key: first.key,
    params: first.params,
    startedAt,
    finishedAt,
    state: 'completed',
    metrics: mergeCaseMetrics(cases.map((c) => c.metrics)),
    ...(crash ? { crash } : {}),
    warnings: dedupeWarnings(cases.flatMap((c) => c.warnings)),
  };
}

function dedupeWarnings<T extends { code: string; message: string }>(ws: readonly T[]): T[] {
  const seen = new Set<string>();
  return ws.filter((w) => (seen.has(w.code + w.message) ? false : (seen.add(w.code + w.message), true)));
}

/**
 * Merge several reports of the same suite (`durabench merge`): every case present in any report,
 * its completed results merged exactly. The merged case's `repeats` are the spread across the
 * reports (each report counted as one repeat). Host and suite come from the first report;
 * `mergedFrom` lists every source.
 */
export function mergeReports(
  inputs: readonly { file: string; report: RunReport }[],
  caseKey: (r: RunReport, c: CaseResult) => string,
): RunReport {
  const first = inputs[0]!.report;
  const order: string[] = [];
  const byKey = new Map<string, CaseResult[]>();
  for (const { report } of inputs) {
    for (const c of report.cases) {
      const k = caseKey(report, c);
      if (!byKey.has(k)) {
        order.push(k);
        byKey.set(k, []);
      }
      byKey.get(k)!.push(c);
    }
  }
  const cases: CaseResult[] = order.map((k) => {
    const all = byKey.get(k)!;
    const done = all.filter((c): c is CompletedCase => c.state === 'completed');
    if (done.length === 0) return all[0]!;
    const merged = mergeCompletedCases(done);
    if (done.length < 2) return merged;
    const repeats = repeatSummary(done);
    return { ...merged, repeats, warnings: [...merged.warnings, ...repeatNoiseWarnings(repeats)] };
  });
  const hosts = [...new Set(inputs.map((i) => i.report.host.hostname))];
  const started = inputs.map((i) => i.report.startedAt).sort();
  const finished = inputs.map((i) => i.report.finishedAt ?? i.report.startedAt).sort();
  return {
    ...first,
    startedAt: started[0]!,
    finishedAt: finished.at(-1)!,
    status: inputs.every((i) => i.report.status === 'completed') ? 'completed' : 'interrupted',
    cases,
    warnings: [
      ...first.warnings,
      ...(hosts.length > 1
        ? [
            {
              code: 'merged-hosts',
              message: `Merged from ${inputs.length} reports of hosts ${hosts.join(', ')}; host details above are the first report's.`,
              remedy: 'See mergedFrom for every source.',
            },
          ]
        : []),
    ],
    mergedFrom: inputs.map((i) => ({
      file: i.file,
      hostname: i.report.host.hostname,
      startedAt: i.report.startedAt,
      gitSha: i.report.tool.gitSha,
    })),
  };
}
