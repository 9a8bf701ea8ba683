/**
 * Sync parallelism: does this filesystem and device overlap concurrent syncs, or serialize them?
 * K threads (1, 2, 4, 8, 16 by default) each write a block and fdatasync it, concurrently, for the
 * measured time — each into its own preallocated file, or all into one preallocated file (each in
 * its own region). The aggregate syncs/s against K is the answer: on a device with deep queues or a
 * network filesystem concurrent syncs overlap and the curve climbs; where each sync commits one
 * shared journal and flushes one cache, one stream of syncs is all there is (DuckDB's group-commit
 * pull requests #23631 and #23655 argue exactly this; durabench measures it instead of guessing from
 * the filesystem type). The shared log's `--mode pipelined --sync-parallelism K` is worth it where
 * the "one file" curve climbs.
 *
 * Each thread runs in a worker thread (probe/parallel-worker.ts) with synchronous fs calls; all
 * start at one instant and stop at one deadline, so the aggregate rate is operations of all
 * threads over the measured wall time. Per-operation latency (write + fdatasync, as the probe's
 * `fdatasync` method times it) is merged exactly across the threads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { tQuantile975 } from '../stats/student-t.js';
import { Io } from '../io/io.js';
import { entryUrl } from '../workspace/entry-point.js';
import type { EncodedLatency } from '../model/latency.js';
import type { ProbeMethodInfo, ProbeResult } from '../model/probe-report.js';
import { summarizeLatency } from '../stats/summary.js';
import { SLICES, type MeasureOptions } from './measure.js';
import type { ParallelWorkerData, ParallelWorkerResult } from './parallel-worker.js';

/** Each thread's region of its file: small enough for 16 threads in one file on a 512 MiB image. */
export const PARALLEL_REGION_BYTES = 4 * 1024 * 1024;

export type ParallelLayout = 'own-files' | 'one-file';

export const PARALLEL_GROUPS: Record<ParallelLayout, string> = {
  'own-files': 'concurrent syncs, each thread its own file',
  'one-file': 'concurrent syncs, all threads one file',
};

/** A sync-parallelism method: K threads, one layout, one block size. */
export interface ParallelMethod {
  readonly kind: 'parallel';
  readonly info: ProbeMethodInfo;
  readonly threads: number;
  readonly layout: ParallelLayout;
}

function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024}k` : `${bytes}b`;
}

export function parallelId(layout: ParallelLayout, threads: number): string {
  return `fdatasync-${layout}-k${threads}`;
}

/** Every sync-parallelism method, both layouts × every thread count × every block size, in report order. */
export function parallelMethods(blockBytes: readonly number[], threads: readonly number[]): ParallelMethod[] {
  const out: ParallelMethod[] = [];
  for (const layout of ['own-files', 'one-file'] as const) {
    for (const b of blockBytes) {
      for (const k of threads) {
        out.push({
          kind: 'parallel',
          threads: k,
          layout,
          info: {
            id: parallelId(layout, k),
            group: PARALLEL_GROUPS[layout],
            description: `${k} thread${k === 1 ? '' : 's'} at once, each: one ${kib(b)} write then fdatasync, overwriting ${layout === 'own-files' ? 'its own preallocated file' : 'its own region of one preallocated file'}`,
            blockBytes: b,
            bytesPerOp: b,
            writesPerOp: 1,
            syncsPerOp: 1,
            threads: k,
          },
        });
      }
    }
  }
  return out;
}

/** Every parallel method id (for --method). */
export function parallelMethodIds(threads: readonly number[]): string[] {
  return (['own-files', 'one-file'] as const).flatMap((layout) => threads.map((k) => parallelId(layout, k)));
}

/** Create `file` zero-filled to `bytes` and make it durable (untimed set-up). */
function preallocate(io: Io, file: string, bytes: number): void {
  const fd = io.open(file, { create: true, truncate: true });
  try {
    io.zeroFill(fd, 0, bytes);
    io.fsync(fd);
  } finally {
    io.close(fd);
  }
}

/** 95 % margin of error of the mean of the slices' rates, in percent (Student's t, SLICES − 1 degrees of freedom). */
function slicesRme(rates: readonly number[]): number {
  const n = rates.length;
  if (n < 2) return 0;
  const mean = rates.reduce((a, b) => a + b, 0) / n;
  if (mean <= 0) return 0;
  const sd = Math.sqrt(rates.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1));
  return (100 * tQuantile975(n - 1) * sd) / Math.sqrt(n) / mean;
}

/** Run one parallel method in `workDir`. Never throws for the method's own failures: they become `errored` results. */
export async function measureParallel(method: ParallelMethod, target: string, workDir: string, opts: MeasureOptions): Promise<ProbeResult> {
  const info = method.info;
  const k = method.threads;
  const io = new Io();
  const files: string[] = [];
  try {
    if (method.layout === 'own-files') {
      for (let i = 0; i < k; i++) files.push(path.join(workDir, `${info.id}-${i}.dat`));
      for (const f of files) preallocate(io, f, PARALLEL_REGION_BYTES);
    } else {
      files.push(path.join(workDir, `${info.id}.dat`));
      preallocate(io, files[0]!, PARALLEL_REGION_BYTES * k);
    }
    io.fsyncDir(workDir);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      target,
      method: info,
      state: 'errored',
      reason: `set-up: ${e?.message ?? String(err)}`,
      code: typeof e?.code === 'string' ? e.code : null,
    };
  }
  const control = new SharedArrayBuffer(16);
  const ready = new Int32Array(control, 0, 2);
  const startNs = new BigInt64Array(control, 8, 1);
  const workers = Array.from({ length: k }, (_, i) => {
    const data: ParallelWorkerData = {
      file: method.layout === 'own-files' ? files[i]! : files[0]!,
      regionStart: method.layout === 'own-files' ? 0 : i * PARALLEL_REGION_BYTES,
      regionBytes: PARALLEL_REGION_BYTES,
      blockBytes: info.blockBytes,
      control,
      warmupNs: Math.round(opts.warmupSeconds * 1e9),
      durationNs: Math.round(opts.seconds * 1e9),
      slices: SLICES,
    };
    const w = new Worker(entryUrl('probe/parallel-worker'), { workerData: data });
    const done = new Promise<ParallelWorkerResult>((resolve) => {
      w.once('message', (m: ParallelWorkerResult) => resolve(m));
      w.once('error', (err) => resolve({ state: 'errored', reason: err.message, code: null }));
      w.once('exit', (code) => resolve({ state: 'errored', reason: `probe thread exited with code ${code}`, code: null }));
    });
    return { w, done };
  });
  try {
    // Every thread opened its file: start them at one instant (a short margin for the wake-ups).
    while (Atomics.load(ready, 0) < k) await new Promise((r) => setTimeout(r, 1));
    startNs[0] = process.hrtime.bigint() + 2_000_000n;
    Atomics.store(ready, 1, 1);
    Atomics.notify(ready, 1);
    const results = await Promise.all(workers.map((x) => x.done));
    const failed = results.find((r) => r.state === 'errored');
    if (failed && failed.state === 'errored') return { target, method: info, state: 'errored', reason: failed.reason, code: failed.code };
    const done = results.filter((r): r is Extract<ParallelWorkerResult, { state: 'completed' }> => r.state === 'completed');
    // K threads "at once" only if every one of them synced inside the window: a thread whose first
    // sync outlasted the whole window (a loaded machine, a stalling disk) measured nothing.
    const idle = done.findIndex((r) => r.latency.count === 0);
    if (idle >= 0) {
      return { target, method: info, state: 'errored', reason: `thread ${idle + 1} of ${k} completed no write + fdatasync inside the ${opts.seconds} s window (a sync outlasted it): the threads never all ran at once; lengthen --duration`, code: null };
    }
    const parts: EncodedLatency[] = done.map((r) => r.latency);
    const latency = summarizeLatency(parts);
    const wallNs = Math.max(1, ...done.map((r) => Number(r.lastEndNs)));
    const sliceSeconds = opts.seconds / SLICES;
    const sliceOpsPerSec = Array.from({ length: SLICES }, (_, s) => done.reduce((a, r) => a + r.sliceOps[s]!, 0) / sliceSeconds);
    const perThread = done.map((r) => (r.latency.count * 1e9) / wallNs);
    return {
      target,
      method: info,
      state: 'completed',
      metrics: {
        samples: latency.count,
        // Aggregate: every thread's operations over the measured wall time.
        opsPerSec: (latency.count * 1e9) / wallNs,
        measuredNs: done.reduce((a, r) => a + r.sumNs, 0),
        latency,
        rmePercent: slicesRme(sliceOpsPerSec),
        sliceOpsPerSec,
        notes: [
          `${k} thread${k === 1 ? '' : 's'} started together; ops/s is all threads' operations over ${(wallNs / 1e9).toFixed(2)} s of wall time (per thread ${Math.round(Math.min(...perThread))}–${Math.round(Math.max(...perThread))} ops/s); ±rme from the ${SLICES} slices`,
        ],
      },
    };
  } finally {
    for (const x of workers) await x.w.terminate();
    for (const f of files) fs.rmSync(f, { force: true });
  }
}
