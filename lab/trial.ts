/**
 * What kill and power runs share: the writer run's specification, the child's configuration, the
 * verified or errored trial record, and reading the strace log of a run into the census. Failures that
 * prevent verification (the crash point was never reached, the writer failed) come back as a trial
 * with outcome `errored`, never as an exception; a recovery that throws is outcome `recovery-failed`;
 * lab failures (mount, losetup) throw.
 */
import fs from 'node:fs';
import type { CrashImage, CrashTrial } from '../model/crash-report.js';
import type { ServerEndpoint } from '../model/server.js';
import type { EngineFactory, EngineOptionValue } from '../engines/types.js';
import type { InstanceSpec } from '../workers/engine-instance.js';
import { Workload, type WorkloadSpec } from '../workers/workload.js';
import { RECOVERY_FAILED } from '../analysis/crash-verdict.js';
import type { LedgerAt } from './ledger.js';
import type { ChildConfig, ChildStops } from './protocol.js';
import { parseTraceLog, type TraceLog } from './syscall-trace.js';
import { RecoveryFailedError, verifyRecovered, type VerifyInput, type VerifyResult } from './verify.js';

/** One writer run of a case: the engine, its writers and workload, the caps. */
export interface RunSpec {
  /** The engine instance, without its directory (the run decides where it lives). */
  readonly instance: Omit<InstanceSpec, 'dir'>;
  readonly writers: number;
  /** A shared log: bytes of its shared memory (`EngineFactory.sharedLog.memoryBytes(writers)`); null: a log per writer. */
  readonly sharedLogBytes: number | null;
  readonly workload: WorkloadSpec;
  readonly maxCommits: number;
  readonly maxMs: number;
  /** Markers whose io positions writer 0 reports (crash sweeps). */
  readonly reportMarkers?: readonly string[];
  /** Run the writer under strace for the syscall census (strace is installed). */
  readonly census: boolean;
  /** Server engines: the factory and options the lab starts (and restarts) the database server from. */
  readonly server?: {
    readonly factory: EngineFactory;
    readonly options: Readonly<Record<string, EngineOptionValue>>;
    /** Where prepared data directories are kept for the next trials (coordinator/server-template.ts). */
    readonly templates?: string;
  };
}

export function childConfig(spec: RunSpec, dir: string, stops: ChildStops, maxMs = spec.maxMs, server?: ServerEndpoint): ChildConfig {
  return {
    instance: { ...spec.instance, dir, ...(server ? { server } : {}) },
    writers: spec.writers,
    sharedLogBytes: spec.sharedLogBytes,
    workload: spec.workload,
    stops,
    reportMarkers: spec.reportMarkers ?? [],
    maxCommits: spec.maxCommits,
    maxMs,
  };
}

/** Which crash instant and image a trial is, and where it crashed. */
export interface TrialWhere {
  readonly instant: number;
  readonly image: CrashImage;
  readonly crashPoint: string;
  readonly writerRunMs?: number;
}

export function errorTrial(where: TrialWhere, error: string, at?: LedgerAt): CrashTrial {
  const acked = at ? at.acked.reduce((s, x) => s + x, 0) : 0;
  const durable = at ? at.durable.reduce((s, x, w) => s + Math.min(x, at.acked[w] ?? 0), 0) : 0;
  return {
    outcome: error.startsWith(RECOVERY_FAILED) ? 'recovery-failed' : 'errored',
    instant: where.instant,
    image: where.image,
    crashPoint: where.crashPoint,
    acked,
    declaredDurable: durable,
    exposure: acked - durable,
    lost: 0,
    lostDeclared: 0,
    lostTail: 0,
    lostGap: 0,
    lostRanges: [],
    lostRangeCount: 0,
    corrupt: 0,
    lossWindowCommits: 0,
    lossWindowMs: 0,
    recoveryNs: 0,
    discardedBytes: 0,
    crcFailures: 0,
    notes: [],
    error,
    ...(where.writerRunMs !== undefined ? { writerRunMs: where.writerRunMs } : {}),
  };
}

export function trialFrom(where: TrialWhere, v: VerifyResult, extra: Partial<CrashTrial>): CrashTrial {
  return {
    outcome: 'verified',
    instant: where.instant,
    image: where.image,
    crashPoint: where.crashPoint,
    acked: v.acked,
    declaredDurable: v.declaredDurable,
    exposure: v.exposure,
    lost: v.lost,
    lostDeclared: v.lostDeclared,
    lostTail: v.lostTail,
    lostGap: v.lostGap,
    lostRanges: v.lostRanges,
    lostRangeCount: v.lostRangeCount,
    corrupt: v.corrupt,
    lossWindowCommits: v.lossWindowCommits,
    lossWindowMs: v.lossWindowMs,
    recoveryNs: v.recoveryNs,
    discardedBytes: v.recovery.discardedBytes,
    crcFailures: v.recovery.crcFailures,
    notes: [...v.recovery.notes, ...v.notes].slice(0, 8),
    tornTail: v.recovery.tornTail,
    ...(where.writerRunMs !== undefined ? { writerRunMs: where.writerRunMs } : {}),
    ...(v.writers.length > 1 ? { writers: v.writers } : {}),
    ...(v.orderViolations !== null ? { orderViolations: v.orderViolations } : {}),
    ...extra,
  };
}

/** The engine must recover whatever it finds and never throw; if it does, the trial says so. */
export async function verifyOrError(input: VerifyInput): Promise<VerifyResult | { error: string }> {
  try {
    return await verifyRecovered(input);
  } catch (err) {
    if (err instanceof RecoveryFailedError) return { error: `${RECOVERY_FAILED}${err.message}` };
    throw err;
  }
}

export function fsyncPath(p: string): void {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Create the writers' directories below `dir` (a shared log: `dir` alone, every writer's log) and
 * make all of them durable (what a crash loses is the engine's doing, never the lab's).
 */
export function prepareDirs(dir: string, writers: number, parent: string, shared = false): void {
  fs.mkdirSync(dir);
  const own = writers > 1 && !shared;
  if (own) for (let w = 0; w < writers; w++) fs.mkdirSync(`${dir}/w${w}`);
  if (own) for (let w = 0; w < writers; w++) fsyncPath(`${dir}/w${w}`);
  fsyncPath(dir);
  fsyncPath(parent);
}

/** Key + value bytes of `commits` commits (keys have a fixed width). */
export function committedBytes(workload: WorkloadSpec, commits: number): number {
  if (commits === 0) return 0;
  return commits * (new Workload(workload).key(1).length + workload.valueBytes);
}

/** A run's strace log, or null when it was not traced (or the log is missing). */
export function readTrace(log: string | null): TraceLog | null {
  if (log === null || !fs.existsSync(log)) return null;
  return parseTraceLog(fs.readFileSync(log, 'utf8'), (p) => {
    try {
      return fs.statSync(p).isDirectory();
    } catch {
      return false;
    }
  });
}

/**
 * Why a crash point was not reached, with what the writer did instead: its commits and, for a
 * syscall point, the sync calls strace saw (sqlite built by better-sqlite3 calls fsync, never fdatasync).
 */
export function notReached(label: string, commits: number, runMs: number, syscall: string | null, trace: TraceLog | null): string {
  const base = `crash point ${label} was not reached in ${commits} commits (${(runMs / 1000).toFixed(1)} s)`;
  if (syscall === null || trace === null) return base;
  const made = Object.entries(trace.calls)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return `${base}: the writer made ${trace.calls[syscall] ?? 0} ${syscall} call(s)${made ? `; it made ${made}` : ''}`;
}

/** Ms since the first ack, without the time the lab held the writer stopped. */
export function runningMs(nowNs: bigint, firstAckNs: bigint | null, pausedNs: bigint): number {
  return firstAckNs === null ? 0 : Math.max(0, Number(nowNs - firstAckNs - pausedNs) / 1e6);
}

/** Add `problem` to the error already on its way out, or throw it as the error. */
export function appendOrThrow(primary: unknown, problem: string): void {
  if (primary instanceof Error) primary.message = `${primary.message}; then ${problem}`;
  else if (primary === null) throw new Error(problem);
}
