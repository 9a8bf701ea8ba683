/**
 * What every session command (run, tune, crash, probe) does around its work: where the reports go
 * (`--out DIR`, default a fresh `durabench-out/<run id>`; `--out -` is standard output, one format),
 * which formats (`--format`), the session with the one stop signal, and the closing lines on stderr.
 * When standard output carries the report, everything meant for people goes to stderr.
 */
import path from 'node:path';
import { DEFAULT_FORMATS, OUT_ROOT } from '../coordinator/defaults.js';
import { Session, type ReportSink } from '../coordinator/session.js';
import type { SessionReport } from '../model/report.js';
import type { Warning } from '../model/warning.js';
import { Progress } from '../coordinator/progress.js';
import { asciiText, localeIsUtf8 } from '../model/units.js';
import { fileFormatsOf, type FormatOf, type RenderOptions, type ValueOf } from '../reports/formats.js';
import { outputTarget, ReportOutput, type OutputTarget } from '../reports/output.js';
import { UsageError } from '../model/errors.js';
import { warningLine } from '../reports/document/text.js';
import { newRunId } from '../workspace/workdir.js';
import { FLAGS, readBoolean, readFormats, readString } from './flags.js';
import { stopSignal } from './stop.js';

type SessionKind = 'run' | 'crash' | 'probe';

export interface SessionOptions<K extends SessionKind> {
  readonly kind: K;
  readonly args: Readonly<Record<string, unknown>>;
  /** Report file base name: `report`, `crash-report`, `probe`. */
  readonly baseName: string;
}

export interface SessionOutput<K extends SessionKind> {
  /** `--out`, or null: a fresh directory named by the report's run id. */
  readonly target: OutputTarget | null;
  readonly formats: FormatOf<K>[];
  readonly quiet: boolean;
}

/** The formats and output target a session command writes, from its flags (checked before any work). */
export function sessionOutput<K extends SessionKind>(o: SessionOptions<K>): SessionOutput<K> {
  const known = fileFormatsOf(o.kind);
  const out = readString(o.args, FLAGS.out);
  const target = out === undefined ? null : outputTarget(out);
  const toStdout = target?.kind === 'stdout';
  const fallback = (toStdout ? ['json'] : DEFAULT_FORMATS.filter((f) => (known as readonly string[]).includes(f))) as FormatOf<K>[];
  const formats = readFormats(o.args, known, fallback);
  if (toStdout && formats.length !== 1) throw new UsageError(`--out - writes one format to standard output (got ${formats.join(', ')}); give one --format: ${known.join(', ')}`);
  return { target, formats, quiet: readBoolean(o.args, FLAGS.quiet) };
}

/** Where the lines meant for people go: stdout, unless stdout carries the report. */
export function humanStream(out: { readonly target: OutputTarget | null }): NodeJS.WriteStream {
  return out.target?.kind === 'stdout' ? process.stderr : process.stdout;
}

/** A session writing `report` in the requested formats to `out`, stopped by SIGINT/SIGTERM. */
export function openSession<K extends SessionKind, R extends ValueOf<K> & SessionReport>(o: SessionOptions<K>, out: SessionOutput<K>, report: R): Session<R> {
  const target = out.target ?? outputTarget(path.join(OUT_ROOT, report.runId ?? newRunId()));
  const sink = new ReportOutput(o.kind, target, out.formats, o.baseName);
  return new Session<R>(report, sink as unknown as ReportSink<R>, stopSignal());
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
