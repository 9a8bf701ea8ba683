/**
 * `durabench probe`'s run: for each method, each target in turn (so targets are measured close in
 * time and compare side by side), inside a fresh work directory the probe creates in every target
 * (with the owner marker, coordinator/workdir.ts) and removes afterwards, also after an error or
 * an interrupt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createWorkDir, removeWorkDir } from '../coordinator/workdir.js';
import { collectHost } from '../provenance/host.js';
import { collectToolInfo } from '../provenance/tool.js';
import { SCHEMA_VERSION, type ProbeReport, type ProbeResult } from '../reports/schema.js';
import { allMethods, type ProbeMethod } from './methods.js';
import { measureMethod } from './measure.js';
import { probeWarnings } from './warnings.js';

export interface ProbeRunOptions {
  /** Target directories (must exist; validated by the caller). */
  targets: string[];
  seconds: number;
  warmupSeconds: number;
  blockBytes: number[];
  /** Only these method ids (null: all). */
  methods: readonly string[] | null;
  runId: string;
  /** Called after every result with the report so far (write it: a later failure loses nothing). */
  onProgress?(report: ProbeReport, last: ProbeResult, done: number, total: number): void;
  /** Polled between methods: true stops the probe (SIGINT). */
  shouldStop?(): boolean;
}

/** The methods a probe runs, in report order. */
export function selectMethods(blockBytes: readonly number[], only: readonly string[] | null): ProbeMethod[] {
  const all = allMethods(blockBytes);
  return only === null ? all : all.filter((m) => only.includes(m.info.id));
}

export async function runProbe(opts: ProbeRunOptions): Promise<ProbeReport> {
  const report: ProbeReport = {
    schemaVersion: SCHEMA_VERSION,
    kind: 'probe',
    tool: collectToolInfo(),
    host: collectHost(opts.targets),
    settings: { seconds: opts.seconds, warmupSeconds: opts.warmupSeconds, blockBytes: [...opts.blockBytes], targets: [...opts.targets] },
    startedAt: new Date().toISOString(),
    finishedAt: null,
    results: [],
    warnings: [],
    status: 'running',
  };
  report.warnings = probeWarnings(report);
  const methods = selectMethods(opts.blockBytes, opts.methods);
  const workDirs: string[] = [];
  try {
    for (const t of opts.targets) workDirs.push(createWorkDir(t, `probe-${opts.runId}`));
    const total = methods.length * opts.targets.length;
    let n = 0;
    outer: for (const method of methods) {
      for (let ti = 0; ti < opts.targets.length; ti++) {
        // Let SIGINT handlers run between methods (each method itself is synchronous).
        await yieldToEventLoop();
        if (opts.shouldStop?.()) {
          report.status = 'interrupted';
          break outer;
        }
        const scratch = path.join(workDirs[ti]!, `m${n}`);
        fs.mkdirSync(scratch);
        let result: ProbeResult;
        try {
          result = measureMethod(method, opts.targets[ti]!, scratch, { seconds: opts.seconds, warmupSeconds: opts.warmupSeconds });
        } finally {
          // Preallocated files add up (16 MiB each): remove each method's files before the next.
          fs.rmSync(scratch, { recursive: true, force: true });
        }
        report.results.push(result);
        report.warnings = probeWarnings(report);
        n += 1;
        opts.onProgress?.(report, result, n, total);
      }
    }
    if (report.status === 'running') report.status = 'completed';
  } finally {
    for (const d of workDirs) removeWorkDir(d);
    report.finishedAt = new Date().toISOString();
  }
  return report;
}
