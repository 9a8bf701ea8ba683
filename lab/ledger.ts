/**
 * The ack ledger: the coordinator's record of every commit the writer child acked (the
 * diskchecker/ALICE pattern: the promise is recorded where the crash cannot reach it).
 *
 * The child writes 16-byte records to a FIFO; the coordinator holds the read end open non-blocking
 * and drains it with `readSync` — on a timer while the writer runs, and once more after the crash
 * instant (after the child died or stopped, so nothing it sent before the crash is missed and
 * nothing after it can arrive). Only acks in the ledger count as acked.
 */
import fs from 'node:fs';
import { run } from '../workspace/exec.js';
import { decodeRecord, RECORD_BYTES, RecordType, type ChildRecord } from './protocol.js';

export class AckLedger {
  private readonly readFd: number;
  private writeFd: number;
  private readonly buf = Buffer.alloc(1 << 20);
  private carry = Buffer.alloc(0);
  private ackNs = new BigUint64Array(1 << 14);
  /** Acked commits, 1..count, in order. */
  count = 0;
  /** Events other than acks, in arrival order. */
  readonly events: ChildRecord[] = [];
  /** True once the write end is closed and drained (the child is gone). */
  eof = false;

  /** Create the FIFO at `fifoPath` (which must not exist) and open both ends. */
  constructor(readonly fifoPath: string) {
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

  private accept(r: ChildRecord): void {
    if (r.type !== RecordType.Ack) {
      this.events.push(r);
      return;
    }
    if (r.a !== this.count + 1) throw new Error(`ack ledger: expected commit ${this.count + 1}, got ${r.a}`);
    if (this.count + 1 >= this.ackNs.length) {
      const bigger = new BigUint64Array(this.ackNs.length * 2);
      bigger.set(this.ackNs);
      this.ackNs = bigger;
    }
    this.count = r.a;
    this.ackNs[r.a] = r.ns;
  }

  /** Ack time (hrtime ns) of commit `seq` (1-based, ≤ count). */
  ackTimeNs(seq: number): bigint {
    return this.ackNs[seq]!;
  }

  /** The first event of a type, if it arrived. */
  find(type: RecordType): ChildRecord | undefined {
    return this.events.find((e) => e.type === type);
  }

  close(): void {
    this.releaseWriteEnd();
    fs.closeSync(this.readFd);
    fs.rmSync(this.fifoPath, { force: true });
  }
}
