/**
 * Shared memory between the coordinator and the writers of one case: a start barrier, an abort flag,
 * the common start instant, live progress counters (read by the progress line, never by the
 * measurement), and the edges of the measured window (which writer started measuring first, which
 * ended last: those two read the device's counters). Plain typed-array stores in the hot loop;
 * Atomics only for the barrier and the edges.
 */

const READY = 0;
const GO = 1;
const ABORT = 2;
/** Writers that started measuring, and writers whose loop ended (each counted once). */
const MEASURING = 3;
const ENDED = 4;
const INTS = 6;

export class SharedControl {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly startNs: BigInt64Array;
  /** Measured commits so far, per writer. */
  readonly progress: Float64Array;

  constructor(writersOrBuffer: number | SharedArrayBuffer) {
    this.buffer = typeof writersOrBuffer === 'number' ? new SharedArrayBuffer(INTS * 4 + 8 + writersOrBuffer * 8) : writersOrBuffer;
    this.ints = new Int32Array(this.buffer, 0, INTS);
    this.startNs = new BigInt64Array(this.buffer, INTS * 4, 1);
    this.progress = new Float64Array(this.buffer, INTS * 4 + 8);
  }

  get writers(): number {
    return this.progress.length;
  }

  get readyCount(): number {
    return Atomics.load(this.ints, READY);
  }

  get aborted(): boolean {
    return this.ints[ABORT] !== 0;
  }

  /** Writer side: announce readiness, then block until the coordinator says go (or aborts). */
  arriveAndWait(timeoutMs: number): bigint {
    Atomics.add(this.ints, READY, 1);
    Atomics.notify(this.ints, READY);
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(this.ints, GO) === 0) {
      if (this.aborted) throw new AbortedError('the case was aborted before it started');
      if (Date.now() > deadline) throw new Error(`start barrier timed out after ${timeoutMs} ms (a writer never became ready)`);
      Atomics.wait(this.ints, GO, 0, 50);
    }
    return this.startNs[0]!;
  }

  /** Coordinator side: set the common start instant and release every writer. */
  release(startNs: bigint): void {
    this.startNs[0] = startNs;
    Atomics.store(this.ints, GO, 1);
    Atomics.notify(this.ints, GO);
  }

  /** Ask every writer to stop at its next commit (a failed writer, SIGINT). */
  abort(): void {
    Atomics.store(this.ints, ABORT, 1);
    Atomics.notify(this.ints, GO);
  }

  /** Writer side, at its switch to measuring: true for the first writer of the case to get there. */
  firstToMeasure(): boolean {
    return Atomics.add(this.ints, MEASURING, 1) === 0;
  }

  /** Writer side, when its loop ended: true for the last writer of the case to end. */
  lastToEnd(): boolean {
    const last = Atomics.add(this.ints, ENDED, 1) === this.writers - 1;
    Atomics.notify(this.ints, ENDED);
    return last;
  }

  /**
   * Writer side, after its loop: wait until every writer's loop ended (or the case was aborted, or
   * `timeoutMs` passed), so that no engine's close — its final flush — falls inside the measured
   * window another writer is still in.
   */
  waitAllEnded(timeoutMs: number): void {
    const deadline = Date.now() + timeoutMs;
    for (let n = Atomics.load(this.ints, ENDED); n < this.writers && !this.aborted && Date.now() < deadline; n = Atomics.load(this.ints, ENDED)) {
      Atomics.wait(this.ints, ENDED, n, 50);
    }
  }

  totalProgress(): number {
    let n = 0;
    for (const v of this.progress) n += v;
    return n;
  }
}

/** Thrown inside a writer when the coordinator aborted the case. */
export class AbortedError extends Error {
  override readonly name = 'AbortedError';
}
