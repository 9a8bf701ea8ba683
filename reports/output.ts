/**
 * Where rendered output goes. Renderers only produce text; this writes it — every file through the
 * one atomic, fsynced writer (io/atomic-file.ts), so a report on disk is complete and durable after
 * every case, across a crash or a power cut. `ReportOutput` is a session's sink (every requested
 * format after every unit of work; costly ones at the end); `writeOutputFile` writes one file.
 */
import path from 'node:path';
import { makeDirDurable, writeFileAtomic } from '../io/atomic-file.js';
import type { ReportSink } from '../coordinator/session.js';
import { rendererOf, type FormatOf, type OutputKind, type ValueOf } from './formats.js';

/** Write one output file (compare, gate summaries, exports, re-rendered reports), creating its directory. */
export function writeOutputFile(file: string, text: string): void {
  makeDirDurable(path.dirname(path.resolve(file)));
  writeFileAtomic(file, text);
}

export class ReportOutput<K extends OutputKind> implements ReportSink<ValueOf<K>> {
  readonly paths: readonly string[];

  constructor(
    private readonly kind: K,
    readonly outDir: string,
    private readonly formats: readonly FormatOf<K>[],
    private readonly baseName = 'report',
  ) {
    this.paths = formats.map((f) => this.fileOf(f));
  }

  private fileOf(format: FormatOf<K>): string {
    return path.join(this.outDir, `${this.baseName}.${rendererOf(this.kind, format).extension}`);
  }

  write(value: ValueOf<K>, final: boolean): void {
    makeDirDurable(this.outDir);
    for (const f of this.formats) {
      const r = rendererOf(this.kind, f);
      if (r.costly && !final) continue;
      writeFileAtomic(this.fileOf(f), r.render(value));
    }
  }
}
