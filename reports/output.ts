/**
 * The one place that decides where rendered reports go. Renderers only produce text; this writes
 * every requested format atomically (temporary file + rename), and is called after every case so
 * a later failure, a crash or Ctrl-C loses nothing already measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunReport } from './schema.js';
import { RENDERERS, type ReportFormat } from './render/index.js';

export class ReportOutput {
  constructor(
    readonly outDir: string,
    readonly formats: readonly ReportFormat[],
    readonly baseName = 'report',
  ) {}

  /** Paths of the files this output writes. */
  paths(): string[] {
    return this.formats.map((f) => path.join(this.outDir, `${this.baseName}.${RENDERERS[f].extension}`));
  }

  write(report: RunReport): void {
    fs.mkdirSync(this.outDir, { recursive: true });
    for (const f of this.formats) {
      const file = path.join(this.outDir, `${this.baseName}.${RENDERERS[f].extension}`);
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, RENDERERS[f].render(report));
      fs.renameSync(tmp, file);
    }
  }
}
