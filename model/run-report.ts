/**
 * The report of `durabench run` (and `tune`, `merge`): one JSON document per run. Every other format
 * is rendered from it, and any saved report can be re-rendered, compared, merged or gated later (its
 * histograms are kept encoded).
 */
import { Type, type Static } from '@sinclair/typebox';
import { CaseKey, CaseParams, EngineOptions, SHARES } from './case.js';
import { CrashSummary, LAB_FILESYSTEMS } from './crash-report.js';
import { ACKS, ALL_MODES } from './durability.js';
import { CountSummary, LatencySummary } from './latency.js';
import { HeaderProps, SessionProps } from './report.js';
import { SyncCounts, SYNC_KINDS } from './sync-kind.js';
import { Warning } from './warning.js';
import { ServerFacts } from './server.js';
import { DeviceTruth } from './device.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** Declared exposure: what the engine claims about acked-but-not-yet-durable commits. */
export const ExposureSummary = Type.Object({
  /** True in `none` mode: nothing the engine does bounds the exposure (only OS writeback does). */
  unbounded: Type.Boolean(),
  /** Peak number of acked commits not yet covered by a sync (per writer; the max over writers). */
  maxCommits: Type.Integer({ minimum: 0 }),
  /** Per commit, ack → return of the sync that covers it. Null when unbounded. */
  p50Ns: Nullable(Type.Number({ minimum: 0 })),
  p99Ns: Nullable(Type.Number({ minimum: 0 })),
  /** p99.9 of ack → sync (tune's default exposure statistic); filled from the histogram when a report lacks it. */
  p999Ns: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
  maxNs: Nullable(Type.Number({ minimum: 0 })),
  histogram: Nullable(Type.String()),
});
export type ExposureSummary = Static<typeof ExposureSummary>;

/**
 * One interval of the measurement, merged across writers: commit latency (and its histogram), and
 * the sync calls that returned in it. Throughput is `commits` over the interval's length (the last
 * interval ends with the measurement).
 */
export const TimelinePoint = Type.Object({
  /** Interval start relative to the start of measurement, ms. */
  startMs: Type.Number({ minimum: 0 }),
  commits: Type.Integer({ minimum: 0 }),
  p50Ns: Type.Number({ minimum: 0 }),
  p99Ns: Type.Number({ minimum: 0 }),
  maxNs: Type.Number({ minimum: 0 }),
  histogram: Type.String(),
  /** Sync calls (every kind) in the interval, their p99 and max, and their histogram (absent in older reports). */
  syncs: Type.Optional(Type.Integer({ minimum: 0 })),
  syncP99Ns: Type.Optional(Type.Number({ minimum: 0 })),
  syncMaxNs: Type.Optional(Type.Number({ minimum: 0 })),
  syncHistogram: Type.Optional(Type.String()),
});
export type TimelinePoint = Static<typeof TimelinePoint>;

/** One run of an engine phase (flush, compaction, checkpoint, merge, rotation) during the measurement. */
export const PhaseSpan = Type.Object({
  phase: Type.String(),
  writer: Type.Integer({ minimum: 0 }),
  /** Start relative to the start of measurement, ms. */
  startMs: Type.Number({ minimum: 0 }),
  durationMs: Type.Number({ minimum: 0 }),
});
export type PhaseSpan = Static<typeof PhaseSpan>;

/** Everything measured for one case. */
export const CaseMetrics = Type.Object({
  /** Measured wall time (from the common start until the last writer stopped), ns. */
  durationNs: Type.Number({ minimum: 0 }),
  commits: Type.Integer({ minimum: 0 }),
  /** Key + value bytes committed. */
  bytes: Type.Number({ minimum: 0 }),
  commitsPerSec: Type.Number({ minimum: 0 }),
  bytesPerSec: Type.Number({ minimum: 0 }),
  /** Sync calls of every kind. */
  syncs: Type.Integer({ minimum: 0 }),
  syncsByKind: SyncCounts,
  syncsPerCommit: Type.Number({ minimum: 0 }),
  commitLatency: LatencySummary,
  /** All sync calls, every kind together. */
  syncLatency: LatencySummary,
  /** Per kind, only kinds that occurred. */
  syncLatencyByKind: Type.Partial(Type.Object(Object.fromEntries(SYNC_KINDS.map((k) => [k, LatencySummary])))),
  /**
   * Commits per sync as they really happened: from the engine's durability claims, or on a shared
   * log the group sizes (all writers' commits one sync covered, recorded by the thread that synced).
   */
  commitsPerSync: Nullable(CountSummary),
  /**
   * Shared log only: per sync, how long its leader waited before issuing it (commit_delay, filling a
   * batch, a record still being written below the ones it covers).
   */
  leaderWaitLatency: Type.Optional(LatencySummary),
  exposure: ExposureSummary,
  /** Engine phases (flush, compaction, checkpoint, ...): their durations. */
  phaseLatency: Type.Record(Type.String(), LatencySummary),
  /** Commit latency of commits during which an engine phase ran (a stall), and of the others. */
  commitLatencyDuringPhase: Nullable(LatencySummary),
  commitLatencyOutsidePhase: Nullable(LatencySummary),
  /** Per-interval commit latency (stalls visible). */
  timeline: Type.Array(TimelinePoint),
  timelineIntervalMs: Type.Number({ exclusiveMinimum: 0 }),
  /** When each engine phase ran (the timeline shades them); absent in older reports. */
  phaseSpans: Type.Optional(Type.Array(PhaseSpan)),
  /** Spans beyond the per-writer limit, counted but not kept. */
  phaseSpansDropped: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Engine-specific counters, summed over writers. */
  engineStats: Type.Record(Type.String(), Type.Number()),
  /** Bytes the io layer wrote (including framing and preallocation), summed over writers. */
  ioBytesWritten: Type.Number({ minimum: 0 }),
});
export type CaseMetrics = Static<typeof CaseMetrics>;

/**
 * One metric over the repeats of a case (keys of `RepeatSummary.metrics` are metric ids): each
 * repeat's value, their median, and the distribution-free 95 % confidence interval for the median
 * from order statistics (analysis/repeat-stats.ts). Below the number of repeats that interval needs
 * (6), `ciLow`/`ciHigh` are absent and `ciReason` says why. Derived from `values`: readers
 * recompute it, so a report written with an older method reads with the current one.
 */
export const RepeatStat = Type.Object({
  median: Type.Number(),
  /** Each repeat's value, in repeat order. */
  values: Type.Array(Type.Number()),
  /** The interval [ciLow, ciHigh] for the median: two of the measured values, never outside their range. */
  ciLow: Type.Optional(Type.Number()),
  ciHigh: Type.Optional(Type.Number()),
  /** Exact coverage of [ciLow, ciHigh] for any continuous distribution (≥ 0.95), e.g. 0.969 with 6 repeats. */
  ciCoverage: Type.Optional(Type.Number()),
  /** `median-order-statistics`, or `none` with `ciReason`. */
  ciMethod: Type.Optional(Type.String()),
  /** Why there is no interval (too few repeats). */
  ciReason: Type.Optional(Type.String()),
  mean: Type.Optional(Type.Number()),
});
export type RepeatStat = Static<typeof RepeatStat>;

export const RepeatSummary = Type.Object({
  count: Type.Integer({ minimum: 1 }),
  /** Per metric measured in every repeat: the values, their median and its 95 % interval. */
  metrics: Type.Record(Type.String(), RepeatStat),
});
export type RepeatSummary = Static<typeof RepeatSummary>;

const CaseBase = {
  /** Stable id derived from the key, e.g. `wal/batch-32/w1/v128/unique/t0`. */
  id: Type.String(),
  key: CaseKey,
  params: CaseParams,
  startedAt: Type.String(),
  finishedAt: Type.String(),
};

export const CompletedCase = Type.Object({
  ...CaseBase,
  state: Type.Literal('completed'),
  metrics: CaseMetrics,
  /** Crash-lab results when trials ran for this case. */
  crash: Type.Optional(CrashSummary),
  /** With --repeat: each repeat's headline metrics and their spread. */
  repeats: Type.Optional(RepeatSummary),
  /** Server engines: the server's setting and its documented promise. */
  server: Type.Optional(ServerFacts),
  /**
   * What the block device under the target counted over the measured window (absent in reports
   * written before it was measured): exact on a `run --fs` image, approximate on a shared disk.
   */
  device: Type.Optional(DeviceTruth),
  warnings: Type.Array(Warning),
});
export type CompletedCase = Static<typeof CompletedCase>;

export const ErroredCase = Type.Object({
  ...CaseBase,
  state: Type.Literal('errored'),
  /** One line: what failed and, when known, how to fix it. */
  reason: Type.String(),
  /** errno code when the failure was an fs error (ENOSPC, EIO, ...). */
  code: Nullable(Type.String()),
  /** What was measured before the failure, if anything. */
  partialMetrics: Nullable(CaseMetrics),
});
export type ErroredCase = Static<typeof ErroredCase>;

export const SkippedCase = Type.Object({ ...CaseBase, state: Type.Literal('skipped'), reason: Type.String() });
export type SkippedCase = Static<typeof SkippedCase>;

export const CaseResult = Type.Union([CompletedCase, ErroredCase, SkippedCase]);
export type CaseResult = Static<typeof CaseResult>;

/**
 * `run --fs`: a loop-mounted image of one filesystem, made in one `--dir`, that the whole matrix
 * ran on. Its mount point is the target of the cases that ran there (`key.target`).
 */
export const FsTarget = Type.Object({
  /** As given: `ext4`, `ext4:data=journal`, `xfs:logbsize=256k`. */
  spec: Type.String(),
  fs: Type.Union(LAB_FILESYSTEMS.map((f) => Type.Literal(f))),
  /** Mount options of the image (null: the filesystem's defaults). */
  mountOptions: Nullable(Type.String()),
  imageMib: Type.Integer({ minimum: 1 }),
  /** The `--dir` the image file was made in (the disk under test). */
  dir: Type.String(),
  /** The mount point: the target the cases ran in. */
  target: Type.String(),
});
export type FsTarget = Static<typeof FsTarget>;

/** The resolved suite: every option after defaults, so the run can be repeated. */
export const ResolvedSuite = Type.Object({
  name: Type.String(),
  engines: Type.Array(Type.String()),
  modes: Type.Array(Type.Union(ALL_MODES.map((m) => Type.Literal(m)))),
  batchSizes: Type.Array(Type.Integer({ minimum: 1 })),
  batchMs: Nullable(Type.Number({ exclusiveMinimum: 0 })),
  /** Batch acks (`--ack`); null or absent: before-sync per writer, after-sync on a shared log. */
  ack: Type.Optional(Nullable(Type.Union(ACKS.map((a) => Type.Literal(a))))),
  /** Delay mode: commit_delay values (µs) and commit_siblings. */
  commitDelaysUs: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
  commitSiblings: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Pipelined mode: syncs in flight at most. */
  syncParallelisms: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }))),
  writers: Type.Array(Type.Integer({ minimum: 1 })),
  /** How writers share storage (absent: `none` only). */
  shares: Type.Optional(Type.Array(Type.Union(SHARES.map((x) => Type.Literal(x))))),
  valueBytes: Type.Array(Type.Integer({ minimum: 0 })),
  workloads: Type.Array(Type.String()),
  targets: Type.Array(Type.String()),
  faults: Type.Array(Nullable(Type.String())),
  engineOptions: EngineOptions,
  seed: Type.Integer({ minimum: 0 }),
  warmupMs: Type.Number({ minimum: 0 }),
  durationMs: Nullable(Type.Number({ exclusiveMinimum: 0 })),
  commitsPerWriter: Nullable(Type.Integer({ minimum: 1 })),
  repeat: Type.Integer({ minimum: 1 }),
  /** `run --fs`: the images the matrix ran on (then `targets` are their mount points). */
  filesystems: Type.Optional(Type.Array(FsTarget)),
});
export type ResolvedSuite = Static<typeof ResolvedSuite>;

/** A loss budget for `tune`: the most a crash may lose, in time or in commits. */
export const LossBudget = Type.Union([
  Type.Object({ kind: Type.Literal('ms'), ms: Type.Number({ minimum: 0 }) }),
  Type.Object({ kind: Type.Literal('commits'), commits: Type.Integer({ minimum: 0 }) }),
]);
export type LossBudget = Static<typeof LossBudget>;

/** The statistic of declared exposure (ack → covering sync) a loss budget in ms is held against. */
export const EXPOSURE_STATISTICS = ['p50', 'p99', 'p99.9', 'max'] as const;
export type ExposureStatistic = (typeof EXPOSURE_STATISTICS)[number];

/** One setting of a batch sweep with what it cost and what it risks. */
export const TunePoint = Type.Object({
  caseId: Type.String(),
  /** For people: `batch 16`, or with writers and policy `delay 100 µs (siblings 5), 8 writers on one log`. */
  label: Type.Optional(Type.String()),
  /** The writer count and how they share storage (a sweep over writers × policy). */
  writers: Type.Optional(Type.Integer({ minimum: 1 })),
  share: Type.Optional(Type.Union(SHARES.map((x) => Type.Literal(x)))),
  /** 1 for modes other than batch. */
  batchSize: Type.Integer({ minimum: 1 }),
  batchMs: Nullable(Type.Number()),
  commitsPerSec: Type.Number(),
  commitP99Ns: Type.Number(),
  /** Declared exposure: peak acked-unsynced commits (per writer) and worst ack→sync time (Infinity: unbounded, written as null). */
  exposureMaxCommits: Nullable(Type.Number()),
  exposureMaxNs: Nullable(Type.Number()),
  /** Declared ack → sync time at the summary's `exposureStatistic` (null: unbounded). */
  exposureNs: Type.Optional(Nullable(Type.Number())),
  /** Measured loss when crash trials ran (null otherwise). */
  lostMax: Nullable(Type.Number()),
  lossWindowMsMax: Nullable(Type.Number()),
  /** Verified crash trials behind the measured loss (0 or absent: none). */
  crashTrials: Type.Optional(Type.Integer({ minimum: 0 })),
  /** On the Pareto front of (throughput ↑, commit p99 ↓, exposure ↓): no other setting is at least as good on all three and better on one. */
  pareto: Type.Boolean(),
  /** Inside the loss budget (true when no budget was given). */
  withinBudget: Type.Boolean(),
  /** Why it is outside the budget, when it is. */
  budgetReason: Nullable(Type.String()),
});
export type TunePoint = Static<typeof TunePoint>;

export const TuneSummary = Type.Object({
  engine: Type.String(),
  budget: Nullable(LossBudget),
  /** The exposure statistic a budget in ms was held against (default p99.9). */
  exposureStatistic: Type.Optional(Type.Union(EXPOSURE_STATISTICS.map((s) => Type.Literal(s)))),
  points: Type.Array(TunePoint),
  /** The highest-throughput point inside the budget, or null when none fits. */
  recommendation: Nullable(Type.Object({ caseId: Type.String(), label: Type.Optional(Type.String()), batchSize: Type.Integer(), batchMs: Nullable(Type.Number()), reason: Type.String() })),
  /** One plain sentence: the recommendation, or that no setting fits the budget. */
  verdict: Type.String(),
  /** Why each setting faster than the recommendation (or every setting, when none fits) is out. */
  explanation: Type.Optional(Type.Array(Type.String())),
  /** `measured` when crash trials ran; `pending` when they were asked for but none completed. */
  crash: Type.Union([Type.Literal('measured'), Type.Literal('not-requested'), Type.Literal('pending')]),
  notes: Type.Array(Type.String()),
});
export type TuneSummary = Static<typeof TuneSummary>;

/** One report that went into a merged report. */
export const MergedSource = Type.Object({
  file: Type.String(),
  hostname: Type.String(),
  startedAt: Type.String(),
  gitSha: Nullable(Type.String()),
});
export type MergedSource = Static<typeof MergedSource>;

export const RunReport = Type.Object({
  kind: Type.Literal('run'),
  ...HeaderProps,
  ...SessionProps,
  suite: ResolvedSuite,
  cases: Type.Array(CaseResult),
  /** Written by `durabench tune`: the batch sweep, its Pareto front and the recommendation. */
  tune: Type.Optional(TuneSummary),
  /** Written by `durabench merge`: the reports this one was merged from. */
  mergedFrom: Type.Optional(Type.Array(MergedSource)),
});
export type RunReport = Static<typeof RunReport>;
