/**
 * What every session command (run, tune, crash, probe) does around its work: where the reports go
 * (`--out DIR`, default a fresh `durabench-out/<run id>`; `--out -` is standard output, one format),
 * which formats (`--format`), the session with the one stop signal, and the closing lines on stderr.
 * When standard output carries the report, everything meant for people goes to stderr.
 */
import path from 'node:path';
import { DEFAULT_FORMATS, OUT_ROOT } from '../coordinator/defaults.js';
import { Session } from '../coordinator/session.js';
import type { ReportSink, SessionReport } from '../model/report.js';
import type { Warning } from '../model/warning.js';
import { Progress } from '../coordinator/progress.js';
import { asciiText, localeIsUtf8 } from '../model/units.js';
import { OutputError, UsageError } from '../model/errors.js';
import { fileFormatsOf, rendererOf, type FormatOf, type RenderOptions, type ValueOf } from '../reports/formats.js';
import { checkOutputDir, planOutDir, ReportOutput, STDOUT, type OutputTarget } from '../reports/output.js';
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
  /** Where the reports go: standard output (`--out -`), or a directory (null: a fresh one named by the report's run id). */
  readonly target: OutputTarget | null;
  readonly formats: FormatOf<K>[];
  readonly quiet: boolean;
  /** Said on stderr when the session opens: the reports go to a fresh subdirectory (existing files kept). */
  readonly note: string | null;
}

/**
 * The formats and output target a session command writes, from its flags. Checked here, before
 * anything runs (one line, exit 2, nothing created); the directory is created when the session opens.
 */
export function sessionOutput<K extends SessionKind>(o: SessionOptions<K>): SessionOutput<K> {
  const known = fileFormatsOf(o.kind);
  const out = readString(o.args, FLAGS.out);
  const toStdout = out === STDOUT;
  const fallback = (toStdout ? ['json'] : DEFAULT_FORMATS.filter((f) => (known as readonly string[]).includes(f))) as FormatOf<K>[];
  const formats = readFormats(o.args, known, fallback);
  if (toStdout && formats.length !== 1) throw new UsageError(`--out - writes one format to standard output (got ${formats.join(', ')}); give one --format: ${known.join(', ')}`);
  const quiet = readBoolean(o.args, FLAGS.quiet);
  if (toStdout) return { target: { kind: 'stdout' }, formats, quiet, note: null };
  if (out === undefined) {
    checkOutputDir(OUT_ROOT, OUT_ROOT);
    return { target: null, formats, quiet, note: null };
  }
  const names = formats.map((f) => `${o.baseName}.${rendererOf(o.kind, f).extension}`);
  const plan = planOutDir(out, out, names, { force: readBoolean(o.args, FLAGS.force), freshName: newRunId() });
  return { target: { kind: 'dir', dir: plan.dir }, formats, quiet, note: plan.note };
}

/** Where the lines meant for people go: stdout, unless stdout carries the report. */
export function humanStream(out: { readonly target: OutputTarget | null }): NodeJS.WriteStream {
  return out.target?.kind === 'stdout' ? process.stderr : process.stdout;
}

/**
 * A session writing `report` in the requested formats to `out`, stopped by SIGINT/SIGTERM. A second
 * signal finishes its report (status `interrupted`) before the process quits; the output directory
 * is recorded, so a temporary file a SIGKILL leaves there is found by `durabench clean`.
 */
export function openSession<K extends SessionKind, R extends ValueOf<K> & SessionReport>(o: SessionOptions<K>, out: SessionOutput<K>, report: R): Session<R> {
  if (out.note) process.stderr.write(`durabench: ${out.note}\n`);
  const target: OutputTarget = out.target ?? { kind: 'dir', dir: path.resolve(OUT_ROOT, report.runId ?? newRunId()) };
  const sink = new ReportOutput(o.kind, target, out.formats, o.baseName);
  const session = new Session<R>(report, sink as unknown as ReportSink<R>, stopSignal());
  const dir = target.kind === 'dir' ? target.dir : null;
  if (dir) hold({ kind: 'output', dir });
  const unhook = onQuit(() => session.finish());
  open.push({ session, unhook, dir });
  return session;
}

const open: { session: Session<SessionReport>; unhook: () => void; dir: string | null }[] = [];

/**
 * After a session command: forget the session, and fail (exit 1, one line) when its report could not
 * be written — the results were printed, but the files are missing or stale.
 */
export function closeSession(session: Session<SessionReport>): void {
  const i = open.findIndex((x) => x.session === session);
  if (i >= 0) {
    open[i]!.unhook();
    const dir = open[i]!.dir;
    if (dir) release({ kind: 'output', dir });
    open.splice(i, 1);
  }
  const err = session.writeError;
  if (err) throw new OutputError(`could not write the report to ${session.paths[0] ? path.dirname(session.paths[0]) : 'its destination'}: ${(err as Error)?.message ?? String(err)}`);
}

/** How the console view is drawn here: ASCII when the locale is not UTF-8. */
export function consoleOptions(): RenderOptions {
  return { ascii: !localeIsUtf8(process.env) };
}

/** The progress line on stderr for `command`, or null with --quiet. */
export function progressLine(command: string, out: { readonly quiet: boolean }, heartbeatMs?: number): Progress | null {
  return out.quiet ? null : new Progress({ command, stream: process.stderr, unicode: localeIsUtf8(process.env), ...(heartbeatMs ? { heartbeatMs } : {}) });
}

/** Warnings on stderr, one line each. */
export function printWarnings(ws: readonly Warning[]): void {
  const ascii = !localeIsUtf8(process.env);
  for (const w of ws) process.stderr.write(`durabench: ${ascii ? asciiText(warningLine(w)) : warningLine(w)}\n`);
}

/** The closing line: where the reports are. */
export function printPaths(paths: readonly string[]): void {
  if (paths.length > 0) process.stderr.write(`reports: ${paths.join(', ')}\n`);
}
