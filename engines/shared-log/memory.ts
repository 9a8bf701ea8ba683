/**
 * The shared memory of one shared log (docs/group-commit.md): every writer thread of a case maps the
 * same `SharedArrayBuffer`, allocated zeroed by the coordinator. Every access is an `Atomics`
 * operation (sequentially consistent in the JavaScript memory model), so the whole protocol is
 * argued over one total order of these operations.
 *
 * Log positions are packed into one 64-bit word so a single compare-and-swap moves them:
 *
 *   bit 63      ROTATING: the segment is being rotated; nobody reserves until it is cleared
 *   bits 40–62  record count modulo 2^23: how many records were reserved before this position
 *   bits 0–39   LSN: a logical byte position, increasing through the whole log (1 TiB)
 *
 * Because a position carries the count of records before it, the difference of two positions is
 * the exact number of commits between them: the group size of a sync, without any other counter.
 *
 * Int32 words (waited on with `Atomics.wait`, woken with `Atomics.notify`):
 *   LEADER          0 free, 1 held by the thread that syncs (sync, batch, delay)
 *   EPOCH           bumped after every durable publication, leader release and failure
 *   WRITTEN_EPOCH   bumped when a record finished writing, a writer leaves, or needs durability now,
 *                   whenever a thread waits for that (WRITTEN_WAITERS > 0)
 *   WRITTEN_WAITERS threads waiting on WRITTEN_EPOCH
 *   ROT_EPOCH       bumped when a rotation finished
 *   IN_FLIGHT       syncs in flight (pipelined)
 *   ACTIVE          writers between open and close
 *   URGENT          threads that need durability now (close, rotation): leaders stop waiting
 *   FAILED          0, or 1 + the writer whose write or sync failed: the log is dead
 *   OPEN_STATE      0 writer 0 is recovering, 1 open, 2 recovery failed
 *   FAIL_BYTES      length of the failure message
 *   SLEEP           never changes: commit_delay sleeps on it with a timeout
 *
 * 64-bit words: TAIL (next reservation), SEG_SEQ / SEG_BASE / SEG_END (the segment reservations go
 * to: its sequence number, the LSN of its byte 0, the LSN its records must end by), DURABLE (every
 * record before it is durable), DURABLE_AT (hrtime ns when the sync that published it returned),
 * DURABLE_SEQ (every record in a segment below it is durable), TARGET (the highest position a sync
 * was issued for), the base LSN of the last SEG_RING segments, and per writer PENDING (the position
 * its record in flight was reserved at, or NONE), OLDEST (hrtime ns of its oldest record not known
 * durable, 0 for none) and LAST_SEQ (its last sequence number recovery found).
 */

export const I_LEADER = 0;
export const I_EPOCH = 1;
export const I_WRITTEN_EPOCH = 2;
export const I_WRITTEN_WAITERS = 3;
export const I_ROT_EPOCH = 4;
export const I_IN_FLIGHT = 5;
export const I_ACTIVE = 6;
export const I_URGENT = 7;
export const I_FAILED = 8;
export const I_OPEN_STATE = 9;
export const I_FAIL_BYTES = 10;
export const I_SLEEP = 11;
const INT_WORDS = 16;

export const Q_TAIL = 0;
export const Q_SEG_SEQ = 1;
export const Q_SEG_BASE = 2;
export const Q_SEG_END = 3;
export const Q_DURABLE = 4;
export const Q_DURABLE_AT = 5;
export const Q_DURABLE_SEQ = 6;
export const Q_TARGET = 7;
const FIXED_QWORDS = 8;
/** Segments whose base LSN is kept: a sync may span at most this many segments (rotation syncs first when it would span more). */
export const SEG_RING = 64;
const FAIL_TEXT_BYTES = 1024;

export const OPEN_RECOVERING = 0;
export const OPEN_READY = 1;
export const OPEN_FAILED = 2;

export const ROTATING = 1n << 63n;
const LSN_BITS = 40n;
export const LSN_MASK = (1n << LSN_BITS) - 1n;
export const COUNT_MASK = (1n << 23n) - 1n;
/** No record in flight. */
export const NONE = 0xffff_ffff_ffff_ffffn;
/** The highest LSN a position can hold. */
export const MAX_LSN = LSN_MASK;

export function lsnOf(p: bigint): bigint {
  return p & LSN_MASK;
}

export function countOf(p: bigint): bigint {
  return (p >> LSN_BITS) & COUNT_MASK;
}

export function pack(count: bigint, lsn: bigint): bigint {
  return ((count & COUNT_MASK) << LSN_BITS) | lsn;
}

/** Commits between two positions (a before b): exact while fewer than 2^23 lie between them. */
export function countBetween(a: bigint, b: bigint): number {
  return Number((countOf(b) - countOf(a)) & COUNT_MASK);
}

/** Bytes of shared memory a log with `writers` writers needs. */
export function sharedLogBytes(writers: number): number {
  return INT_WORDS * 4 + (FIXED_QWORDS + SEG_RING + 3 * writers) * 8 + FAIL_TEXT_BYTES;
}

/** Typed views of one shared log's memory. */
export class SharedLogMemory {
  readonly i32: Int32Array;
  readonly q: BigUint64Array;
  private readonly text: Uint8Array;
  readonly pendingAt: number;
  readonly oldestAt: number;
  readonly lastSeqAt: number;
  readonly ringAt = FIXED_QWORDS;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly writers: number,
  ) {
    if (buffer.byteLength < sharedLogBytes(writers)) {
      throw new Error(`shared log memory holds ${buffer.byteLength} bytes; ${writers} writers need ${sharedLogBytes(writers)}`);
    }
    this.i32 = new Int32Array(buffer, 0, INT_WORDS);
    const qwords = FIXED_QWORDS + SEG_RING + 3 * writers;
    this.q = new BigUint64Array(buffer, INT_WORDS * 4, qwords);
    this.text = new Uint8Array(buffer, INT_WORDS * 4 + qwords * 8, FAIL_TEXT_BYTES);
    this.pendingAt = FIXED_QWORDS + SEG_RING;
    this.oldestAt = this.pendingAt + writers;
    this.lastSeqAt = this.oldestAt + writers;
  }

  /** Record why the log failed (first failure wins) and return whether this call was the first. */
  setFailure(writer: number, message: string): boolean {
    if (Atomics.compareExchange(this.i32, I_FAILED, 0, writer + 1) !== 0) return false;
    const bytes = Buffer.from(message.slice(0, FAIL_TEXT_BYTES / 4), 'utf8').subarray(0, FAIL_TEXT_BYTES);
    for (let i = 0; i < bytes.length; i++) Atomics.store(this.text, i, bytes[i]!);
    Atomics.store(this.i32, I_FAIL_BYTES, bytes.length);
    return true;
  }

  /** The failure message (may be empty if it is being written right now). */
  failure(): { writer: number; message: string } | null {
    const f = Atomics.load(this.i32, I_FAILED);
    if (f === 0) return null;
    const n = Atomics.load(this.i32, I_FAIL_BYTES);
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) bytes[i] = Atomics.load(this.text, i);
    return { writer: f - 1, message: bytes.toString('utf8') };
  }
}
