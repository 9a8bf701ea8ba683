/**
 * One thread of a sync-parallelism probe method (probe/parallel.ts): writes a block and fdatasyncs
 * it, again and again, into its own region of its own file or of the file every thread shares,
 * from a common start instant until a common deadline. Records each operation's latency (write +
 * fdatasync) into an HDR histogram and counts operations per slice of the measured time.
 */
import { randomFillSync } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { Io } from '../io/io.js';
import { LatencyRecorder } from '../stats/hdr.js';

export interface ParallelWorkerData {
  readonly file: string;
  /** This thread's region of the (preallocated) file: [regionStart, regionStart + regionBytes). */
  readonly regionStart: number;
  readonly regionBytes: number;
  readonly blockBytes: number;
  /** Int32 [0]: threads ready; BigInt64 [1]: the common start instant (hrtime ns), set by the parent. */
  readonly control: SharedArrayBuffer;
  readonly warmupNs: number;
  readonly durationNs: number;
  readonly slices: number;
}

export type ParallelWorkerResult =
  | {
      readonly state: 'completed';
      readonly latency: ReturnType<LatencyRecorder['encode']>;
      readonly sliceOps: number[];
      readonly sumNs: number;
      readonly lastEndNs: string;
    }
  | { readonly state: 'errored'; readonly reason: string; readonly code: string | null };

const d = workerData as ParallelWorkerData;
const ready = new Int32Array(d.control, 0, 2);
const start = new BigInt64Array(d.control, 8, 1);
const io = new Io();
const rec = new LatencyRecorder();
let result: ParallelWorkerResult;
try {
  const fd = io.open(d.file);
  const buf = randomFillSync(Buffer.allocUnsafe(d.blockBytes));
  Atomics.add(ready, 0, 1);
  Atomics.notify(ready, 0);
  // Wait for the parent's go (it sets the start instant, then bumps [1]).
  while (Atomics.load(ready, 1) === 0) Atomics.wait(ready, 1, 0);
  const t0 = start[0]!;
  const measureFrom = t0 + BigInt(d.warmupNs);
  const deadline = measureFrom + BigInt(d.durationNs);
  const sliceNs = d.durationNs / d.slices;
  const sliceOps = new Array<number>(d.slices).fill(0);
  let pos = 0;
  let sumNs = 0;
  let lastEnd = measureFrom;
  for (;;) {
    const a = process.hrtime.bigint();
    if (a >= deadline) break;
    if (pos + d.blockBytes > d.regionBytes) pos = 0;
    io.write(fd, buf, d.regionStart + pos);
    io.fdatasync(fd);
    const b = process.hrtime.bigint();
    pos += d.blockBytes;
    if (a < measureFrom) continue;
    const ns = Number(b - a);
    rec.record(ns);
    sumNs += ns;
    sliceOps[Math.min(d.slices - 1, Math.floor(Number(a - measureFrom) / sliceNs))]! += 1;
    lastEnd = b;
  }
  io.close(fd);
  result = { state: 'completed', latency: rec.encode(), sliceOps, sumNs, lastEndNs: String(lastEnd - measureFrom) };
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  result = { state: 'errored', reason: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : null };
  Atomics.add(ready, 0, 1);
  Atomics.notify(ready, 0);
} finally {
  rec.destroy();
}
parentPort!.postMessage(result);
