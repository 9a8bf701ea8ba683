/**
 * What every session command (run, tune, crash, probe) does around its work: where the reports go
 * (`--out`, default a fresh `durabench-out/<run id>`), which formats (`--format`), the session with
 * the one stop signal, and the closing lines on stderr.
 */
import path from 'node:path';
import { DEFAULT_FORMATS, OUT_ROOT } from '../coordinator/defaults.js';
import { Session, type ReportSink } from '../coordinator/session.js';
import type { SessionReport } from '../model/report.js';
import type { Warning } from '../model/warning.js';
import { OutputError } from '../model/errors.js';
import { fileFormatsOf, rendererOf, type FormatOf, type ValueOf } from '../reports/formats.js';
import { checkOutputDir, planOutDir, ReportOutput } from '../reports/output.js';
import { hold, release } from '../workspace/registry.js';
import { warningLine } from '../reports/document/text.js';
import { newRunId } from '../workspace/workdir.js';
import { FLAGS, readBoolean, readFormats, readString } from './flags.js';
import { onQuit, stopSignal } from './stop.js';

type SessionKind = 'run' | 'crash' | 'probe';

export interface SessionOptions<K extends SessionKind> {
  readonly kind: K;
  readonly args: Readonly<Record<string, unknown>>;
  /** Report file base name: `report`, `crash-report`, `probe`. */
  readonly baseName: string;
}

export interface SessionOutput<K extends SessionKind> {
  readonly outDir: string;
  readonly formats: FormatOf<K>[];
  readonly quiet: boolean;
  /** Said on stderr when the session opens: the reports go to a fresh subdirectory (existing files kept). */
  readonly note: string | null;
}

/**
 * The formats and output directory a session command writes, from its flags. Checked here, before
 * anything runs (one line, exit 2, nothing created); the directory is created when the session opens.
 */
export function sessionOutput<K extends SessionKind>(o: SessionOptions<K>): SessionOutput<K> {
  const known = fileFormatsOf(o.kind);
  const fallback = DEFAULT_FORMATS.filter((f) => (known as readonly string[]).includes(f)) as FormatOf<K>[];
  const formats = readFormats(o.args, known, fallback);
  const given = readString(o.args, FLAGS.out);
  const runId = newRunId();
  const names = formats.map((f) => `${o.baseName}.${rendererOf(o.kind, f).extension}`);
  if (given === undefined) {
    const dir = path.join(OUT_ROOT, runId);
    checkOutputDir(dir, dir);
    return { outDir: path.resolve(dir), formats, quiet: readBoolean(o.args, FLAGS.quiet), note: null };
  }
  const plan = planOutDir(given, given, names, { force: readBoolean(o.args, FLAGS.force), freshName: runId });
  return { outDir: plan.dir, formats, quiet: readBoolean(o.args, FLAGS.quiet), note: plan.note };
}

/**
 * A session writing `report` in the requested formats to `out`, stopped by SIGINT/SIGTERM. A second
 * signal finishes its report (status `interrupted`) before the process quits; the output directory
 * is recorded, so a temporary file a SIGKILL leaves there is found by `durabench clean`.
 */
export function openSession<K extends SessionKind, R extends ValueOf<K> & SessionReport>(o: SessionOptions<K>, out: SessionOutput<K>, report: R): Session<R> {
  if (out.note) process.stderr.write(`durabench: ${out.note}\n`);
  const sink = new ReportOutput(o.kind, out.outDir, out.formats, o.baseName);
  const session = new Session<R>(report, sink as unknown as ReportSink<R>, stopSignal());
  hold({ kind: 'output', dir: out.outDir });
  const unhook = onQuit(() => session.finish());
  open.push({ session, unhook, dir: out.outDir });
  return session;
}

const open: { session: Session<SessionReport>; unhook: () => void; dir: string }[] = [];

/**
 * After a session command: forget the session, and fail (exit 1, one line) when its report could not
 * be written — the results were printed, but the files are missing or stale.
 */
export function closeSession(session: Session<SessionReport>): void {
  const i = open.findIndex((x) => x.session === session);
  if (i >= 0) {
    open[i]!.unhook();
    release({ kind: 'output', dir: open[i]!.dir });
    open.splice(i, 1);
  }
  const err = session.writeError;
  if (err) throw new OutputError(`could not write the report to ${session.paths[0] ? path.dirname(session.paths[0]) : 'its directory'}: ${(err as Error)?.message ?? String(err)}`);
}

/** Warnings on stderr, one line each. */
export function printWarnings(ws: readonly Warning[]): void {
  for (const w of ws) process.stderr.write(`durabench: ${warningLine(w)}\n`);
}

/** The closing line: where the reports are. */
export function printPaths(paths: readonly string[]): void {
  if (paths.length > 0) process.stderr.write(`reports: ${paths.join(', ')}\n`);
}
