/**
 * The canonical report: one JSON document per run. Every other format is rendered from it, and any
 * saved report can be re-rendered, compared, merged or gated later (its histograms are kept encoded).
 *
 * Compatibility: readers accept any `schemaVersion` up to `SCHEMA_VERSION` and refuse newer ones with
 * a clear message. Adding optional fields does not bump the version; changing a field's meaning does.
 */
import type { EncodedLatency } from './hdr.js';
import type { Mode } from '../engines/types.js';
import type { SyncKind } from '../io/io.js';

export const SCHEMA_VERSION = 1;
export const TOOL_NAME = 'durabench';

/** fio's default percentile list (`--percentile_list`), used for every latency summary. */
export const FIO_PERCENTILES: readonly number[] = [1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99];

/** A latency distribution. Units are nanoseconds; percentile keys are printed as fio does (`"99.000000"`). */
export interface LatencySummary {
  count: number;
  minNs: number;
  meanNs: number;
  stddevNs: number;
  maxNs: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  p999Ns: number;
  p9999Ns: number;
  /** fio-compatible percentile map: `{"1.000000": ns, ..., "99.990000": ns}`. */
  percentilesNs: Record<string, number>;
  /** Compressed base64 HDR histogram (ns): re-mergeable across reports and hosts. */
  histogram: string;
}

/** Distribution of a count (commits per sync) — same shape, values are plain counts. */
export interface CountSummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
  histogram: string;
}

/** Declared exposure: what the engine claims about acked-but-not-yet-durable commits. */
export interface ExposureSummary {
  /** True in `none` mode: nothing the engine does bounds the exposure (only OS writeback does). */
  unbounded: boolean;
  /** Peak number of acked commits not yet covered by a sync (per writer; the max over writers). */
  maxCommits: number;
  /** Per commit, ack → return of the sync that covers it. Null when unbounded. */
  p50Ns: number | null;
  p99Ns: number | null;
  maxNs: number | null;
  histogram: string | null;
}

/** One second (or `intervalMs`) of commit latency, merged across writers. */
export interface TimelinePoint {
  /** Interval start relative to the start of measurement, ms. */
  startMs: number;
  commits: number;
  p50Ns: number;
  p99Ns: number;
  maxNs: number;
  histogram: string;
}

/** Everything measured for one case. */
export interface CaseMetrics {
  /** Measured wall time (from the common start until the last writer stopped), ns. */
  durationNs: number;
  commits: number;
  /** Key + value bytes committed. */
  bytes: number;
  commitsPerSec: number;
  bytesPerSec: number;
  /** Sync calls of every kind. */
  syncs: number;
  syncsByKind: Record<SyncKind, number>;
  syncsPerCommit: number;
  commitLatency: LatencySummary;
  /** All sync calls, every kind together. */
  syncLatency: LatencySummary;
  /** Per kind, only kinds that occurred. */
  syncLatencyByKind: Partial<Record<SyncKind, LatencySummary>>;
  /** Commits per sync as they really happened (from the engine's durability claims). */
  commitsPerSync: CountSummary | null;
  exposure: ExposureSummary;
  /** Engine phases (flush, compaction, checkpoint, ...): their durations. */
  phaseLatency: Record<string, LatencySummary>;
  /** Commit latency of commits during which an engine phase ran (a flush stall), and of the others. */
  commitLatencyDuringPhase: LatencySummary | null;
  commitLatencyOutsidePhase: LatencySummary | null;
  /** Per-interval commit latency (stalls visible). */
  timeline: TimelinePoint[];
  timelineIntervalMs: number;
  /** Engine-specific counters, summed over writers. */
  engineStats: Record<string, number>;
  /** Bytes the io layer wrote (including framing and preallocation), summed over writers. */
  ioBytesWritten: number;
}

/** The identity of a case: reports are compared by this key. */
export interface CaseKey {
  engine: string;
  mode: Mode;
  /** Commits per sync in batch mode; 1 for sync; null for none. */
  batchSize: number | null;
  batchMs: number | null;
  writers: number;
  valueBytes: number;
  /** `unique` (every commit a new key) or `overwrite:K` (K keys per writer). */
  workload: string;
  /** The `--dir` target this case ran in (as given). */
  target: string;
  /** Fault switch, or null for the correct engine. */
  fault: string | null;
}

/** How the case was run, beyond its key. */
export interface CaseParams {
  engineOptions: Record<string, number | string | boolean>;
  seed: number;
  warmupMs: number;
  /** Stop condition: a duration in ms or a commit count per writer. */
  durationMs: number | null;
  commitsPerWriter: number | null;
}

interface CaseBase {
  /** Stable id derived from the key, e.g. `wal/batch/b32/w1/v128/unique/t0`. */
  id: string;
  key: CaseKey;
  params: CaseParams;
  startedAt: string;
  finishedAt: string;
}

export interface CompletedCase extends CaseBase {
  state: 'completed';
  metrics: CaseMetrics;
  /** Crash-lab results when trials ran for this case. */
  crash?: CrashSummary;
  /** With --repeat: each repeat's headline metrics and their spread. */
  repeats?: RepeatSummary;
  warnings: Warning[];
}

export interface ErroredCase extends CaseBase {
  state: 'errored';
  /** One line: what failed and, when known, how to fix it. */
  reason: string;
  /** errno code when the failure was an fs error (ENOSPC, EIO, ...). */
  code: string | null;
  /** What was measured before the failure, if anything. */
  partialMetrics: CaseMetrics | null;
}

export interface SkippedCase extends CaseBase {
  state: 'skipped';
  reason: string;
}

export type CaseResult = CompletedCase | ErroredCase | SkippedCase;

/** Crash-lab summary for one case (filled by the crash lab). */
export interface CrashSummary {
  crashKind: 'kill' | 'power';
  filesystem: string | null;
  trials: CrashTrial[];
  trialsWithLoss: number;
  lostMax: number;
  lostP50: number;
  lostP99: number;
  lossWindowMsMax: number;
  lossWindowMsP99: number;
  corruptTotal: number;
  /** `consistent` when measured loss fits the declared exposure; otherwise a durability bug was found. */
  verdict: 'consistent' | 'DURABILITY BUG';
  verdictReason: string;
  /** Mount options of the power-crash filesystem (null: defaults or kind `kill`). */
  mountOptions?: string | null;
  /** How crash points were chosen: `random`, `op:K`, `marker:NAME:N` or a sweep `marker:A..marker:B`. */
  crashAt?: string;
  /** Power: `random` when a seeded random half of the unsynced file blocks was written back before the cut. */
  writeback?: 'random';
  /** The declared bound on lost acked commits per writer: 0 (sync), batchSize − 1 (batch), null (none: unbounded). */
  lossBoundCommits?: number | null;
  /** Trials that could not run to verification (crash point never reached, ...): not in the statistics. */
  trialsErrored?: number;
  /** The lab's own cost per trial (kill: kill → recover → verify; power: stop → snapshot → mount → recover → verify), ns. */
  labNsP50?: number;
  labNsMax?: number;
}

export interface CrashTrial {
  crashPoint: string;
  acked: number;
  lost: number;
  corrupt: number;
  lossWindowCommits: number;
  lossWindowMs: number;
  recoveryNs: number;
  discardedBytes: number;
  crcFailures: number;
  notes: string[];
  /** Why the trial could not be verified (the other fields are then 0). */
  error?: string;
  /** Recovery found a torn record at a log tail. */
  tornTail?: boolean;
  /** How long the writer had been acking when it crashed, ms. */
  writerRunMs?: number;
  /** The lab's own cost: crash instant → verified, ns (see CrashSummary.labNsP50). */
  labNs?: number;
  /** Power: snapshot attempts repeated because the device's write counters moved during the copy. */
  snapshotRetries?: number;
  /** The lab's cost by step, ns: stop, snapshot, kill, mount (journal replay), recover, verify, cleanup. */
  labPhasesNs?: Record<string, number>;
}

export interface RepeatSummary {
  count: number;
  /** Per headline metric: median and 95 % confidence interval over the repeats. */
  metrics: Record<string, RepeatStat>;
}

/** One metric over the repeats of a case (keys are metric ids such as `commit_p99_ns`). */
export interface RepeatStat {
  median: number;
  ciLow: number;
  ciHigh: number;
  /** Each repeat's value, in repeat order. */
  values: number[];
  /** Arithmetic mean of `values` (added in 0.1; optional in older reports). */
  mean?: number;
  /**
   * How the 95 % interval was computed: order statistics around the median (≥ 6 repeats), the
   * Student-t interval of the mean (2–5 repeats), or none (1 repeat).
   */
  ciMethod?: 'median-order-statistics' | 'mean-t' | 'none';
}

/** A warning is data: what was seen, why it matters, what to do. */
export interface Warning {
  code: string;
  message: string;
  remedy: string;
}

/** Why a value could not be read: provenance fields are `null` with a reason, never a guess. */
export interface Unknown {
  value: null;
  reason: string;
}

export type Known<T> = { value: T } | Unknown;

export interface TargetInfo {
  /** The directory as given. */
  dir: string;
  realPath: string;
  fsType: Known<string>;
  mountPoint: Known<string>;
  mountOptions: Known<string>;
  /** e.g. `/dev/vda`, `/dev/loop3`. */
  device: Known<string>;
  /** Device chain from the partition or loop device to the disk (with a loop's backing file). */
  deviceChain: Known<string[]>;
  model: Known<string>;
  rotational: Known<boolean>;
  /** `write back` or `write through` (from /sys/block/<dev>/queue/write_cache). */
  writeCache: Known<string>;
  scheduler: Known<string>;
  /** What fsync/fdatasync do on this platform. */
  syncSemantics: string;
  /**
   * Added in 0.1 (absent in older reports). The mount's source as mountinfo gives it
   * (`/dev/vda1`, `tmpfs`, `server:/export`).
   */
  mountSource?: Known<string>;
  /**
   * Added in 0.1. Every block device from the filesystem's down to the disks, depth first; the
   * top-level `model`, `rotational`, `writeCache` and `scheduler` describe the bottom one (the disk
   * whose cache and medium decide durability). Empty when the filesystem has no block device.
   */
  devices?: BlockDeviceInfo[];
}

/** What kind of block device: memory-backed ones (zram, brd ram disks) lose everything on power loss. */
export type BlockDeviceKind = 'disk' | 'partition' | 'loop' | 'dm' | 'md' | 'memory' | 'other';

/** One block device under a target, as sysfs describes it. */
export interface BlockDeviceInfo {
  /** sysfs name: `vda1`, `loop3`, `dm-0`, `nvme0n1`. */
  name: string;
  /** `/dev/<name>`. */
  path: string;
  kind: BlockDeviceKind;
  /** `major:minor` from /sys/class/block/<name>/dev. */
  majorMinor: Known<string>;
  model: Known<string>;
  /** A partition reports its disk's queue attributes. */
  rotational: Known<boolean>;
  /** `write back` or `write through` (queue/write_cache). */
  writeCache: Known<string>;
  /** The active I/O scheduler (`mq-deadline`, `none`). */
  scheduler: Known<string>;
  /** Devices this one sits on: a partition's disk, dm/md slaves, the device under a loop's backing file. */
  parents: string[];
  /** Loop devices: the file behind the device (/sys/block/loopN/loop/backing_file). */
  backingFile?: Known<string>;
  /** Loop devices: the filesystem that holds the backing file (tmpfs there means nothing is durable). */
  backingFsType?: Known<string>;
}

export interface HostInfo {
  hostname: string;
  os: string;
  kernel: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  memoryBytes: number;
  nodeVersion: string;
  uvThreadpoolSize: string | null;
  targets: TargetInfo[];
  /** Added in 0.1 (absent in older reports): PRETTY_NAME from /etc/os-release. */
  osRelease?: Known<string>;
  /** Added in 0.1: `process.platform` (`linux`, `darwin`, ...). */
  platform?: string;
  /** Added in 0.1: `os.version()`, the kernel's build string. */
  kernelBuild?: string;
  /** Added in 0.1: `os.availableParallelism()` (CPUs this process may use). */
  availableParallelism?: number;
  /** Added in 0.1: the libuv thread pool size in effect (4 when UV_THREADPOOL_SIZE is unset). */
  uvThreadpoolSizeEffective?: number;
}

export interface ToolInfo {
  name: typeof TOOL_NAME;
  version: string;
  gitSha: string | null;
  /** Added in 0.1: why `gitSha` is null (not a checkout, git missing, ...). */
  gitShaReason?: string;
  /** Added in 0.1: the checkout had uncommitted changes when the report was written. */
  gitDirty?: boolean;
}

// PROBE-ADDITIONS: the report of `durabench probe` (schemaVersion, tool and host as in RunReport).

/** One way of making writes durable that `durabench probe` measures (docs/probe-and-env.md). */
export interface ProbeMethodInfo {
  /** Stable id, e.g. `fdatasync`, `o_sync-4x4k`, `dirfsync-after-rename`. */
  id: string;
  /** The comparison it belongs to, e.g. `one write per sync`, `O_SYNC write sizes`. */
  group: string;
  /** One sentence: what one operation does. */
  description: string;
  /** The write size this method was run with (`--block-bytes`); the O_SYNC size series always writes 16 kB. */
  blockBytes: number;
  /** Bytes written per operation (0 for directory fsyncs). */
  bytesPerOp: number;
  /** Writes per operation. */
  writesPerOp: number;
  /** Sync calls per operation (an O_DSYNC/O_SYNC write counts as one). */
  syncsPerOp: number;
}

/** What was measured for one method on one target. */
export interface ProbeMetrics {
  /** Operations measured (warm-up excluded). */
  samples: number;
  /** 1e9 / mean latency: operations per second of the timed part of each operation. */
  opsPerSec: number;
  /** Sum of the measured latencies, ns (the time budget spent inside the timed part). */
  measuredNs: number;
  /** Per-operation latency in ns, from our own HDR histogram (exact percentiles, kept encoded). */
  latency: LatencySummary;
  /** tinybench's relative margin of error of the mean latency (95 % confidence), percent. */
  rmePercent: number;
  /**
   * Operations per second in each fifth of the measured time, in order (the probe's repeats: a wide
   * spread between them is a noisy measurement).
   */
  sliceOpsPerSec: number[];
  /** How the method was set up where it matters (e.g. where the O_DIRECT buffer is aligned). */
  notes: string[];
}

interface ProbeResultBase {
  /** The `--dir` target as given. */
  target: string;
  method: ProbeMethodInfo;
}

/** One probe result: target × method, a union tagged by `state`. */
export type ProbeResult =
  | (ProbeResultBase & { state: 'completed'; metrics: ProbeMetrics })
  /** The platform or filesystem refuses the method (O_DIRECT on tmpfs: EINVAL). */
  | (ProbeResultBase & { state: 'unsupported'; reason: string; code: string | null })
  /** The method failed while running (ENOSPC, EIO, ...). */
  | (ProbeResultBase & { state: 'errored'; reason: string; code: string | null });

/** The settings a probe ran with, so it can be repeated. */
export interface ProbeSettings {
  /** Measured seconds per method and target. */
  seconds: number;
  warmupSeconds: number;
  /** Write sizes of the block-size methods, bytes (pg_test_fsync uses 8 kB). */
  blockBytes: number[];
  /** Targets as given. */
  targets: string[];
}

/** The report of `durabench probe`. */
export interface ProbeReport {
  schemaVersion: number;
  kind: 'probe';
  tool: ToolInfo;
  host: HostInfo;
  settings: ProbeSettings;
  startedAt: string;
  finishedAt: string | null;
  results: ProbeResult[];
  warnings: Warning[];
  /** `interrupted` after SIGINT (the results so far are kept). */
  status: 'running' | 'completed' | 'interrupted';
}

/** What `durabench env --json` prints: the provenance and the warnings about the targets. */
export interface EnvReport {
  schemaVersion: number;
  kind: 'env';
  tool: ToolInfo;
  host: HostInfo;
  warnings: Warning[];
}

/** The report of `durabench run` (and `crash`, `tune`: they add fields to cases). */
export interface RunReport {
  schemaVersion: number;
  kind: 'run';
  tool: ToolInfo;
  host: HostInfo;
  /** The resolved suite: every option after defaults, so the run can be repeated. */
  suite: ResolvedSuite;
  startedAt: string;
  finishedAt: string | null;
  /** `running` while cases are still being written, `interrupted` after SIGINT. */
  status: 'running' | 'completed' | 'interrupted';
  cases: CaseResult[];
  warnings: Warning[];
  /** Written by `durabench tune`: the batch sweep, its Pareto front and the recommendation. */
  tune?: TuneSummary;
  /** Written by `durabench merge`: the reports this one was merged from. */
  mergedFrom?: MergedSource[];
}

/** One report that went into a merged report. */
export interface MergedSource {
  file: string;
  hostname: string;
  startedAt: string;
  gitSha: string | null;
}

/** A loss budget for `tune`: the most a crash may lose, in time or in commits. */
export type LossBudget = { kind: 'ms'; ms: number } | { kind: 'commits'; commits: number };

/** One setting of a batch sweep with what it cost and what it risks. */
export interface TunePoint {
  caseId: string;
  batchSize: number;
  batchMs: number | null;
  commitsPerSec: number;
  commitP99Ns: number;
  /** Declared exposure: peak acked-unsynced commits (per writer) and worst ack→sync time. */
  exposureMaxCommits: number;
  exposureMaxNs: number;
  /** Measured loss when crash trials ran (null otherwise). */
  lostMax: number | null;
  lossWindowMsMax: number | null;
  /** On the Pareto front of (throughput ↑, commit p99 ↓, exposure ↓). */
  pareto: boolean;
  /** Inside the loss budget (true when no budget was given). */
  withinBudget: boolean;
  /** Why it is outside the budget, when it is. */
  budgetReason: string | null;
}

export interface TuneSummary {
  engine: string;
  budget: LossBudget | null;
  points: TunePoint[];
  /** The highest-throughput point inside the budget, or null when none fits. */
  recommendation: { caseId: string; batchSize: number; batchMs: number | null; reason: string } | null;
  /** One plain sentence: the recommendation, or that no setting fits the budget. */
  verdict: string;
  /** `measured` when crash trials ran; `pending` when they were asked for but the crash lab is unavailable. */
  crash: 'measured' | 'not-requested' | 'pending';
  notes: string[];
}

export interface ResolvedSuite {
  name: string;
  engines: string[];
  modes: Mode[];
  batchSizes: number[];
  batchMs: number | null;
  writers: number[];
  valueBytes: number[];
  workloads: string[];
  targets: string[];
  faults: (string | null)[];
  engineOptions: Record<string, number | string | boolean>;
  seed: number;
  warmupMs: number;
  durationMs: number | null;
  commitsPerWriter: number | null;
  repeat: number;
}

// CRASH-LAB-ADDITIONS: the report of `durabench crash` (schemaVersion and tool/host as in RunReport).

/** The identity of one crash-lab case. */
export interface CrashCaseKey {
  engine: string;
  mode: Mode;
  /** Commits per sync in batch mode; 1 for sync; null for none. */
  batchSize: number | null;
  batchMs: number | null;
  valueBytes: number;
  workload: string;
  fault: string | null;
  crashKind: 'kill' | 'power';
  /** Filesystem of the loop-mounted image (power), or null (kill: the target directory's own). */
  filesystem: string | null;
  mountOptions: string | null;
  /** `random`, `op:K`, `marker:NAME:N` or `marker:A..marker:B`. */
  crashAt: string;
  /** Power with partial writeback (`--writeback random`); absent otherwise. */
  writeback?: 'random';
}

interface CrashCaseBase {
  /** e.g. `wal/batch/b32/flush-no-fsync/power/ext4/random`. */
  id: string;
  key: CrashCaseKey;
  engineOptions: Record<string, number | string | boolean>;
  seed: number;
  startedAt: string;
  finishedAt: string;
}

export type CrashCaseResult =
  | (CrashCaseBase & { state: 'completed'; crash: CrashSummary })
  | (CrashCaseBase & { state: 'errored'; reason: string })
  | (CrashCaseBase & { state: 'skipped'; reason: string });

/** The report of `durabench crash` (one JSON document; Markdown and console tables are rendered from it). */
export interface CrashReport {
  schemaVersion: number;
  kind: 'crash';
  tool: ToolInfo;
  host: HostInfo;
  /** The suite name (`seed`) or null for a matrix given by flags. */
  suite: string | null;
  trialsPerCase: number;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'completed' | 'interrupted';
  cases: CrashCaseResult[];
}
