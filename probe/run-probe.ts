/**
 * `durabench probe`'s run, round-robin: every method is prepared once on every target (inside a fresh
 * work directory the probe creates in each target, with the owner marker, workspace/workdir.ts, and
 * removes afterwards, also after an error or an interrupt), then `passes` times each method runs on
 * each target in turn for `seconds / passes`. Drifting background load (other processes, the disk's
 * own housekeeping) then spreads over every method instead of falling on whichever ran at a bad
 * moment; each method's passes are merged exactly and are the batches its noise and margin of error
 * are judged on. The session writes the report after every pass.
 *
 * Faults: a method that fails is `errored` (or `unsupported`) and the others go on; a target that is
 * gone, read-only or failing makes its remaining methods `errored` at once with the target's reason;
 * work directories that cannot be removed become a `cleanup-failed` warning (`durabench clean`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { PROBE_SYNC_THREADS } from '../coordinator/defaults.js';
import { sessionHeader, type Session } from '../coordinator/session.js';
import { Io } from '../io/io.js';
import type { ProbeMethodInfo, ProbePattern, ProbeReport, ProbeResult } from '../model/probe-report.js';
import { createWorkDir, removeWorkDir, targetDown } from '../workspace/workdir.js';
import { allMethods, prefillRandom, type MethodRun, type PrepareContext, type ProbeMethod } from './methods.js';
import { combineSlots, failedResult, measureSlot, type SlotMeasurement } from './measure.js';
import { measureParallel, parallelMethods, type ParallelMethod } from './parallel.js';
import { probeWarnings } from './warnings.js';

export interface ProbeRunOptions {
  /** Target directories (must exist; validated by the caller). */
  targets: string[];
  seconds: number;
  warmupSeconds: number;
  blockBytes: number[];
  /** Access patterns of the overwrite methods (default: rewrite). */
  patterns?: ProbePattern[];
  /** Round-robin passes (≥ 1; default 1). */
  passes?: number;
  /** Thread counts of the sync-parallelism methods (probe/parallel.ts); default 1, 2, 4, 8, 16. */
  threads?: number[];
  /** Only these method ids (null: all). */
  methods: readonly string[] | null;
  runId: string;
  /** Called before every slot (progress): `index` counts from 0 of `total` slots. */
  onStart?(method: ProbeMethodInfo, target: string, index: number, total: number): void;
  /** Called after every measured slot (progress): `done` of `total` slots. */
  onResult?(last: ProbeResult, done: number, total: number): void;
}

/** The methods a probe runs, in report order. */
export function selectMethods(
  blockBytes: readonly number[],
  only: readonly string[] | null,
  patterns: readonly ProbePattern[] = ['rewrite'],
): ProbeMethod[] {
  const all = allMethods(blockBytes, patterns);
  return only === null ? all : all.filter((m) => only.includes(m.info.id));
}

/** The sync-parallelism methods a probe runs, after the others. */
export function selectParallel(blockBytes: readonly number[], threads: readonly number[], only: readonly string[] | null): ParallelMethod[] {
  const all = parallelMethods(blockBytes, threads);
  return only === null ? all : all.filter((m) => only.includes(m.info.id));
}

/** A fresh probe report: the header and the settings. */
export function newProbeReport(
  opts: Pick<ProbeRunOptions, 'targets' | 'seconds' | 'warmupSeconds' | 'blockBytes' | 'patterns' | 'passes' | 'threads'>,
): ProbeReport {
  const report: ProbeReport = {
    ...sessionHeader('probe', opts.targets),
    settings: {
      seconds: opts.seconds,
      warmupSeconds: opts.warmupSeconds,
      blockBytes: [...opts.blockBytes],
      targets: [...opts.targets],
      patterns: [...(opts.patterns ?? ['rewrite'])],
      passes: opts.passes ?? 1,
      threads: opts.threads ?? [...PROBE_SYNC_THREADS],
    },
    results: [],
  };
  report.warnings = probeWarnings(report);
  return report;
}

/** The shared random-filled data files of one target's work directory, one per size. */
function targetContext(workDir: string, io: Io): PrepareContext {
  const files = new Map<number, string>();
  return {
    dataFile(bytes) {
      let file = files.get(bytes);
      if (file === undefined) {
        file = path.join(workDir, `data-${bytes}.dat`);
        prefillRandom(io, file, bytes);
        files.set(bytes, file);
      }
      return file;
    },
  };
}

/** One method on one target: prepared once, then measured pass after pass. */
interface Cell {
  readonly method: Pick<ProbeMethod, 'info'>;
  readonly target: string;
  run: MethodRun | null;
  readonly slots: SlotMeasurement[];
  /** Its final result once known: a failure (at prepare or in a pass), or a sync-parallelism method's whole measurement. */
  failed: ProbeResult | null;
}

function resultOf(c: Cell): ProbeResult | null {
  if (c.failed) return c.failed;
  if (c.slots.length === 0 || c.run === null) return null;
  return combineSlots(c.target, c.method.info, c.slots, c.run.notes);
}

function closeRun(c: Cell): void {
  try {
    c.run?.close();
  } catch {
    /* the work directory is removed anyway */
  }
  c.run = null;
}

function messageOf(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/\s*\n\s*/g, ' ');
}

function codeOf(err: unknown): string | null {
  const c = (err as NodeJS.ErrnoException | null)?.code;
  return typeof c === 'string' ? c : null;
}

/** Run every method on every target inside the session; the report is rewritten after every pass. */
export async function runProbe(session: Session<ProbeReport>, opts: ProbeRunOptions): Promise<ProbeReport> {
  const report = session.report;
  const methods = selectMethods(opts.blockBytes, opts.methods, opts.patterns ?? ['rewrite']);
  const passes = Math.max(1, Math.floor(opts.passes ?? 1));
  const workDirs: (string | null)[] = [];
  const cells: Cell[] = [];
  /** Targets that can no longer be used (their remaining methods are errored at once). */
  const down = new Map<number, { reason: string; code: string | null }>();
  const publish = (): void => {
    report.results = cells.map(resultOf).filter((r): r is ProbeResult => r !== null);
    report.warnings = probeWarnings(report);
  };
  const removeWorkDirs = (): string[] => {
    const problems: string[] = [];
    for (const d of workDirs.splice(0)) {
      if (d === null) continue;
      try {
        removeWorkDir(d);
      } catch (err) {
        problems.push(`could not remove the work directory ${d}: ${messageOf(err)}`);
      }
    }
    return problems;
  };
  const downResult = (c: Cell, ti: number): ProbeResult => ({ target: c.target, method: c.method.info, state: 'errored', reason: down.get(ti)!.reason, code: down.get(ti)!.code });
  /** After a failure on target `ti`: is the target itself still usable? */
  const checkTarget = (ti: number, after: string): void => {
    if (down.has(ti)) return;
    const problem = targetDown(opts.targets[ti]!, workDirs[ti] ?? null);
    if (problem) down.set(ti, { reason: `${problem.reason} (after ${after} failed)`, code: problem.code });
  };
  try {
    return await session.run(async () => {
      try {
        await measureAll();
      } finally {
        // Whatever way the body ends, the report the session finishes holds every slot measured
        // (before the runs are closed: a closed run has no notes to combine).
        publish();
        for (const c of cells) closeRun(c);
        const cleanupProblems = removeWorkDirs().map((message) => ({ code: 'cleanup-failed', message, remedy: 'durabench clean removes it once the filesystem can be written again (the next durabench command says so)' }));
        for (const problem of cleanupProblems) report.warnings.push(problem);
      }
    });
  } finally {
    for (const c of cells) closeRun(c);
    removeWorkDirs();
  }

  async function measureAll(): Promise<void> {
    const io = new Io();
    const contexts: (PrepareContext | null)[] = [];
    opts.targets.forEach((t, ti) => {
      try {
        const dir = createWorkDir(t, `probe-${opts.runId}`);
        workDirs.push(dir);
        contexts.push(targetContext(dir, io));
      } catch (err) {
        workDirs.push(null);
        contexts.push(null);
        down.set(ti, { reason: `could not create the work directory in ${t}: ${messageOf(err)}`, code: codeOf(err) });
      }
    });
    // Prepare everything first (untimed): the data files are written once per target, as
    // pg_test_fsync writes its one file before its first test.
    const targetOf: number[] = [];
    let n = 0;
    for (const method of methods) {
      for (let ti = 0; ti < opts.targets.length; ti++) {
        await yieldToEventLoop();
        if (session.stopping) return;
        const cell: Cell = { method, target: opts.targets[ti]!, run: null, slots: [], failed: null };
        const scratch = workDirs[ti] ? path.join(workDirs[ti]!, `m${n++}`) : null;
        if (down.has(ti) || scratch === null) cell.failed = downResult(cell, ti);
        else {
          try {
            fs.mkdirSync(scratch);
            cell.run = method.prepare(scratch, new Io(), contexts[ti]!);
          } catch (err) {
            cell.failed = failedResult(cell.target, method.info, err);
            checkTarget(ti, method.info.id);
          }
        }
        cells.push(cell);
        targetOf.push(ti);
      }
    }
    const slot = { seconds: opts.seconds / passes, warmupSeconds: opts.warmupSeconds / passes, minIterations: Math.ceil(10 / passes) };
    const parallel = selectParallel(opts.blockBytes, opts.threads ?? PROBE_SYNC_THREADS, opts.methods);
    const total = cells.length * passes + parallel.length * opts.targets.length;
    let done = 0;
    for (let pass = 0; pass < passes; pass++) {
      for (let ci = 0; ci < cells.length; ci++) {
        const cell = cells[ci]!;
        const ti = targetOf[ci]!;
        // Let the signal handler run between slots (each slot itself is synchronous).
        await yieldToEventLoop();
        if (session.stopping) return;
        opts.onStart?.(cell.method.info, cell.target, done, total);
        done += 1;
        if (!cell.failed && down.has(ti)) {
          cell.failed = downResult(cell, ti);
          closeRun(cell);
        }
        if (cell.failed || cell.run === null) {
          opts.onResult?.(cell.failed ?? resultOf(cell)!, done, total);
          continue;
        }
        try {
          cell.slots.push(measureSlot(cell.run, slot));
        } catch (err) {
          cell.failed = failedResult(cell.target, cell.method.info, err);
          closeRun(cell);
          checkTarget(ti, cell.method.info.id);
        }
        opts.onResult?.(resultOf(cell)!, done, total);
      }
      publish();
      session.save();
    }
    // The sync-parallelism methods start threads of their own and measure all at once: once each,
    // after the round-robin, on every target still usable.
    for (const method of parallel) {
      for (let ti = 0; ti < opts.targets.length; ti++) {
        await yieldToEventLoop();
        if (session.stopping) return;
        const cell: Cell = { method, target: opts.targets[ti]!, run: null, slots: [], failed: null };
        opts.onStart?.(method.info, cell.target, done, total);
        done += 1;
        if (down.has(ti) || workDirs[ti] === null) cell.failed = downResult(cell, ti);
        else {
          const scratch = path.join(workDirs[ti]!, `m${n++}`);
          try {
            fs.mkdirSync(scratch);
            cell.failed = await measureParallel(method, cell.target, scratch, { seconds: opts.seconds, warmupSeconds: opts.warmupSeconds });
          } catch (err) {
            cell.failed = failedResult(cell.target, method.info, err);
            checkTarget(ti, method.info.id);
          } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
          }
        }
        cells.push(cell);
        opts.onResult?.(cell.failed!, done, total);
        publish();
        session.save();
      }
    }
  }
}
