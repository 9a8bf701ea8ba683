/**
 * Builds synthetic but well-formed reports for tests and the golden fixtures: every latency is a
 * real encoded HDR histogram whose p50 and p99 are the numbers asked for.
 */
import { LatencyRecorder } from '../../stats/hdr.js';
import { summarizeLatency } from '../../stats/summary.js';
import { repeatSummary } from '../../analysis/repeat-stats.js';
import { caseKey, keyWithoutTarget } from '../../model/case.js';
import { SCHEMA_VERSION } from '../../model/report.js';
import { type CaseMetrics, type CompletedCase, type RunReport } from '../../model/run-report.js';
import { type CrashSetting, type CrashSummary, type CrashTrial } from '../../model/crash-report.js';
import { summarizeTrials } from '../../analysis/crash-verdict.js';
import type { Durability } from '../../model/durability.js';
import { type LatencySummary } from '../../model/latency.js';
import { type TargetInfo } from '../../model/provenance.js';

/** 1000 values: 98 % spread around p50 (±10 %), then p99 for 1.5 %, then 1.5 × p99. */
export function latencyValues(p50Ns: number, p99Ns: number, n = 1000): number[] {
  const out: number[] = [];
  const body = Math.round(n * 0.98);
  for (let i = 0; i < n; i++) {
    if (i < body) out.push(Math.round(p50Ns * (0.9 + (0.2 * i) / body)));
    else if (i < Math.round(n * 0.995)) out.push(p99Ns);
    else out.push(Math.round(p99Ns * 1.5));
  }
  return out;
}

export function latency(p50Ns: number, p99Ns: number, n = 1000): LatencySummary {
  const r = new LatencyRecorder();
  for (const v of latencyValues(p50Ns, p99Ns, n)) r.record(v);
  const e = r.encode();
  r.destroy();
  return summarizeLatency([e]);
}

export interface CaseSpec {
  engine: string;
  mode: 'sync' | 'batch' | 'none';
  batchSize?: number;
  target?: string;
  commitsPerSec: number;
  commitP50Us: number;
  commitP99Us: number;
  syncP50Us?: number;
  syncP99Us?: number;
  exposureMaxCommits?: number;
  exposureMaxMs?: number;
  /** Exposure p99.9 (default: the max). */
  exposureP999Ms?: number;
  crashLost?: number;
  /** Per-repeat throughputs: builds a repeats summary from scaled copies of the case. */
  repeatFactors?: number[];
}

/** A verified crash trial with the given fields (defaults: nothing lost, 1000 acked and declared durable). */
export function crashTrial(over: Partial<CrashTrial> = {}): CrashTrial {
  const lost = over.lost ?? 0;
  return {
    outcome: 'verified',
    instant: 0,
    image: 'page-cache',
    crashPoint: 'random',
    acked: 1000,
    declaredDurable: 1000,
    exposure: 0,
    lost,
    lostDeclared: lost,
    lostTail: lost,
    lostGap: 0,
    lostRanges: lost > 0 ? [{ writer: 0, from: 1001 - lost, to: 1000, where: 'tail' }] : [],
    lostRangeCount: lost > 0 ? 1 : 0,
    corrupt: 0,
    lossWindowCommits: lost,
    lossWindowMs: lost > 0 ? 2 : 0,
    recoveryNs: 1e6,
    discardedBytes: 0,
    crcFailures: 0,
    notes: [],
    ...over,
  };
}

export const KILL_SETTING: CrashSetting = { kind: 'kill', filesystem: null, mountOptions: null, crashAt: 'random', writeback: 'none', deviceCache: null, torn: false, reorderStates: 0, crashWindow: '0%..100%', runMs: 1000 };

export function crashSummaryOf(trials: CrashTrial[], durability: Durability = { mode: 'sync' }, setting: CrashSetting = KILL_SETTING): CrashSummary {
  return summarizeTrials(setting, durability, trials, {
    instants: new Set(trials.map((t) => t.instant)).size,
    wallMs: 1000,
    device: { state: 'unavailable', reason: 'fixture' },
    syscalls: { state: 'unavailable', reason: 'fixture' },
  });
}

function crashSummary(lost: number): CrashSummary {
  return crashSummaryOf([crashTrial({ lost })]);
}

function metrics(s: CaseSpec, scale = 1): CaseMetrics {
  const commits = Math.round(s.commitsPerSec * scale);
  const commitLatency = latency(s.commitP50Us * 1000 / scale, s.commitP99Us * 1000 / scale);
  const syncLatency = s.syncP50Us !== undefined ? latency(s.syncP50Us * 1000, (s.syncP99Us ?? s.syncP50Us * 2) * 1000) : latency(0, 0, 0);
  const syncs = syncLatency.count;
  const unbounded = s.mode === 'none';
  const exposureNs = (s.exposureMaxMs ?? 0) * 1e6;
  return {
    durationNs: 1e9,
    commits,
    bytes: commits * 128,
    commitsPerSec: commits,
    bytesPerSec: commits * 128,
    syncs,
    syncsByKind: { fdatasync: syncs, fsync: 0, dirfsync: 0, 'odsync-write': 0 },
    syncsPerCommit: commits > 0 ? syncs / commits : 0,
    commitLatency,
    syncLatency,
    syncLatencyByKind: syncs > 0 ? { fdatasync: syncLatency } : {},
    commitsPerSync: null,
    exposure: {
      unbounded,
      maxCommits: s.exposureMaxCommits ?? 0,
      p50Ns: unbounded ? null : exposureNs / 2,
      p99Ns: unbounded ? null : exposureNs,
      p999Ns: unbounded ? null : (s.exposureP999Ms ?? s.exposureMaxMs ?? 0) * 1e6,
      maxNs: unbounded ? null : exposureNs,
      histogram: null,
    },
    phaseLatency: {},
    commitLatencyDuringPhase: null,
    commitLatencyOutsidePhase: null,
    timeline: [0, 1, 2].map((i) => ({ startMs: i * 1000, commits: commitLatency.count, p50Ns: commitLatency.p50Ns * (1 + i / 10), p99Ns: commitLatency.p99Ns * (1 + i / 5), maxNs: commitLatency.maxNs, histogram: commitLatency.histogram })),
    timelineIntervalMs: 1000,
    engineStats: {},
    ioBytesWritten: commits * 140,
  };
}

export function completedCase(s: CaseSpec, targets: readonly string[]): CompletedCase {
  const target = s.target ?? targets[0]!;
  const key = caseKey(
    { engine: s.engine, fault: null, writers: 1, valueBytes: 128, workload: 'unique', target },
    s.mode === 'batch' ? { mode: 'batch', batchSize: s.batchSize ?? 16, batchMs: null } : { mode: s.mode },
  );
  const c: CompletedCase = {
    id: `${keyWithoutTarget(key)}/t${targets.indexOf(target)}`,
    key,
    params: { engineOptions: {}, seed: 1, warmupMs: 0, durationMs: 1000, commitsPerWriter: null },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    state: 'completed',
    metrics: metrics(s),
    warnings: [],
  };
  if (s.crashLost !== undefined) c.crash = crashSummary(s.crashLost);
  if (s.repeatFactors) {
    const repeats = s.repeatFactors.map((f) => ({ ...c, metrics: metrics(s, f) }));
    c.repeats = repeatSummary(repeats);
  }
  return c;
}

function target(dir: string, fs: string): TargetInfo {
  const unknown = { value: null, reason: 'fixture' };
  return {
    dir,
    realPath: dir,
    fsType: { value: fs },
    mountPoint: { value: dir },
    mountOptions: { value: 'rw,relatime' },
    device: { value: '/dev/vda1' },
    deviceChain: unknown,
    model: unknown,
    rotational: { value: false },
    writeCache: { value: 'write back' },
    scheduler: unknown,
    syncSemantics: 'fdatasync(2)',
  } as TargetInfo;
}

export function report(hostname: string, cases: readonly CaseSpec[], targets: readonly { dir: string; fs: string }[] = [{ dir: '/data', fs: 'ext4' }]): RunReport {
  const dirs = targets.map((t) => t.dir);
  const built = cases.map((c) => completedCase(c, dirs));
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run',
    tool: { name: 'durabench', version: '0.1.0', gitSha: null },
    host: {
      hostname,
      os: 'Linux',
      kernel: '6.1.0',
      arch: 'x64',
      cpuModel: 'fixture CPU',
      cpuCount: 2,
      memoryBytes: 4 * 2 ** 30,
      nodeVersion: 'v20.20.0',
      uvThreadpoolSize: null,
      targets: targets.map((t) => target(t.dir, t.fs)),
    } as RunReport['host'],
    suite: {
      name: 'fixture',
      engines: [...new Set(cases.map((c) => c.engine))],
      modes: [...new Set(cases.map((c) => c.mode))],
      batchSizes: [16],
      batchMs: null,
      writers: [1],
      valueBytes: [128],
      workloads: ['unique'],
      targets: dirs,
      faults: [null],
      engineOptions: {},
      seed: 1,
      warmupMs: 0,
      durationMs: 1000,
      commitsPerWriter: null,
      repeat: cases.some((c) => c.repeatFactors) ? Math.max(...cases.map((c) => c.repeatFactors?.length ?? 1)) : 1,
    },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    status: 'completed',
    cases: built,
    warnings: [],
  };
}
