/**
 * Measure one probe method on one directory: a tight loop on a wall-clock budget.
 *
 * Each operation returns the nanoseconds of its timed part; they are recorded in integer
 * nanoseconds into an HDR histogram (stats/hdr.ts), so percentiles are exact to 0.1 % and the report
 * keeps the histogram. The loop itself does nothing else per operation but count and, every few
 * operations, read the clock to find its slice and to stop when the budget is spent: like
 * pg_test_fsync's `for (ops = 0; !alarm_triggered; ops++)`, so wall ops/s and the timed ops/s agree
 * to within the loop's own cost. (A general benchmark library costs about 1 µs of bookkeeping per
 * iteration and keeps every sample in memory; a non-synced write takes about as long.)
 *
 * A method can run in several slots (`measureSlot`, the probe's round-robin passes); `combineSlots`
 * merges them exactly (histograms add) into one result, and uses each slot, or with one slot each
 * fifth of it, as a batch for the noise check and the margin of error.
 */
import { hrtime } from 'node:process';
import { Io } from '../io/io.js';
import type { EncodedLatency } from '../model/latency.js';
import { LatencyRecorder } from '../stats/hdr.js';
import { summarizeLatency } from '../stats/summary.js';
import { type ProbeMethodInfo, type ProbeResult } from '../model/probe-report.js';
import { standaloneContext, UnsupportedError, type MethodRun, type PrepareContext, type ProbeMethod } from './methods.js';

/** A single slot's measured time is split into this many slices (its batches). */
export const SLICES = 5;

/** The clock is read at most every this many operations (and at least every operation that takes longer than CHECK_NS). */
const MAX_CHECK_EVERY = 256;
/** Aim to read the clock about this often (ns): often enough for slice boundaries to be sharp. */
const CHECK_NS = 50_000;

export interface MeasureOptions {
  /** Measured seconds (wall clock). */
  seconds: number;
  /** Warm-up seconds (wall clock, not recorded); 0 disables warm-up. */
  warmupSeconds: number;
  /** Minimum measured operations even when the time is up (default 10). */
  minIterations?: number;
}

function errorCode(err: unknown): string | null {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? null;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Errors that mean "this filesystem or platform cannot do that" rather than "something broke". */
function isUnsupported(err: unknown, info: ProbeMethodInfo): boolean {
  if (err instanceof UnsupportedError) return true;
  const code = errorCode(err);
  if (code === 'EOPNOTSUPP' || code === 'ENOTSUP' || code === 'ENOSYS') return true;
  // O_DIRECT refusals surface as EINVAL, at open or at the first write.
  return code === 'EINVAL' && info.id.startsWith('o_direct');
}

export function failedResult(target: string, info: ProbeMethodInfo, err: unknown): ProbeResult {
  const code = err instanceof UnsupportedError ? err.code : errorCode(err);
  const reason = errorText(err);
  return isUnsupported(err, info)
    ? { target, method: info, state: 'unsupported', reason, code }
    : { target, method: info, state: 'errored', reason, code };
}

/** What one slot of a method measured. */
export interface SlotMeasurement {
  readonly latency: EncodedLatency;
  /** Sum of the operations' timed nanoseconds. */
  readonly sumNs: number;
  /** Wall time of the measured part, ns. */
  readonly wallNs: number;
  /** Per slice: operations and their timed nanoseconds. */
  readonly sliceOps: readonly number[];
  readonly sliceSumNs: readonly number[];
}

/**
 * Run `run.op` for `warmupSeconds` (not recorded), then for `seconds` of wall time (and at least
 * `minIterations` operations), recording each operation's timed nanoseconds. Throws what the
 * operation throws. `slices`: how many parts the measured time is split into.
 */
export function measureSlot(run: MethodRun, opts: MeasureOptions, slices = SLICES): SlotMeasurement {
  const now = hrtime.bigint;
  const op = run.op;
  if (opts.warmupSeconds > 0) {
    const until = now() + BigInt(Math.round(opts.warmupSeconds * 1e9));
    do op.call(run);
    while (now() < until);
  }
  const recorder = new LatencyRecorder();
  try {
    const budgetNs = opts.seconds * 1e9;
    const sliceNs = budgetNs / slices;
    const minOps = opts.minIterations ?? 10;
    const sliceOps = new Array<number>(slices).fill(0);
    const sliceSumNs = new Array<number>(slices).fill(0);
    let ops = 0;
    let sumNs = 0;
    let pendingOps = 0;
    let pendingNs = 0;
    let checkEvery = 1;
    const start = now();
    let elapsedNs = 0;
    for (;;) {
      const ns = op.call(run);
      recorder.record(ns);
      pendingOps += 1;
      pendingNs += ns;
      if (pendingOps < checkEvery) continue;
      const before = elapsedNs;
      elapsedNs = Number(now() - start);
      // Adapt how often the clock is read: about every CHECK_NS, never less than every MAX_CHECK_EVERY ops.
      if (elapsedNs - before < CHECK_NS && checkEvery < MAX_CHECK_EVERY) checkEvery *= 2;
      else if (elapsedNs - before > 4 * CHECK_NS && checkEvery > 1) checkEvery >>= 1;
      const slice = Math.min(slices - 1, Math.floor(elapsedNs / sliceNs));
      sliceOps[slice]! += pendingOps;
      sliceSumNs[slice]! += pendingNs;
      ops += pendingOps;
      sumNs += pendingNs;
      pendingOps = 0;
      pendingNs = 0;
      if (elapsedNs >= budgetNs && ops >= minOps) break;
    }
    return { latency: recorder.encode(), sumNs, wallNs: elapsedNs, sliceOps, sliceSumNs };
  } finally {
    recorder.destroy();
  }
}

/** Two-sided 97.5 % quantiles of Student's t for 1 … 30 degrees of freedom (beyond: the normal 1.96). */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * Relative margin of error (95 %, percent) of the mean from batch means: t · sd(batch means) / √k
 * over the grand mean. 0 with fewer than two non-empty batches.
 */
export function batchMeansRmePercent(batchOps: readonly number[], batchSumNs: readonly number[]): number {
  const means: number[] = [];
  for (let i = 0; i < batchOps.length; i++) if (batchOps[i]! > 0) means.push(batchSumNs[i]! / batchOps[i]!);
  const k = means.length;
  if (k < 2) return 0;
  const totalOps = batchOps.reduce((a, b) => a + b, 0);
  const grand = batchSumNs.reduce((a, b) => a + b, 0) / totalOps;
  const avg = means.reduce((a, b) => a + b, 0) / k;
  const sd = Math.sqrt(means.reduce((a, m) => a + (m - avg) ** 2, 0) / (k - 1));
  const t = T_975[k - 2] ?? 1.96;
  return grand > 0 ? ((t * sd) / Math.sqrt(k) / grand) * 100 : 0;
}

/** One completed result from the slots a method ran in (in order). */
export function combineSlots(
  target: string,
  info: ProbeMethodInfo,
  slots: readonly SlotMeasurement[],
  notes: readonly string[],
): ProbeResult {
  const latency = summarizeLatency(slots.map((s) => s.latency));
  const sumNs = slots.reduce((a, s) => a + s.sumNs, 0);
  const wallNs = slots.reduce((a, s) => a + s.wallNs, 0);
  const samples = latency.count;
  // Batches: each slot when there are several (round-robin passes), else the slices of the one slot.
  const batchOps = slots.length > 1 ? slots.map((s) => s.sliceOps.reduce((a, b) => a + b, 0)) : [...(slots[0]?.sliceOps ?? [])];
  const batchSumNs = slots.length > 1 ? slots.map((s) => s.sliceSumNs.reduce((a, b) => a + b, 0)) : [...(slots[0]?.sliceSumNs ?? [])];
  return {
    target,
    method: info,
    state: 'completed',
    metrics: {
      samples,
      opsPerSec: sumNs > 0 ? (samples * 1e9) / sumNs : 0,
      wallOpsPerSec: wallNs > 0 ? (samples * 1e9) / wallNs : 0,
      measuredNs: sumNs,
      latency,
      rmePercent: batchMeansRmePercent(batchOps, batchSumNs),
      sliceOpsPerSec: batchOps.map((n, i) => (batchSumNs[i]! > 0 ? (n * 1e9) / batchSumNs[i]! : 0)),
      notes: [...notes],
    },
  };
}

/**
 * Run `method` in `workDir` (a directory the probe owns) in one slot and return its result. Never
 * throws for failures of the method itself: they become `unsupported` or `errored` results.
 */
export function measureMethod(
  method: ProbeMethod,
  target: string,
  workDir: string,
  opts: MeasureOptions,
  ctx?: PrepareContext,
): ProbeResult {
  const info = method.info;
  const io = new Io();
  let run: MethodRun;
  try {
    run = method.prepare(workDir, io, ctx ?? standaloneContext(workDir, io));
  } catch (err) {
    return failedResult(target, info, err);
  }
  try {
    return combineSlots(target, info, [measureSlot(run, opts)], run.notes);
  } catch (err) {
    return failedResult(target, info, err);
  } finally {
    try {
      run.close();
    } catch {
      /* the work directory is removed anyway */
    }
  }
}
