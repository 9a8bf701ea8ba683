/**
 * `durabench probe`'s run: for each method, each target in turn (so targets are measured close in
 * time and compare side by side), inside a fresh work directory the probe creates in every target
 * (with the owner marker, workspace/workdir.ts) and removes afterwards, also after an error or
 * an interrupt. The session writes the report after every result.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sessionHeader, type Session } from '../coordinator/session.js';
import type { ProbeMethodInfo, ProbeReport, ProbeResult } from '../model/probe-report.js';
import { createWorkDir, removeTree, removeWorkDir, targetDown } from '../workspace/workdir.js';
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
  /** Called before each method on each target (progress): `index` counts from 0. */
  onStart?(method: ProbeMethodInfo, target: string, index: number, total: number): void;
  /** Called after every result (progress). */
  onResult?(last: ProbeResult, done: number, total: number): void;
}

/** The methods a probe runs, in report order. */
export function selectMethods(blockBytes: readonly number[], only: readonly string[] | null): ProbeMethod[] {
  const all = allMethods(blockBytes);
  return only === null ? all : all.filter((m) => only.includes(m.info.id));
}

/** A fresh probe report: the header and the settings. */
export function newProbeReport(opts: Pick<ProbeRunOptions, 'targets' | 'seconds' | 'warmupSeconds' | 'blockBytes'>): ProbeReport {
  const report: ProbeReport = {
    ...sessionHeader('probe', opts.targets),
    settings: { seconds: opts.seconds, warmupSeconds: opts.warmupSeconds, blockBytes: [...opts.blockBytes], targets: [...opts.targets] },
    results: [],
  };
  report.warnings = probeWarnings(report);
  return report;
}

function messageOf(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/\s*\n\s*/g, ' ');
}

function codeOf(err: unknown): string | null {
  const c = (err as NodeJS.ErrnoException | null)?.code;
  return typeof c === 'string' ? c : null;
}

/** One method on one target, never throwing: its directory's creation or removal failing makes it `errored`. */
function measureIn(method: ProbeMethod, target: string, scratch: string, opts: ProbeRunOptions): ProbeResult {
  let result: ProbeResult;
  try {
    fs.mkdirSync(scratch);
  } catch (err) {
    return { target, method: method.info, state: 'errored', reason: `could not create the method's directory: ${messageOf(err)}`, code: codeOf(err) };
  }
  try {
    result = measureMethod(method, target, scratch, { seconds: opts.seconds, warmupSeconds: opts.warmupSeconds });
  } catch (err) {
    result = { target, method: method.info, state: 'errored', reason: messageOf(err), code: codeOf(err) };
  }
  // Preallocated files add up (16 MiB each): remove each method's files before the next.
  try {
    removeTree(scratch);
  } catch (err) {
    const problem = `removing its files failed: ${messageOf(err)}`;
    result = result.state === 'completed' ? { target, method: method.info, state: 'errored', reason: problem, code: codeOf(err) } : { ...result, reason: `${result.reason}; then ${problem}` };
  }
  return result;
}

/**
 * Run every method on every target inside the session; the report is rewritten after every result.
 * A method that fails is `errored` and the next one runs; a target that is gone, read-only or
 * failing makes its remaining methods `errored` at once.
 */
export async function runProbe(session: Session<ProbeReport>, opts: ProbeRunOptions): Promise<ProbeReport> {
  const report = session.report;
  const methods = selectMethods(opts.blockBytes, opts.methods);
  const workDirs: (string | null)[] = [];
  const down = new Map<number, { reason: string; code: string | null }>();
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
  try {
    return await session.run(async () => {
      opts.targets.forEach((t, ti) => {
        try {
          workDirs.push(createWorkDir(t, `probe-${opts.runId}`));
        } catch (err) {
          workDirs.push(null);
          down.set(ti, { reason: `could not create the work directory in ${t}: ${messageOf(err)}`, code: codeOf(err) });
        }
      });
      const total = methods.length * opts.targets.length;
      let n = 0;
      for (const method of methods) {
        for (let ti = 0; ti < opts.targets.length; ti++) {
          // Let the signal handler run between methods (each method itself is synchronous).
          await yieldToEventLoop();
          if (session.stopping) break;
          const target = opts.targets[ti]!;
          const isDown = down.get(ti);
          opts.onStart?.(method.info, target, n, total);
          let result: ProbeResult;
          if (isDown) result = { target, method: method.info, state: 'errored', reason: isDown.reason, code: isDown.code };
          else {
            result = measureIn(method, target, path.join(workDirs[ti]!, `m${n}`), opts);
            if (result.state === 'errored') {
              const problem = targetDown(target, workDirs[ti] ?? null);
              if (problem) down.set(ti, { reason: `${problem.reason} (after ${method.info.id} failed)`, code: problem.code });
            }
          }
          report.results.push(result);
          report.warnings = probeWarnings(report);
          n += 1;
          opts.onResult?.(result, n, total);
          session.save();
        }
        if (session.stopping) break;
      }
      for (const problem of removeWorkDirs()) {
        report.warnings.push({ code: 'cleanup-failed', message: problem, remedy: 'durabench clean removes it once the filesystem can be written again (the next durabench command says so)' });
      }
    });
  } finally {
    removeWorkDirs();
  }
}
