/**
 * `durabench probe`'s run: for each method, each target in turn (so targets are measured close in
 * time and compare side by side), inside a fresh work directory the probe creates in every target
 * (with the owner marker, workspace/workdir.ts) and removes afterwards, also after an error or
 * an interrupt. The session writes the report after every result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { PROBE_SYNC_THREADS } from '../coordinator/defaults.js';
import { sessionHeader, type Session } from '../coordinator/session.js';
import type { ProbeReport, ProbeResult } from '../model/probe-report.js';
import { createWorkDir, removeWorkDir } from '../workspace/workdir.js';
import { allMethods, type ProbeMethod } from './methods.js';
import { measureMethod } from './measure.js';
import { measureParallel, parallelMethods, type ParallelMethod } from './parallel.js';
import { probeWarnings } from './warnings.js';

export interface ProbeRunOptions {
  /** Target directories (must exist; validated by the caller). */
  targets: string[];
  seconds: number;
  warmupSeconds: number;
  blockBytes: number[];
  /** Thread counts of the sync-parallelism methods (probe/parallel.ts); default 1, 2, 4, 8, 16. */
  threads?: number[];
  /** Only these method ids (null: all). */
  methods: readonly string[] | null;
  runId: string;
  /** Called after every result (progress). */
  onResult?(last: ProbeResult, done: number, total: number): void;
}

/** The methods a probe runs, in report order. */
export function selectMethods(blockBytes: readonly number[], only: readonly string[] | null): ProbeMethod[] {
  const all = allMethods(blockBytes);
  return only === null ? all : all.filter((m) => only.includes(m.info.id));
}

/** The sync-parallelism methods a probe runs, after the others. */
export function selectParallel(blockBytes: readonly number[], threads: readonly number[], only: readonly string[] | null): ParallelMethod[] {
  const all = parallelMethods(blockBytes, threads);
  return only === null ? all : all.filter((m) => only.includes(m.info.id));
}

/** A fresh probe report: the header and the settings. */
export function newProbeReport(opts: Pick<ProbeRunOptions, 'targets' | 'seconds' | 'warmupSeconds' | 'blockBytes' | 'threads'>): ProbeReport {
  const threads = opts.threads ?? [...PROBE_SYNC_THREADS];
  const report: ProbeReport = {
    ...sessionHeader('probe', opts.targets),
    settings: { seconds: opts.seconds, warmupSeconds: opts.warmupSeconds, blockBytes: [...opts.blockBytes], targets: [...opts.targets], threads },
    results: [],
  };
  report.warnings = probeWarnings(report);
  return report;
}

/** Run every method on every target inside the session; the report is rewritten after every result. */
export async function runProbe(session: Session<ProbeReport>, opts: ProbeRunOptions): Promise<ProbeReport> {
  const report = session.report;
  const methods: (ProbeMethod | ParallelMethod)[] = [...selectMethods(opts.blockBytes, opts.methods), ...selectParallel(opts.blockBytes, opts.threads ?? PROBE_SYNC_THREADS, opts.methods)];
  const workDirs: string[] = [];
  try {
    return await session.run(async () => {
      for (const t of opts.targets) workDirs.push(createWorkDir(t, `probe-${opts.runId}`));
      const total = methods.length * opts.targets.length;
      let n = 0;
      for (const method of methods) {
        for (let ti = 0; ti < opts.targets.length; ti++) {
          // Let the signal handler run between methods (each method itself is synchronous).
          await yieldToEventLoop();
          if (session.stopping) return;
          const scratch = path.join(workDirs[ti]!, `m${n}`);
          fs.mkdirSync(scratch);
          let result: ProbeResult;
          try {
            const how = { seconds: opts.seconds, warmupSeconds: opts.warmupSeconds };
            result = 'kind' in method ? await measureParallel(method, opts.targets[ti]!, scratch, how) : measureMethod(method, opts.targets[ti]!, scratch, how);
          } finally {
            // Preallocated files add up (16 MiB each): remove each method's files before the next.
            fs.rmSync(scratch, { recursive: true, force: true });
          }
          report.results.push(result);
          report.warnings = probeWarnings(report);
          n += 1;
          opts.onResult?.(result, n, total);
          session.save();
        }
      }
    });
  } finally {
    for (const d of workDirs) removeWorkDir(d);
  }
}
