/**
 * Where probe reports go: every requested format in the output directory, written atomically
 * (temporary file + rename) after every result, so an interrupt or a crash loses nothing measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProbeReport } from '../reports/schema.js';
import { PROBE_RENDERERS, type ProbeFormat } from '../reports/render/probe-index.js';

export class ProbeOutput {
  constructor(
    readonly outDir: string,
    readonly formats: readonly ProbeFormat[],
    readonly baseName = 'probe',
  ) {}

  paths(): string[] {
    return this.formats.map((f) => path.join(this.outDir, `${this.baseName}.${PROBE_RENDERERS[f].extension}`));
  }

  write(report: ProbeReport): void {
    fs.mkdirSync(this.outDir, { recursive: true });
    for (const f of this.formats) {
      const file = path.join(this.outDir, `${this.baseName}.${PROBE_RENDERERS[f].extension}`);
      const tmp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(tmp, PROBE_RENDERERS[f].render(report));
      fs.renameSync(tmp, file);
    }
  }
}
