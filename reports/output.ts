/**
 * Where rendered output goes. Renderers only produce text; this writes it — every file through the
 * one atomic, fsynced writer (io/atomic-file.ts), so a report on disk is complete and durable after
 * every case, across a crash or a power cut. A session's report goes to a directory (every
 * requested format after every unit of work, costly ones at the end) or to standard output
 * (`--out -`: one format, written once, when the session ends — as fio's `--output-format=json`
 * and hyperfine's `--export-json -` do); `writeOutputFile` writes one file.
 */
import path from 'node:path';
import { makeDirDurable, writeFileAtomic } from '../io/atomic-file.js';
import type { ReportSink } from '../coordinator/session.js';
import { rendererOf, type FormatOf, type OutputKind, type ValueOf } from './formats.js';

/** The `--out` value that means standard output. */
export const STDOUT = '-';

/** A directory of report files, or standard output (one format, written at the end). */
export type OutputTarget = { readonly kind: 'dir'; readonly dir: string } | { readonly kind: 'stdout' };

/** `--out` as a target: `-` is standard output, anything else a directory (resolved). */
export function outputTarget(out: string): OutputTarget {
  return out === STDOUT ? { kind: 'stdout' } : { kind: 'dir', dir: path.resolve(out) };
}

/** Write one output file (compare, gate summaries, exports, re-rendered reports), creating its directory. */
export function writeOutputFile(file: string, text: string): void {
  makeDirDurable(path.dirname(path.resolve(file)));
  writeFileAtomic(file, text);
}

export class ReportOutput<K extends OutputKind> implements ReportSink<ValueOf<K>> {
  /** The files written (none for standard output). */
  readonly paths: readonly string[];

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

  write(value: ValueOf<K>, final: boolean): void {
    const t = this.target;
    if (t.kind === 'stdout') {
      // A stream cannot be rewritten: the report goes out once, finished (or interrupted).
      if (final) this.stdout(rendererOf(this.kind, this.formats[0]!).render(value));
      return;
    }
    makeDirDurable(t.dir);
    for (const f of this.formats) {
      const r = rendererOf(this.kind, f);
      if (r.costly && !final) continue;
      writeFileAtomic(this.fileOf(t.dir, f), r.render(value));
    }
  }
}
