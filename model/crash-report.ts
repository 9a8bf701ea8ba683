/**
 * The crash lab's results: per trial what was acked and what came back after the crash and the
 * engine's own recovery; per case the summary and the verdict; the report of `durabench crash`.
 * Crash cases are keyed like run cases (`CaseKey`) plus the crash setting.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CaseKey, EngineOptions } from './case.js';
import { HeaderProps, SessionProps } from './report.js';

/** `kill`: SIGKILL of the writer (the page cache survives); `power`: the image as the device held it. */
export const CRASH_KINDS = ['kill', 'power'] as const;
export type CrashKind = (typeof CRASH_KINDS)[number];

export const LAB_FILESYSTEMS = ['ext4', 'xfs', 'btrfs'] as const;
export type LabFs = (typeof LAB_FILESYSTEMS)[number];

/** How a case is crashed. */
export const CrashSetting = Type.Object({
  kind: Type.Union(CRASH_KINDS.map((k) => Type.Literal(k))),
  /** Filesystem of the loop-mounted image (power), or null (kill: the target directory's own). */
  filesystem: Type.Union([Type.Union(LAB_FILESYSTEMS.map((f) => Type.Literal(f))), Type.Null()]),
  /** Mount options of the image (null: defaults, or kind `kill`). */
  mountOptions: Type.Union([Type.String(), Type.Null()]),
  /** `random`, `op:K`, `marker:NAME:N` or a sweep `marker:A..marker:B`. */
  crashAt: Type.String(),
  /** Power: `random` writes a seeded random half of the unsynced file blocks back before the cut. */
  writeback: Type.Union([Type.Literal('none'), Type.Literal('random')]),
});
export type CrashSetting = Static<typeof CrashSetting>;

export const CrashTrial = Type.Object({
  crashPoint: Type.String(),
  acked: Type.Integer({ minimum: 0 }),
  lost: Type.Integer({ minimum: 0 }),
  corrupt: Type.Integer({ minimum: 0 }),
  lossWindowCommits: Type.Integer({ minimum: 0 }),
  lossWindowMs: Type.Number({ minimum: 0 }),
  recoveryNs: Type.Number({ minimum: 0 }),
  discardedBytes: Type.Number({ minimum: 0 }),
  crcFailures: Type.Integer({ minimum: 0 }),
  notes: Type.Array(Type.String()),
  /** Why the trial could not be verified (the other fields are then 0). */
  error: Type.Optional(Type.String()),
  /** Recovery found a torn record at a log tail. */
  tornTail: Type.Optional(Type.Boolean()),
  /** How long the writer had been acking when it crashed, ms. */
  writerRunMs: Type.Optional(Type.Number({ minimum: 0 })),
  /** The lab's own cost: crash instant → verified, ns. */
  labNs: Type.Optional(Type.Number({ minimum: 0 })),
  /** Power: snapshot attempts repeated because the device's write counters moved during the copy. */
  snapshotRetries: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The lab's cost by step, ns: stop, snapshot, kill, mount (journal replay), recover, verify, cleanup. */
  labPhasesNs: Type.Optional(Type.Record(Type.String(), Type.Number())),
});
export type CrashTrial = Static<typeof CrashTrial>;

/**
 * `consistent`: every verified loss fits what the setting declares; `durability-bug`: acked commits
 * lost beyond that, a value that was never written, or a recovery that failed. Rendered as
 * "consistent" and "DURABILITY BUG".
 */
export const CRASH_VERDICTS = ['consistent', 'durability-bug'] as const;
export type CrashVerdict = (typeof CRASH_VERDICTS)[number];

/** Crash-lab summary for one case. */
export const CrashSummary = Type.Object({
  setting: CrashSetting,
  trials: Type.Array(CrashTrial),
  trialsWithLoss: Type.Integer({ minimum: 0 }),
  /** Trials that could not run to verification (crash point never reached, ...): not in the statistics. */
  trialsErrored: Type.Integer({ minimum: 0 }),
  lostMax: Type.Integer({ minimum: 0 }),
  lostP50: Type.Number({ minimum: 0 }),
  lostP99: Type.Number({ minimum: 0 }),
  lossWindowMsMax: Type.Number({ minimum: 0 }),
  lossWindowMsP99: Type.Number({ minimum: 0 }),
  corruptTotal: Type.Integer({ minimum: 0 }),
  verdict: Type.Union(CRASH_VERDICTS.map((v) => Type.Literal(v))),
  verdictReason: Type.String(),
  /** The declared bound on lost acked commits per writer: 0 (sync), batchSize − 1 (batch), null (none: unbounded). */
  lossBoundCommits: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** The lab's own cost per trial (crash instant → verified), ns. */
  labNsP50: Type.Number({ minimum: 0 }),
  labNsMax: Type.Number({ minimum: 0 }),
});
export type CrashSummary = Static<typeof CrashSummary>;

const CrashCaseBase = {
  /** e.g. `wal+flush-no-fsync/batch-32/w1/v128/unique/power-ext4/random`. */
  id: Type.String(),
  key: CaseKey,
  setting: CrashSetting,
  params: Type.Object({ engineOptions: EngineOptions, seed: Type.Integer({ minimum: 0 }) }),
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
  trialsPerCase: Type.Integer({ minimum: 1 }),
  cases: Type.Array(CrashCaseResult),
});
export type CrashReport = Static<typeof CrashReport>;
