/**
 * Where rendered output goes. Renderers only produce text; this writes it — every file through the
 * one atomic, fsynced writer (io/atomic-file.ts), so a report on disk is complete and durable after
 * every case, across a crash or a power cut. A session's report goes to a directory or to standard
 * output (`--out -`: one format, written once, when the session ends — as fio's
 * `--output-format=json` and hyperfine's `--export-json -` do); `writeOutputFile` writes one file.
 *
 * A session saves after every unit of work. Rewriting every format each time would cost O(report)
 * per case and O(cases²) per run, so for reports that grow by cases (run, crash) the sink rewrites
 * the files whole only when the number of cases has doubled since the last rewrite, and in between
 * appends each new or changed case to the JSON report's journal (reports/journal.ts): `report.json`
 * plus its journal is the complete report after every case, and every reader applies the journal.
 * CSV and Markdown follow the same doubling schedule; costly formats (HTML) are written at the end;
 * the final write rewrites everything and removes the journal.
 */
import fs from 'node:fs';
import path from 'node:path';
import { makeDirDurable, writeFileAtomic } from '../io/atomic-file.js';
import { Io } from '../io/io.js';
import { UsageError } from '../model/errors.js';
import type { ReportSink } from '../model/report.js';
import { writeProblem } from '../workspace/workdir.js';
import { rendererOf, type FormatOf, type OutputKind, type ValueOf } from './formats.js';
import { journalCaseLine, journalHeaderLine, journalPathOf, journalWarningsLine } from './journal.js';

/** The `--out` value that means standard output. */
export const STDOUT = '-';

/** A directory of report files, or standard output (one format, written at the end). */
export type OutputTarget = { readonly kind: 'dir'; readonly dir: string } | { readonly kind: 'stdout' };

/** `--out` as a target: `-` is standard output, anything else a directory (resolved). */
export function outputTarget(out: string): OutputTarget {
  return out === STDOUT ? { kind: 'stdout' } : { kind: 'dir', dir: path.resolve(out) };
}

/** Where a command's output files go, and what to tell the user about it. */
export interface OutPlan {
  readonly dir: string;
  /** Set when the files go elsewhere than asked (existing files kept). */
  readonly note: string | null;
}

function errnoOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String((err as Error).message);
}

/**
 * Check that `dir` can hold output files: an existing, writable directory, or a path that can be
 * created (its nearest existing ancestor is a writable directory). Nothing is created here: a
 * command that later stops on bad input leaves nothing behind. `typed` is quoted in messages.
 */
export function checkOutputDir(dir: string, typed: string, flag = '--out'): void {
  const abs = path.resolve(dir);
  let existing = abs;
  for (;;) {
    try {
      const st = fs.statSync(existing);
      if (!st.isDirectory()) {
        throw new UsageError(
          existing === abs ? `${flag} '${typed}' is a file, not a directory; give a directory for the output files` : `${flag} '${typed}' cannot be created: ${existing} is a file; give a directory for the output files`,
        );
      }
      break;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = errnoOf(err);
      if (code !== 'ENOENT' || path.dirname(existing) === existing) throw new UsageError(`${flag} '${typed}' cannot be used (${code} at ${existing}); give a directory you can write to`);
      existing = path.dirname(existing);
    }
  }
  const p = writeProblem(existing);
  if (p) {
    throw new UsageError(
      existing === abs ? `${flag} '${typed}' is not writable (${p.message}); give a directory you can write to` : `${flag} '${typed}' cannot be created in ${existing} (${p.message}); give a directory you can write to`,
    );
  }
}

/**
 * The directory output files go to. `--out DIR` (typed as `typed`) is used as given unless it
 * already holds one of the files this command writes (`names`): then, without `force`, they go to
 * a fresh subdirectory `freshName` inside it — the user's own files are never overwritten.
 */
export function planOutDir(dir: string, typed: string, names: readonly string[], opts: { force: boolean; freshName: string; flag?: string }): OutPlan {
  const flag = opts.flag ?? '--out';
  checkOutputDir(dir, typed, flag);
  const abs = path.resolve(dir);
  const present = names.filter((n) => fs.existsSync(path.join(abs, n)));
  if (present.length === 0 || opts.force) return { dir: abs, note: null };
  const fresh = path.join(abs, opts.freshName);
  return { dir: fresh, note: `${flag} '${typed}' already holds ${present.join(', ')}; writing to ${fresh} instead (--force overwrites)` };
}

/** A single output file (`merge --out FILE`): its directory must be usable, and an existing file is replaced only with `force`. */
export function checkOutputFile(file: string, typed: string, opts: { force: boolean; flag?: string }): void {
  const flag = opts.flag ?? '--out';
  const abs = path.resolve(file);
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw new UsageError(`${flag} '${typed}' cannot be used (${errnoOf(err)}); give a file path you can write to`);
  }
  if (st?.isDirectory()) throw new UsageError(`${flag} '${typed}' is a directory; give the path of the file to write`);
  if (st && !opts.force) throw new UsageError(`${flag} '${typed}' exists; give a new file name, or --force to replace it`);
  checkOutputDir(path.dirname(abs), typed, flag);
}

/** Write one output file (compare, gate summaries, exports, re-rendered reports), creating its directory. */
export function writeOutputFile(file: string, text: string): void {
  makeDirDurable(path.dirname(path.resolve(file)));
  writeFileAtomic(file, text);
}

/** The growing list of a report that the journal appends to; null for kinds rewritten whole. */
function unitsOf(kind: OutputKind, value: unknown): readonly unknown[] | null {
  if (kind !== 'run' && kind !== 'crash') return null;
  const cases = (value as { cases?: unknown }).cases;
  return Array.isArray(cases) ? cases : null;
}

export class ReportOutput<K extends OutputKind> implements ReportSink<ValueOf<K>> {
  /** The files written (none for standard output). */
  readonly paths: readonly string[];
  private readonly io = new Io();
  private dirReady = false;
  /** Cases in the files at their last whole rewrite, and which case objects they (or the journal) hold. */
  private casesAtRewrite = -1;
  private written: unknown[] = [];
  private warningsText = '';
  private journalFd: number | null = null;
  /** Whole rewrites and journal lines so far (for the scale benchmark and tests). */
  readonly counts = { rewrites: 0, journalLines: 0 };

  constructor(
    private readonly kind: K,
    readonly target: OutputTarget,
    private readonly formats: readonly FormatOf<K>[],
    private readonly baseName = 'report',
    /** Where standard output goes (the CLI passes process.stdout; tests a buffer). */
    private readonly stdout: (text: string) => void = (t) => void process.stdout.write(t),
  ) {
    if (target.kind === 'stdout' && formats.length !== 1) throw new Error('standard output takes exactly one format');
    this.paths = target.kind === 'dir' ? formats.map((f) => this.fileOf(target.dir, f)) : [];
  }

  private fileOf(dir: string, format: FormatOf<K>): string {
    return path.join(dir, `${this.baseName}.${rendererOf(this.kind, format).extension}`);
  }

  /** The directory of the files (only called for a directory target). */
  private get dir(): string {
    if (this.target.kind !== 'dir') throw new Error('standard output has no directory');
    return this.target.dir;
  }

  private get journalPath(): string {
    return journalPathOf(this.fileOf(this.dir, 'json' as FormatOf<K>));
  }

  write(value: ValueOf<K>, final: boolean): void {
    const t = this.target;
    if (t.kind === 'stdout') {
      // A stream cannot be rewritten: the report goes out once, finished (or interrupted).
      if (final) this.stdout(rendererOf(this.kind, this.formats[0]!).render(value));
      return;
    }
    if (!this.dirReady) {
      makeDirDurable(t.dir, this.io);
      this.dirReady = true;
    }
    const units = this.formats.includes('json' as FormatOf<K>) ? unitsOf(this.kind, value) : null;
    if (final || units === null || this.casesAtRewrite < 0 || units.length >= 2 * this.casesAtRewrite) {
      this.rewrite(value, final, units);
    } else {
      this.append(value, units);
    }
  }

  /** Every format whole (costly ones only at the end); a fresh journal based on the new JSON, or none at the end. */
  private rewrite(value: ValueOf<K>, final: boolean, units: readonly unknown[] | null): void {
    this.closeJournal();
    for (const f of this.formats) {
      const r = rendererOf(this.kind, f);
      if (r.costly && !final) continue;
      const bytes = Buffer.from(r.render(value), 'utf8');
      writeFileAtomic(this.fileOf(this.dir, f), bytes, this.io);
      if (units !== null && f === 'json' && !final) {
        // Only after the new report.json is durable: a journal always extends the file it names.
        writeFileAtomic(this.journalPath, journalHeaderLine(bytes), this.io);
        this.journalFd = this.io.open(this.journalPath, { append: true });
      }
    }
    if (final && units !== null && fs.existsSync(this.journalPath)) {
      this.io.unlink(this.journalPath);
      this.io.fsyncDir(this.dir);
    }
    this.counts.rewrites += 1;
    if (units !== null) {
      this.casesAtRewrite = units.length;
      this.written = [...units];
      this.warningsText = JSON.stringify((value as { warnings?: unknown }).warnings ?? []);
    }
  }

  /** The cases that are new or were replaced since they were written, and the warnings if they changed: one durable append. */
  private append(value: ValueOf<K>, units: readonly unknown[]): void {
    let text = '';
    for (let i = 0; i < units.length; i++) {
      if (units[i] === this.written[i]) continue;
      text += journalCaseLine(i, units[i]);
      this.written[i] = units[i];
      this.counts.journalLines += 1;
    }
    const warnings = JSON.stringify((value as { warnings?: unknown }).warnings ?? []);
    if (warnings !== this.warningsText) {
      text += journalWarningsLine(JSON.parse(warnings));
      this.warningsText = warnings;
      this.counts.journalLines += 1;
    }
    if (text === '' || this.journalFd === null) return;
    this.io.write(this.journalFd, Buffer.from(text, 'utf8'));
    this.io.fdatasync(this.journalFd);
  }

  private closeJournal(): void {
    if (this.journalFd === null) return;
    this.io.close(this.journalFd);
    this.journalFd = null;
  }
}
