/**
 * Measure one probe method on one directory with tinybench 6.
 *
 * tinybench drives the loop (warm-up, time budget, minimum iterations) and gives the relative
 * margin of error; each operation's latency is also recorded here, in integer nanoseconds, into an
 * HDR histogram (reports/hdr.ts), so percentiles are exact to 0.1 % and the report keeps the
 * histogram. The operation returns the ns of its timed part, which is handed to tinybench as
 * `overriddenDuration` so both agree on what was measured.
 */
import { Bench, type FnReturnedObject } from 'tinybench';
import { Io } from '../io/io.js';
import { LatencyRecorder } from '../stats/hdr.js';
import { summarizeLatency } from '../stats/summary.js';
import { type ProbeMethodInfo, type ProbeResult } from '../model/probe-report.js';
import { UnsupportedError, type MethodRun, type ProbeMethod } from './methods.js';

/** The measured time is split into this many slices; their ops/s are the "repeats" noise is judged on. */
export const SLICES = 5;

export interface MeasureOptions {
  /** Measured seconds (tinybench `time`). */
  seconds: number;
  /** Warm-up seconds (tinybench `warmupTime`); 0 disables warm-up. */
  warmupSeconds: number;
  /** Minimum measured operations even when the time is up (tinybench `iterations`). */
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

function failed(target: string, info: ProbeMethodInfo, err: unknown): ProbeResult {
  const code = err instanceof UnsupportedError ? err.code : errorCode(err);
  const reason = errorText(err);
  return isUnsupported(err, info)
    ? { target, method: info, state: 'unsupported', reason, code }
    : { target, method: info, state: 'errored', reason, code };
}

/**
 * Run `method` in `workDir` (a directory the probe owns) and return its result. Never throws for
 * failures of the method itself: they become `unsupported` or `errored` results.
 */
export function measureMethod(method: ProbeMethod, target: string, workDir: string, opts: MeasureOptions): ProbeResult {
  const info = method.info;
  const io = new Io();
  let run: MethodRun;
  try {
    run = method.prepare(workDir, io);
  } catch (err) {
    return failed(target, info, err);
  }
  const recorder = new LatencyRecorder();
  const sliceNs = (opts.seconds * 1e9) / SLICES;
  const sliceOps = new Array<number>(SLICES).fill(0);
  const sliceSumNs = new Array<number>(SLICES).fill(0);
  let measuring = false;
  let startNs = 0n;
  let sumNs = 0;
  try {
    const bench = new Bench({
      time: opts.seconds * 1000,
      iterations: opts.minIterations ?? 10,
      warmup: opts.warmupSeconds > 0,
      warmupTime: opts.warmupSeconds * 1000,
      warmupIterations: 1,
      throws: false,
      timestampProvider: 'hrtimeNow',
    });
    bench.add(
      info.id,
      (): FnReturnedObject => {
        const ns = run.op();
        if (measuring) {
          recorder.record(ns);
          sumNs += ns;
          const slice = Math.min(SLICES - 1, Math.floor(Number(process.hrtime.bigint() - startNs) / sliceNs));
          sliceOps[slice]! += 1;
          sliceSumNs[slice]! += ns;
        }
        return { overriddenDuration: ns / 1e6 };
      },
      {
        async: false,
        beforeAll(mode) {
          // Warm-up operations are not recorded: start clean when the measured phase begins.
          if (mode === 'run') {
            recorder.reset();
            sumNs = 0;
            sliceOps.fill(0);
            sliceSumNs.fill(0);
            measuring = true;
            startNs = process.hrtime.bigint();
          }
        },
      },
    );
    const [task] = bench.runSync();
    const r = task?.result;
    if (!r) return failed(target, info, new Error('tinybench returned no task'));
    if (r.state === 'errored') return failed(target, info, r.error);
    if (r.state !== 'completed') return failed(target, info, new Error(`tinybench task ended in state '${r.state}'`));
    const latency = summarizeLatency([recorder.encode()]);
    const meanNs = recorder.count > 0 ? sumNs / recorder.count : 0;
    return {
      target,
      method: info,
      state: 'completed',
      metrics: {
        samples: recorder.count,
        opsPerSec: meanNs > 0 ? 1e9 / meanNs : 0,
        measuredNs: sumNs,
        latency,
        rmePercent: Number.isFinite(r.latency.rme) ? r.latency.rme : 0,
        sliceOpsPerSec: sliceOps.map((n, i) => (sliceSumNs[i]! > 0 ? (n * 1e9) / sliceSumNs[i]! : 0)),
        notes: run.notes,
      },
    };
  } catch (err) {
    return failed(target, info, err);
  } finally {
    recorder.destroy();
    try {
      run.close();
    } catch {
      /* the work directory is removed anyway */
    }
  }
}
