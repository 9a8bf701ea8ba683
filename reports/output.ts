/**
 * Where rendered output goes. Renderers only produce text; this writes it — every file through the
 * one atomic, fsynced writer (io/atomic-file.ts), so a report on disk is complete and durable after
 * every case, across a crash or a power cut. `ReportOutput` is a session's sink; `writeOutputFile`
 * writes one file.
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
import type { ReportSink } from '../coordinator/session.js';
import { rendererOf, type FormatOf, type OutputKind, type ValueOf } from './formats.js';
import { journalCaseLine, journalHeaderLine, journalPathOf, journalWarningsLine } from './journal.js';

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
    readonly outDir: string,
    private readonly formats: readonly FormatOf<K>[],
    private readonly baseName = 'report',
  ) {
    this.paths = formats.map((f) => this.fileOf(f));
  }

  private fileOf(format: FormatOf<K>): string {
    return path.join(this.outDir, `${this.baseName}.${rendererOf(this.kind, format).extension}`);
  }

  private get journalPath(): string {
    return journalPathOf(this.fileOf('json' as FormatOf<K>));
  }

  write(value: ValueOf<K>, final: boolean): void {
    if (!this.dirReady) {
      makeDirDurable(this.outDir, this.io);
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
      writeFileAtomic(this.fileOf(f), bytes, this.io);
      if (units !== null && f === 'json' && !final) {
        // Only after the new report.json is durable: a journal always extends the file it names.
        writeFileAtomic(this.journalPath, journalHeaderLine(bytes), this.io);
        this.journalFd = this.io.open(this.journalPath, { append: true });
      }
    }
    if (final && units !== null && fs.existsSync(this.journalPath)) {
      this.io.unlink(this.journalPath);
      this.io.fsyncDir(this.outDir);
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
