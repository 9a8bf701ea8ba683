/**
 * The crash lab's results: per trial (one crash state, verified) what was acked, what the engine had
 * declared durable at the crash instant, and what came back after the crash and the engine's own
 * recovery; per case the summary, the loss distribution, device truth, the syscall census and the
 * verdict; the report of `durabench crash`. Crash cases are keyed like run cases (`CaseKey`) plus the
 * crash setting.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ServerFacts } from './server.js';
import { CaseKey, EngineOptions } from './case.js';
import { DeviceTruth } from './device.js';
import { HeaderProps, SessionProps } from './report.js';

/** `kill`: SIGKILL of the writer (the page cache survives); `power`: a power cut of the lab's drive. */
export const CRASH_KINDS = ['kill', 'power'] as const;
export type CrashKind = (typeof CRASH_KINDS)[number];

export const LAB_FILESYSTEMS = ['ext4', 'xfs', 'btrfs'] as const;
export type LabFs = (typeof LAB_FILESYSTEMS)[number];

/**
 * The drive's write cache at a power cut. `none`: every write the device completed survives (no
 * cache); `volatile`: only what a FLUSH or FUA made durable survives; `reorder`: that, plus seeded
 * random subsets of the blocks written since the last flush (the reordering a cache does at destage).
 */
export const DEVICE_CACHES = ['none', 'volatile', 'reorder'] as const;
export type DeviceCache = (typeof DEVICE_CACHES)[number];

/** How a case is crashed. */
export const CrashSetting = Type.Object({
  kind: Type.Union(CRASH_KINDS.map((k) => Type.Literal(k))),
  /** Filesystem of the loop-mounted image (power), or null (kill: the target directory's own). */
  filesystem: Type.Union([Type.Union(LAB_FILESYSTEMS.map((f) => Type.Literal(f))), Type.Null()]),
  /** Mount options of the image (null: defaults, or kind `kill`). */
  mountOptions: Type.Union([Type.String(), Type.Null()]),
  /** `random`, `op:K`, `marker:NAME:N`, `syscall:NAME:K[:before]`, or a sweep `A..B` of those. */
  crashAt: Type.String(),
  /** Power: `random` writes a seeded random half of the filesystem's unsynced file blocks to the medium before the cut. */
  writeback: Type.Union([Type.Literal('none'), Type.Literal('random')]),
  /** Power: the drive's write cache model; null for kill. */
  deviceCache: Type.Union([Type.Union(DEVICE_CACHES.map((c) => Type.Literal(c))), Type.Null()]),
  /** Power: one more crash state per instant in which one cached block is torn at a sector boundary. */
  torn: Type.Boolean(),
  /** Power, `reorder`: random subsets of the cached blocks verified per crash instant. */
  reorderStates: Type.Integer({ minimum: 0 }),
  /** Random instants: `A..B` (seconds after the first ack, writer running time) or `A%..B%` of the run; null at crash points. */
  crashWindow: Type.Union([Type.String(), Type.Null()]),
  /** How long one writer run lasts at most, ms (random instants fall inside it). */
  runMs: Type.Number({ minimum: 0 }),
});
export type CrashSetting = Static<typeof CrashSetting>;

/**
 * Which image a trial verified: `page-cache` (kill: the files as the kernel held them), `device` (every
 * write the device completed), `flushed` (only what a flush made durable), `reorder` (flushed + a
 * subset of the cached blocks), `torn` (flushed + one cached block cut at a sector).
 */
export const CRASH_IMAGES = ['page-cache', 'device', 'flushed', 'reorder', 'torn'] as const;
export type CrashImage = (typeof CRASH_IMAGES)[number];

/** `verified`: recovered and checked; `recovery-failed`: the engine's open threw (a finding); `errored`: could not be checked (not in the statistics). */
export const TRIAL_OUTCOMES = ['verified', 'recovery-failed', 'errored'] as const;
export type TrialOutcome = (typeof TRIAL_OUTCOMES)[number];

/** Consecutive lost acked commits of one writer (sequence numbers, inclusive). */
export const LostRange = Type.Object({
  writer: Type.Integer({ minimum: 0 }),
  from: Type.Integer({ minimum: 1 }),
  to: Type.Integer({ minimum: 1 }),
  /** `tail`: nothing acked after it came back (a lost suffix); `gap`: a later acked commit is intact. */
  where: Type.Union([Type.Literal('tail'), Type.Literal('gap')]),
});
export type LostRange = Static<typeof LostRange>;

/** Per writer of a multi-writer trial. */
export const WriterOutcome = Type.Object({
  writer: Type.Integer({ minimum: 0 }),
  acked: Type.Integer({ minimum: 0 }),
  declaredDurable: Type.Integer({ minimum: 0 }),
  lost: Type.Integer({ minimum: 0 }),
  lostDeclared: Type.Integer({ minimum: 0 }),
  corrupt: Type.Integer({ minimum: 0 }),
});
export type WriterOutcome = Static<typeof WriterOutcome>;

export const CrashTrial = Type.Object({
  outcome: Type.Union(TRIAL_OUTCOMES.map((o) => Type.Literal(o))),
  /** Which crash instant of the case (0-based); several trials share one instant (its crash states). */
  instant: Type.Integer({ minimum: 0 }),
  image: Type.Union(CRASH_IMAGES.map((i) => Type.Literal(i))),
  crashPoint: Type.String(),
  /** Acked commits in the ledger at the crash instant (every writer). */
  acked: Type.Integer({ minimum: 0 }),
  /** Commits the engine had declared durable (`durable(n)`, capped at acked) at the crash instant. */
  declaredDurable: Type.Integer({ minimum: 0 }),
  /** Acked but not declared durable: what the engine itself allowed a crash to lose. */
  exposure: Type.Integer({ minimum: 0 }),
  lost: Type.Integer({ minimum: 0 }),
  /** Lost commits that had been declared durable: each one is a broken promise. */
  lostDeclared: Type.Integer({ minimum: 0 }),
  /** Lost in a suffix (tail) and in gaps before an intact later commit. */
  lostTail: Type.Integer({ minimum: 0 }),
  lostGap: Type.Integer({ minimum: 0 }),
  /** The lost commits as ranges, first `lostRanges.length` of `lostRangeCount`. */
  lostRanges: Type.Array(LostRange),
  lostRangeCount: Type.Integer({ minimum: 0 }),
  /** Values no commit wrote. */
  corrupt: Type.Integer({ minimum: 0 }),
  /** The tail loss: commits from its first to the last ack, and crash instant − ack time of its first, ms. */
  lossWindowCommits: Type.Integer({ minimum: 0 }),
  lossWindowMs: Type.Number({ minimum: 0 }),
  recoveryNs: Type.Number({ minimum: 0 }),
  discardedBytes: Type.Number({ minimum: 0 }),
  crcFailures: Type.Integer({ minimum: 0 }),
  notes: Type.Array(Type.String()),
  /** Why the trial could not be verified, or what recovery threw. */
  error: Type.Optional(Type.String()),
  /** Recovery found a torn record at a log tail. */
  tornTail: Type.Optional(Type.Boolean()),
  /** The crash instant: how long the writer had been running since the first ack, ms (lab pauses excluded). */
  writerRunMs: Type.Optional(Type.Number({ minimum: 0 })),
  /** The lab's own cost for this crash state, ns. */
  labNs: Type.Optional(Type.Number({ minimum: 0 })),
  /** Power: capture attempts repeated because a device's counters moved during the copy. */
  snapshotRetries: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The lab's cost by step, ns. */
  labPhasesNs: Type.Optional(Type.Record(Type.String(), Type.Number())),
  /** Power: 4 KiB blocks in the drive's cache (written, not flushed) at the instant. */
  cachedBlocks: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Power: cached blocks this image kept (all for `device`, none for `flushed`, a subset for `reorder`). */
  keptBlocks: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Power: the kernel wrote the drive's cache back during the run (legal, less adversarial): the reason it logged. */
  destaged: Type.Optional(Type.String()),
  /** Syscall crash points: the call the writer stopped at, e.g. `fdatasync(kv.sqlite-journal)`. */
  syscall: Type.Optional(Type.String()),
  /** Per writer, when the case has several. */
  writers: Type.Optional(Type.Array(WriterOutcome)),
  /**
   * A shared log (unique workload): surviving commits that provably came after a lost acked commit
   * in the log's order — what survives a crash of one log must be a prefix of it. Absent: not checked.
   */
  orderViolations: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type CrashTrial = Static<typeof CrashTrial>;

/**
 * `consistent`: at least one crash state verified, none errored, and nothing the engine declared
 * durable was lost, corrupt or unrecoverable; `durability-bug`: an acked commit the engine had
 * declared durable was lost, a value that was never written came back, or recovery failed;
 * `inconclusive`: neither could be shown (nothing verified, or a trial errored). Rendered as
 * "consistent", "DURABILITY BUG" and "inconclusive".
 */
export const CRASH_VERDICTS = ['consistent', 'durability-bug', 'inconclusive'] as const;
export type CrashVerdict = (typeof CRASH_VERDICTS)[number];
export const CrashVerdictSchema = Type.Union(CRASH_VERDICTS.map((v) => Type.Literal(v)));

/** How many crash states lost how many acked commits: `[from, to]` buckets (0, 1, 2–3, 4–7, …). */
export const LossBucket = Type.Object({ from: Type.Integer({ minimum: 0 }), to: Type.Integer({ minimum: 0 }), trials: Type.Integer({ minimum: 0 }) });
export type LossBucket = Static<typeof LossBucket>;

/** Sync calls counted at the system-call boundary (strace), for engines whose I/O bypasses the io layer too. */
export const SyscallCensus = Type.Union([
  Type.Object({
    state: Type.Literal('counted'),
    /** Writer runs traced and the commits they acked. */
    runs: Type.Integer({ minimum: 0 }),
    commits: Type.Integer({ minimum: 0 }),
    /** Calls by name; `fsync-dir`/`fdatasync-dir` are those on a directory. */
    calls: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    /** Every sync call (fsync, fdatasync, sync_file_range, msync, syncfs, sync) per acked commit; null without commits. */
    syncsPerCommit: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  }),
  Type.Object({ state: Type.Literal('unavailable'), reason: Type.String() }),
]);
export type SyscallCensus = Static<typeof SyscallCensus>;

/** Crash-lab summary for one case. */
export const CrashSummary = Type.Object({
  setting: CrashSetting,
  trials: Type.Array(CrashTrial),
  /** Crash instants (each yields one or more crash states = trials). */
  instants: Type.Integer({ minimum: 0 }),
  trialsVerified: Type.Integer({ minimum: 0 }),
  /** Trials that could not run to verification (crash point never reached, ...): not in the statistics. */
  trialsErrored: Type.Integer({ minimum: 0 }),
  /** Trials whose recovery threw. */
  recoveryFailures: Type.Integer({ minimum: 0 }),
  trialsWithLoss: Type.Integer({ minimum: 0 }),
  trialsWithGaps: Type.Integer({ minimum: 0 }),
  lostMax: Type.Integer({ minimum: 0 }),
  lostP50: Type.Number({ minimum: 0 }),
  lostP99: Type.Number({ minimum: 0 }),
  /** Most lost commits in gaps in one trial. */
  lostGapMax: Type.Integer({ minimum: 0 }),
  /** Most lost commits the engine had declared durable, in one trial. */
  lostDeclaredMax: Type.Integer({ minimum: 0 }),
  /** Largest declared exposure at a crash instant (the most the engine itself allowed to lose). */
  exposureMax: Type.Integer({ minimum: 0 }),
  lossWindowMsMax: Type.Number({ minimum: 0 }),
  lossWindowMsP99: Type.Number({ minimum: 0 }),
  corruptTotal: Type.Integer({ minimum: 0 }),
  lossDistribution: Type.Array(LossBucket),
  verdict: CrashVerdictSchema,
  verdictReason: Type.String(),
  /**
   * The mode's nominal bound per writer (for reference; the verdict uses the engine's declarations):
   * 0, batchSize − 1, null (none; and a shared log acked before its sync, which no count bounds).
   */
  lossBoundCommits: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** The lab's own cost per trial (crash instant → verified), ns. */
  labNsP50: Type.Number({ minimum: 0 }),
  labNsMax: Type.Number({ minimum: 0 }),
  /** Wall time of the case's trials and verified crash states per minute of it. */
  wallMs: Type.Number({ minimum: 0 }),
  trialsPerMinute: Type.Number({ minimum: 0 }),
  /** Trials whose instant followed a kernel writeback of the drive's cache. */
  destagedTrials: Type.Integer({ minimum: 0 }),
  /** The device's own counters over the case's writer runs. */
  device: DeviceTruth,
  syscalls: SyscallCensus,
  /** Server engines: the server's setting and its documented promise (the verdict judged against the one of this crash kind). */
  server: Type.Optional(ServerFacts),
});
export type CrashSummary = Static<typeof CrashSummary>;

/**
 * Whether a crash summary carries loss figures: `lostMax`, the percentiles, loss windows, trials
 * with loss and corrupt values are computed over verified crash states only (a recovery that threw
 * or an errored state checked no commit), so with none verified they are 0 by construction, not a
 * measured loss of 0.
 */
export function lossMeasured(s: Pick<CrashSummary, 'trialsVerified'> | undefined): s is CrashSummary {
  return s !== undefined && s.trialsVerified > 0;
}

const CrashCaseBase = {
  /** e.g. `wal+flush-no-fsync/batch-32/w1/v128/unique/t0/power-ext4-volatile/random`. */
  id: Type.String(),
  key: CaseKey,
  setting: CrashSetting,
  params: Type.Object({ engineOptions: EngineOptions, seed: Type.Integer({ minimum: 0 }) }),
  /** The verdict a suite expects (a fault switch must be caught). */
  expect: Type.Optional(CrashVerdictSchema),
  startedAt: Type.String(),
  finishedAt: Type.String(),
};

export const CrashCaseResult = Type.Union([
  Type.Object({ ...CrashCaseBase, state: Type.Literal('completed'), crash: CrashSummary }),
  Type.Object({ ...CrashCaseBase, state: Type.Literal('errored'), reason: Type.String() }),
  Type.Object({ ...CrashCaseBase, state: Type.Literal('skipped'), reason: Type.String() }),
]);
export type CrashCaseResult = Static<typeof CrashCaseResult>;

/** The report of `durabench crash`. */
export const CrashReport = Type.Object({
  kind: Type.Literal('crash'),
  ...HeaderProps,
  ...SessionProps,
  /** The suite name (`seed`) or null for a matrix given by flags. */
  suite: Type.Union([Type.String(), Type.Null()]),
  /** Crash instants per case. */
  trialsPerCase: Type.Integer({ minimum: 1 }),
  cases: Type.Array(CrashCaseResult),
});
export type CrashReport = Static<typeof CrashReport>;
