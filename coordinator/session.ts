/**
 * A session: the one place that starts a report (its header), rewrites it after every unit of
 * work (a case, a crash case, a probe method) and ends it — `completed`, or `interrupted` when the
 * stop signal fired — for run, tune, crash and probe alike. Where the report goes is the sink's
 * business (reports/output.ts writes every requested format atomically and durably); how the user
 * says stop is the CLI's (one handler for SIGINT and SIGTERM, handed down as an `AbortSignal`).
 */
import { SCHEMA_VERSION, type ReportKind, type ReportSink, type SessionReport } from '../model/report.js';
import type { Warning } from '../model/warning.js';
import { collectHost } from '../provenance/host.js';
import { collectToolInfo } from '../provenance/tool.js';
import { newRunId } from '../workspace/workdir.js';

/** The header every session report starts with; its run id names the session's directories. */
export function sessionHeader<K extends ReportKind>(kind: K, targets: readonly string[], warnings: readonly Warning[] = []): SessionReport & { kind: K; schemaVersion: typeof SCHEMA_VERSION } {
  return {
    schemaVersion: SCHEMA_VERSION,
    kind,
    runId: newRunId(),
    tool: collectToolInfo(),
    host: collectHost(targets),
    warnings: [...warnings],
    startedAt: new Date().toISOString(),
    finishedAt: null,
    status: 'running',
  };
}

/** The reason a stop signal carries: the signal's name. */
export type StopReason = 'SIGINT' | 'SIGTERM';

/** A signal that never fires (tests, library use). */
export function neverStop(): AbortSignal {
  return new AbortController().signal;
}

export class Session<R extends SessionReport> {
  private finished = false;
  private failedWrite: unknown = null;

  constructor(
    readonly report: R,
    private readonly sink: ReportSink<R> | null,
    readonly signal: AbortSignal,
  ) {}

  /** True once the stop signal fired: finish the current unit of work, then end. */
  get stopping(): boolean {
    return this.signal.aborted;
  }

  get paths(): readonly string[] {
    return this.sink?.paths ?? [];
  }

  /** The last error writing the report (a full disk, a vanished directory), or null when the last write succeeded. */
  get writeError(): unknown {
    return this.failedWrite;
  }

  /** True once the session ended (the final write was attempted). */
  get isFinished(): boolean {
    return this.finished;
  }

  /**
   * Write the report as it stands (after every unit of work: a later failure loses nothing). A write
   * that fails (ENOSPC on the output disk) does not stop the session: the report stays in memory,
   * the next save tries again, and the command says so at the end.
   */
  save(): void {
    this.write(false);
  }

  private write(final: boolean): void {
    try {
      this.sink?.write(this.report, final);
      this.failedWrite = null;
    } catch (err) {
      this.failedWrite = err;
    }
  }

  /** End the session: status, finish time, the last write. Idempotent. `failed`: it did not get to the end. */
  finish(failed = false): R {
    if (this.finished) return this.report;
    this.finished = true;
    if (this.signal.aborted || failed) {
      this.report.status = 'interrupted';
      const reason = this.signal.reason as unknown;
      if (reason === 'SIGINT' || reason === 'SIGTERM') this.report.stopSignal = reason;
    } else {
      this.report.status = 'completed';
    }
    this.report.finishedAt = new Date().toISOString();
    this.write(true);
    return this.report;
  }

  /**
   * Run `body` inside the session: the header is written first and the report is finished on every
   * way out (an exception still leaves a finished report on disk, with the error as a warning).
   */
  async run(body: (session: this) => Promise<void>): Promise<R> {
    this.save();
    try {
      await body(this);
    } catch (err) {
      this.report.warnings.push({
        code: 'session-failed',
        message: `the session stopped early: ${(err as Error)?.message ?? String(err)}`,
        remedy: 'see the message; everything measured before it is in this report',
      });
      this.finish(true);
      throw err;
    }
    return this.finish();
  }
}
