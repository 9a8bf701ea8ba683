/**
 * The ack ledger: the coordinator's record of every commit each writer of the child acked and of how
 * far each engine had declared its commits durable (the diskchecker/ALICE pattern: the promise is
 * recorded where the crash cannot reach it).
 *
 * The child writes 16-byte records to a FIFO; the coordinator holds the read end open non-blocking
 * and drains it with `readSync` — on a timer while the writer runs, and once more after the crash
 * instant (after the child died or stopped, so nothing it sent before the crash is missed and
 * nothing after it can arrive). Only acks in the ledger count as acked.
 */
import fs from 'node:fs';
import { run } from '../workspace/exec.js';
import { decodeRecord, RECORD_BYTES, RecordType, type ChildRecord } from './protocol.js';

/** One writer's acks (ack times by sequence number) and its engine's durability claim. */
class WriterLedger {
  count = 0;
  durable = 0;
  ackNs = new BigUint64Array(1 << 12);

  ack(writer: number, seq: number, ns: bigint): void {
    if (seq !== this.count + 1) throw new Error(`ack ledger: writer ${writer} expected commit ${this.count + 1}, got ${seq}`);
    if (seq >= this.ackNs.length) {
      const bigger = new BigUint64Array(this.ackNs.length * 2);
      bigger.set(this.ackNs);
      this.ackNs = bigger;
    }
    this.count = seq;
    this.ackNs[seq] = ns;
  }
}

/** What the ledger held at a crash instant: per writer, commits acked and declared durable. */
export interface LedgerAt {
  readonly acked: readonly number[];
  readonly durable: readonly number[];
}

export class AckLedger {
  private readonly readFd: number;
  private writeFd: number;
  private readonly buf = Buffer.alloc(1 << 20);
  private carry = Buffer.alloc(0);
  private readonly writers: WriterLedger[] = [];
  /** Events other than acks and claims, in arrival order. */
  readonly events: ChildRecord[] = [];
  /** The child's process id (its Hello record), once it arrived. */
  pid: number | null = null;
  /** True once the write end is closed and drained (the child is gone). */
  eof = false;

  /** Create the FIFO at `fifoPath` (which must not exist) and open both ends. */
  constructor(
    readonly fifoPath: string,
    writers = 1,
  ) {
    for (let w = 0; w < writers; w++) this.writers.push(new WriterLedger());
    run('mkfifo', ['-m', '600', fifoPath]);
    // The read end first, non-blocking (returns at once without a writer); then the write end,
    // which the child inherits as fd 3. Separate opens: the write end stays blocking for the child.
    this.readFd = fs.openSync(fifoPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    this.writeFd = fs.openSync(fifoPath, fs.constants.O_WRONLY);
  }

  /** The descriptor to hand to the child (as stdio[3]). */
  get childFd(): number {
    return this.writeFd;
  }

  /** After spawning: drop our copy of the write end, so EOF means the child is gone. */
  releaseWriteEnd(): void {
    if (this.writeFd >= 0) fs.closeSync(this.writeFd);
    this.writeFd = -1;
  }

  /** Read everything available now. Returns the number of new records. */
  drain(): number {
    let records = 0;
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(this.readFd, this.buf, 0, this.buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return records;
        throw err;
      }
      if (n === 0) {
        if (this.writeFd < 0) this.eof = true;
        return records;
      }
      let data = this.buf.subarray(0, n);
      if (this.carry.length > 0) data = Buffer.concat([this.carry, data]);
      const whole = data.length - (data.length % RECORD_BYTES);
      for (let off = 0; off < whole; off += RECORD_BYTES) this.accept(decodeRecord(data, off));
      records += whole / RECORD_BYTES;
      this.carry = Buffer.from(data.subarray(whole));
    }
  }

  private writer(index: number): WriterLedger {
    const w = this.writers[index];
    if (!w) throw new Error(`ack ledger: record for writer ${index}, but the case has ${this.writers.length}`);
    return w;
  }

  private accept(r: ChildRecord): void {
    switch (r.type) {
      case RecordType.Ack:
        this.writer(r.index).ack(r.index, r.a, r.ns);
        return;
      case RecordType.Durable: {
        const w = this.writer(r.index);
        if (r.a > w.durable) w.durable = r.a;
        return;
      }
      case RecordType.Hello:
        this.pid = r.a;
        return;
      default:
        this.events.push(r);
    }
  }

  get writerCount(): number {
    return this.writers.length;
  }

  /** Acked commits of every writer. */
  get count(): number {
    let n = 0;
    for (const w of this.writers) n += w.count;
    return n;
  }

  countOf(writer: number): number {
    return this.writer(writer).count;
  }

  /** Ack time (hrtime ns) of commit `seq` (1-based, ≤ countOf(writer)) of a writer. */
  ackTimeNs(writer: number, seq: number): bigint {
    return this.writer(writer).ackNs[seq]!;
  }

  /** The earliest first ack of any writer, or null before any. */
  firstAckNs(): bigint | null {
    let first: bigint | null = null;
    for (const w of this.writers) if (w.count > 0 && (first === null || w.ackNs[1]! < first)) first = w.ackNs[1]!;
    return first;
  }

  /** Acked and declared-durable commits per writer, now (call after draining at the crash instant). */
  at(): LedgerAt {
    return { acked: this.writers.map((w) => w.count), durable: this.writers.map((w) => w.durable) };
  }

  /** The first event of a type, if it arrived. */
  find(type: RecordType): ChildRecord | undefined {
    return this.events.find((e) => e.type === type);
  }

  /** Events of a type, in order. */
  all(type: RecordType): ChildRecord[] {
    return this.events.filter((e) => e.type === type);
  }

  close(): void {
    this.releaseWriteEnd();
    fs.closeSync(this.readFd);
    fs.rmSync(this.fifoPath, { force: true });
  }
}
