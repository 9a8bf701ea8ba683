/**
 * `durabench probe`'s run, round-robin: every method is prepared once on every target (inside a fresh
 * work directory the probe creates in each target, with the owner marker, workspace/workdir.ts, and
 * removes afterwards, also after an error or an interrupt), then `passes` times each method runs on
 * each target in turn for `seconds / passes`. Drifting background load (other processes, the disk's
 * own housekeeping) then spreads over every method instead of falling on whichever ran at a bad
 * moment; each method's passes are merged exactly and are the batches its noise and margin of error
 * are judged on. The session writes the report after every pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sessionHeader, type Session } from '../coordinator/session.js';
import { Io } from '../io/io.js';
import type { ProbePattern, ProbeReport, ProbeResult } from '../model/probe-report.js';
import { createWorkDir, removeWorkDir } from '../workspace/workdir.js';
import { allMethods, prefillRandom, type MethodRun, type PrepareContext, type ProbeMethod } from './methods.js';
import { combineSlots, failedResult, measureSlot, type SlotMeasurement } from './measure.js';
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
  /** Only these method ids (null: all). */
  methods: readonly string[] | null;
  runId: string;
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

/** A fresh probe report: the header and the settings. */
export function newProbeReport(
  opts: Pick<ProbeRunOptions, 'targets' | 'seconds' | 'warmupSeconds' | 'blockBytes' | 'patterns' | 'passes'>,
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
  readonly method: ProbeMethod;
  readonly target: string;
  run: MethodRun | null;
  readonly slots: SlotMeasurement[];
  /** Set once the method failed (at prepare or in a pass): its final result. */
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

/** Run every method on every target inside the session; the report is rewritten after every pass. */
export async function runProbe(session: Session<ProbeReport>, opts: ProbeRunOptions): Promise<ProbeReport> {
  const report = session.report;
  const methods = selectMethods(opts.blockBytes, opts.methods, opts.patterns ?? ['rewrite']);
  const passes = Math.max(1, Math.floor(opts.passes ?? 1));
  const workDirs: string[] = [];
  const cells: Cell[] = [];
  const publish = (): void => {
    report.results = cells.map(resultOf).filter((r): r is ProbeResult => r !== null);
    report.warnings = probeWarnings(report);
  };
  try {
    return await session.run(async () => {
      try {
        await measureAll();
      } finally {
        // Whatever way the body ends, the report the session finishes holds every slot measured.
        publish();
      }
    });
  } finally {
    for (const c of cells) closeRun(c);
    for (const d of workDirs) removeWorkDir(d);
  }

  async function measureAll(): Promise<void> {
    const io = new Io();
    const contexts: PrepareContext[] = [];
    for (const t of opts.targets) {
      const dir = createWorkDir(t, `probe-${opts.runId}`);
      workDirs.push(dir);
      contexts.push(targetContext(dir, io));
    }
    // Prepare everything first (untimed): the data files are written once per target, as
    // pg_test_fsync writes its one file before its first test.
    let n = 0;
    for (const method of methods) {
      for (let ti = 0; ti < opts.targets.length; ti++) {
        await yieldToEventLoop();
        if (session.stopping) return;
        const scratch = path.join(workDirs[ti]!, `m${n++}`);
        fs.mkdirSync(scratch);
        const cell: Cell = { method, target: opts.targets[ti]!, run: null, slots: [], failed: null };
        try {
          cell.run = method.prepare(scratch, new Io(), contexts[ti]);
        } catch (err) {
          cell.failed = failedResult(cell.target, method.info, err);
        }
        cells.push(cell);
      }
    }
    const slot = { seconds: opts.seconds / passes, warmupSeconds: opts.warmupSeconds / passes, minIterations: Math.ceil(10 / passes) };
    const total = cells.length * passes;
    let done = 0;
    for (let pass = 0; pass < passes; pass++) {
      for (const cell of cells) {
        // Let the signal handler run between slots (each slot itself is synchronous).
        await yieldToEventLoop();
        if (session.stopping) return;
        done += 1;
        if (cell.failed || cell.run === null) continue;
        try {
          cell.slots.push(measureSlot(cell.run, slot));
        } catch (err) {
          cell.failed = failedResult(cell.target, cell.method.info, err);
          closeRun(cell);
        }
        opts.onResult?.(resultOf(cell)!, done, total);
      }
      publish();
      session.save();
    }
  }
}
