/**
 * Merging of whole cases and reports: the repeats of a case in one run, or the same case measured
 * by several reports (`durabench merge`: runs from many machines add up). Pure.
 */
import type { CaseResult, CompletedCase, RunReport } from '../model/run-report.js';
import type { CrashSummary, SyscallCensus } from '../model/crash-report.js';
import { addCounters, deviceTruth, ZERO_COUNTERS, type DeviceTruth } from '../model/device.js';
import { mergeCaseMetrics } from '../stats/merge-metrics.js';
import type { Durability } from '../model/durability.js';
import { summarizeTrials } from './crash-verdict.js';
import { repeatNoiseWarnings, repeatSummary } from './repeat-stats.js';

/** Device truth of several runs of one case: counters and commits add up (approximate if any part was). */
function mergeDevice(parts: readonly DeviceTruth[]): DeviceTruth {
  const measured = parts.filter((d): d is Extract<DeviceTruth, { state: 'measured' }> => d.state === 'measured');
  if (measured.length < parts.length) return parts.find((d) => d.state === 'unavailable') ?? parts[0]!;
  const delta = measured.reduce((a, d) => addCounters(a, d.delta), ZERO_COUNTERS);
  const names = [...new Set(measured.map((d) => d.device))].join(',');
  return deviceTruth(names, measured.some((d) => d.approximate), delta, measured.reduce((s, d) => s + d.commits, 0), measured.reduce((s, d) => s + d.committedBytes, 0));
}

function mergeSyscalls(parts: readonly SyscallCensus[]): SyscallCensus {
  const counted = parts.filter((p): p is Extract<SyscallCensus, { state: 'counted' }> => p.state === 'counted');
  if (counted.length < parts.length) return parts.find((p) => p.state === 'unavailable')!;
  const calls: Record<string, number> = {};
  for (const p of counted) for (const [k, v] of Object.entries(p.calls)) calls[k] = (calls[k] ?? 0) + v;
  const commits = counted.reduce((s, p) => s + p.commits, 0);
  const syncs = counted.reduce((s, p) => s + (p.syncsPerCommit ?? 0) * p.commits, 0);
  return { state: 'counted', runs: counted.reduce((s, p) => s + p.runs, 0), commits, calls, syncsPerCommit: commits > 0 ? syncs / commits : null };
}

/** Merge crash-lab summaries of one case: the trials are pooled (instants renumbered) and summarised (and judged) again. */
export function mergeCrash(durability: Durability, parts: readonly (CrashSummary | undefined)[]): CrashSummary | undefined {
  const present = parts.filter((p): p is CrashSummary => p !== undefined);
  if (present.length <= 1) return present[0];
  let offset = 0;
  const trials = present.flatMap((p) => {
    const shifted = p.trials.map((t) => ({ ...t, instant: t.instant + offset }));
    offset += p.instants;
    return shifted;
  });
  return summarizeTrials(present[0]!.setting, durability, trials, {
    instants: offset,
    wallMs: present.reduce((s, p) => s + p.wallMs, 0),
    device: mergeDevice(present.map((p) => p.device)),
    syscalls: mergeSyscalls(present.map((p) => p.syscalls)),
  });
}

/** Merge several completed results of one case into one (the first gives id, key and params). */
export function mergeCompletedCases(cases: readonly CompletedCase[]): CompletedCase {
  const first = cases[0]!;
  if (cases.length === 1) return first;
  const crash = mergeCrash(first.key, cases.map((c) => c.crash));
  // Repeats' device figures add up (deltas, commits, bytes) and the ratios are taken again: the
  // ratio of the sums, so a longer repeat weighs more, as in the merged histograms.
  const devices = cases.map((c) => c.device).filter((d): d is DeviceTruth => d !== undefined);
  const device = devices.length === cases.length ? mergeDevice(devices) : undefined;
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
    ...(device ? { device } : {}),
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
