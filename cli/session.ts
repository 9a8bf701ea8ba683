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
import { fileFormatsOf, type FormatOf, type ValueOf } from '../reports/formats.js';
import { ReportOutput } from '../reports/output.js';
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

/** The formats and output directory a session command writes, from its flags. */
export function sessionOutput<K extends SessionKind>(o: SessionOptions<K>): { outDir: string; formats: FormatOf<K>[]; quiet: boolean } {
  const known = fileFormatsOf(o.kind);
  const fallback = DEFAULT_FORMATS.filter((f) => (known as readonly string[]).includes(f)) as FormatOf<K>[];
  const formats = readFormats(o.args, known, fallback);
  const outDir = path.resolve(readString(o.args, FLAGS.out) ?? path.join(OUT_ROOT, newRunId()));
  return { outDir, formats, quiet: readBoolean(o.args, FLAGS.quiet) };
}

/** A session writing `report` in the requested formats to `out`, stopped by SIGINT/SIGTERM. */
export function openSession<K extends SessionKind, R extends ValueOf<K> & SessionReport>(
  o: SessionOptions<K>,
  out: { outDir: string; formats: FormatOf<K>[] },
  report: R,
): Session<R> {
  const sink = new ReportOutput(o.kind, out.outDir, out.formats, o.baseName);
  return new Session<R>(report, sink as unknown as ReportSink<R>, stopSignal());
}

/** Warnings on stderr, one line each. */
export function printWarnings(ws: readonly Warning[]): void {
  for (const w of ws) process.stderr.write(`durabench: ${warningLine(w)}\n`);
}

/** The closing line: where the reports are. */
export function printPaths(paths: readonly string[]): void {
  if (paths.length > 0) process.stderr.write(`reports: ${paths.join(', ')}\n`);
}
