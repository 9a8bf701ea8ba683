/**
 * What every report file shares: the schema version, which kind of report it is, which durabench
 * wrote it, on which host, and the warnings. Reports written during a session (run, crash, probe)
 * also carry when they started and finished and their status.
 *
 * Compatibility: readers accept every `schemaVersion` up to `SCHEMA_VERSION` (older ones are
 * upgraded by reports/read.ts) and refuse newer ones with one line. Adding an optional field does not
 * bump the version; changing a field's meaning or shape does.
 */
import { Type, type Static } from '@sinclair/typebox';
import { HostInfo, ToolInfo } from './provenance.js';
import { Warning } from './warning.js';

/**
 * 2: case keys carry the durability union (no batchSize outside batch mode), crash verdicts are codes,
 * crash cases share the run's key.
 * 3: crash summaries judge by the engine's declared durability and may be `inconclusive`; crash
 * settings name the drive's cache model and the crash window; trials carry their outcome, crash image
 * and lost ranges; summaries carry device truth and the syscall census.
 */
export const SCHEMA_VERSION = 3 as const;

export const REPORT_KINDS = ['run', 'crash', 'probe', 'env'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const HeaderProps = {
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  tool: ToolInfo,
  host: HostInfo,
  warnings: Type.Array(Warning),
};

/** `running` while work is still being written, `interrupted` after SIGINT or SIGTERM. */
export const SessionStatus = Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('interrupted')]);
export type SessionStatus = Static<typeof SessionStatus>;

export const SessionProps = {
  /** The run id (`20261201-113301-4242-0a1b`): names the output and work directories; absent in older reports. */
  runId: Type.Optional(Type.String()),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  status: SessionStatus,
  /** The signal that interrupted the session (absent unless interrupted). */
  stopSignal: Type.Optional(Type.Union([Type.Literal('SIGINT'), Type.Literal('SIGTERM')])),
};

/** `durabench env --format json`: the provenance and the warnings about the targets. */
export const EnvReport = Type.Object({ kind: Type.Literal('env'), ...HeaderProps });
export type EnvReport = Static<typeof EnvReport>;

/** The part of a report the session layer maintains. */
export interface SessionReport {
  schemaVersion: number;
  kind: ReportKind;
  tool: ToolInfo;
  host: HostInfo;
  warnings: Warning[];
  runId?: string;
  startedAt: string;
  finishedAt: string | null;
  status: SessionStatus;
  stopSignal?: 'SIGINT' | 'SIGTERM';
}

/** Where a session's report goes. `final` is true for the last write (cheap formats may be written every time, costly ones at the end). */
export interface ReportSink<R> {
  write(report: R, final: boolean): void;
  /** The files written, for the closing line. */
  readonly paths: readonly string[];
}
