/**
 * Group commit on a shared log: many writer threads, one log, one `SharedLogMemory`. Each thread has
 * its own `GroupCommit` (its writer id, its storage handles) over the same memory. The protocol
 * (docs/group-commit.md has the diagram and the ordering argument):
 *
 * 1. **Reserve.** A writer publishes the tail it read as its PENDING position, then moves the tail
 *    past its record with one compare-and-swap (the position word also counts records). A record
 *    that does not fit the segment rotates first: one thread flags the tail ROTATING, creates the
 *    next segment (file and directory durable), publishes it and clears the flag; the others wait.
 * 2. **Write.** The writer pwrites its framed record at the reserved place, then clears PENDING.
 * 3. **Frontier.** `min(tail, every PENDING)` — every record before it is fully written: a record
 *    whose reservation preceded the tail load had its PENDING stored before that, so the scan that
 *    follows sees either it (the frontier stops at the record) or what the writer stored after its
 *    write returned.
 * 4. **Sync.** The leader (or, pipelined, any committer with a free slot) snaps the frontier, syncs
 *    every segment that may hold records below it, publishes DURABLE = frontier (never backwards) and
 *    wakes the waiters. Followers `Atomics.wait` on EPOCH: no spinning. A leader whose frontier is
 *    held back by a record still being written waits on WRITTEN_EPOCH until it is.
 *
 * Every check-then-wait reads the word it will wait on *before* the check, and every waker changes
 * that word *after* the state the waiter checks: so a wake-up can never fall between a waiter's check
 * and its wait (`Atomics.wait` returns at once when the word already changed). There are no timeouts
 * in the protocol: a lost wake-up would hang, and the stress test would catch it.
 *
 * A write or sync that throws kills the log for every writer (FAILED, everybody woken): after a
 * failed fsync the kernel may have dropped the dirty pages, so retrying could falsely succeed
 * (PostgreSQL's "fsyncgate", 2018; DuckDB's pipelined group commit makes fsync failure terminal too).
 */
import {
  countBetween,
  countOf,
  I_ACTIVE,
  I_EPOCH,
  I_FAILED,
  I_IN_FLIGHT,
  I_LEADER,
  I_OPEN_STATE,
  I_ROT_EPOCH,
  I_SLEEP,
  I_URGENT,
  I_WRITTEN_EPOCH,
  I_WRITTEN_WAITERS,
  lsnOf,
  MAX_LSN,
  NONE,
  OPEN_FAILED,
  OPEN_READY,
  pack,
  Q_DURABLE,
  Q_DURABLE_AT,
  Q_DURABLE_SEQ,
  Q_SEG_BASE,
  Q_SEG_END,
  Q_SEG_SEQ,
  Q_TAIL,
  Q_TARGET,
  ROTATING,
  SEG_RING,
  type SharedLogMemory,
} from './memory.js';
import { acksAfterSync, type GroupPolicy } from './policy.js';

/** Where one record goes: segment, byte offset in it, and its LSN. */
export interface Place {
  readonly seq: number;
  readonly offset: number;
  readonly lsn: bigint;
}

/** The file operations behind the protocol (real files for the wal engine; a fake in tests). */
export interface LogStorage {
  /** Write one framed record at its place (pwrite: the caller guarantees nobody else writes there). */
  write(place: Place, data: Uint8Array): void;
  /** Make every record in segments `fromSeq..toSeq` durable; `upTo` is the position being made durable. */
  sync(fromSeq: number, toSeq: number, upTo: bigint): void;
  /** Create segment `seq` (durable, with its directory entry) after `prevEndBytes` bytes of the previous one. */
  createSegment(seq: number, prevEndBytes: number): void;
}

/** Points where a test may inject delays to shuffle the threads' interleavings. */
export type ChaosPoint = 'reserve' | 'reserved' | 'written' | 'lead' | 'leader' | 'snapped' | 'synced';

export interface GroupCommitOptions {
  readonly writer: number;
  readonly policy: GroupPolicy;
  /** Rotate once a record would end past this many bytes of a segment. */
  readonly segmentBytes: number;
  /** Bytes of a segment's header: records start there. */
  readonly headerBytes: number;
  readonly clockNs?: () => bigint;
  /** Once per sync this thread issued: commits it made durable (every writer's) and how long it waited before issuing it. */
  readonly onSync?: (commits: number, waitNs: number) => void;
  /** Tests only: called at each interleaving point. */
  readonly chaos?: (point: ChaosPoint) => void;
}

/** One appended record. */
export interface Ticket {
  /** Packed position of the record's start and end. */
  readonly start: bigint;
  readonly end: bigint;
  readonly place: Place;
}

/** The shared log failed in some writer (its write or sync threw): every writer stops with this. */
export class SharedLogFailed extends Error {
  override readonly name = 'SharedLogFailed';
  readonly code = 'ESHAREDLOG';
}

/** What recovery found, published by writer 0 so every writer starts from it. */
export interface OpenState {
  /** The segment appending continues in, and where in it. */
  readonly seq: number;
  readonly writePos: number;
  readonly segmentBytes: number;
  /** The last sequence number recovery found for each writer (0: none). */
  readonly lastSeqs: readonly number[];
}

const now = (): bigint => process.hrtime.bigint();

function maxLsn(a: bigint, b: bigint): bigint {
  return lsnOf(a) >= lsnOf(b) ? a : b;
}

/** Does `b` hold records `a` does not? (A rotation moves the LSN by one byte without a record.) */
function ahead(a: bigint, b: bigint): boolean {
  return lsnOf(b) > lsnOf(a) && countBetween(a, b) > 0;
}

export class GroupCommit {
  private readonly i32: Int32Array;
  private readonly q: BigUint64Array;
  private readonly w: number;
  private readonly policy: GroupPolicy;
  private readonly clockNs: () => bigint;
  private readonly header: bigint;
  private readonly segmentBytes: bigint;
  private readonly pendingIx: number;
  private readonly oldestIx: number;
  private readonly chaos: ((p: ChaosPoint) => void) | undefined;
  /** This writer's records not yet known durable: end LSNs and write times, a ring. */
  private ownEnds = new BigUint64Array(64);
  private ownTimes = new BigUint64Array(64);
  private ownHead = 0;
  private ownLen = 0;
  private ownAppended = 0;
  private ownDurable = 0;
  private lastEnd = 0n;
  private pendingSet = false;
  private joined = false;
  /** Syncs this thread issued, rotations it performed, commit_delay sleeps it took. */
  syncsIssued = 0;
  rotations = 0;
  delays = 0;

  constructor(
    readonly memory: SharedLogMemory,
    private readonly storage: LogStorage,
    private readonly opts: GroupCommitOptions,
  ) {
    this.i32 = memory.i32;
    this.q = memory.q;
    this.w = opts.writer;
    this.policy = opts.policy;
    this.clockNs = opts.clockNs ?? now;
    this.header = BigInt(opts.headerBytes);
    this.segmentBytes = BigInt(opts.segmentBytes);
    this.pendingIx = memory.pendingAt + this.w;
    this.oldestIx = memory.oldestAt + this.w;
    this.chaos = opts.chaos;
    if (this.w < 0 || this.w >= memory.writers) throw new Error(`writer ${this.w} is not one of the log's ${memory.writers} writers`);
  }

  // ---------------------------------------------------------------- open and close

  /** Writer 0, after recovery: publish where the log continues, then let the other writers in. */
  static publishOpen(m: SharedLogMemory, s: OpenState): void {
    const q = m.q;
    const start = pack(0n, BigInt(s.writePos));
    // The segment appending continues in has its byte 0 at LSN 0: LSN = offset in it.
    Atomics.store(q, m.ringAt + (s.seq % SEG_RING), 0n);
    Atomics.store(q, Q_SEG_SEQ, BigInt(s.seq));
    Atomics.store(q, Q_SEG_BASE, 0n);
    Atomics.store(q, Q_SEG_END, BigInt(s.segmentBytes));
    Atomics.store(q, Q_DURABLE_SEQ, BigInt(s.seq));
    Atomics.store(q, Q_DURABLE, start);
    Atomics.store(q, Q_TARGET, start);
    for (let w = 0; w < m.writers; w++) {
      Atomics.store(q, m.pendingAt + w, NONE);
      Atomics.store(q, m.lastSeqAt + w, BigInt(s.lastSeqs[w] ?? 0));
    }
    Atomics.store(q, Q_TAIL, start);
    Atomics.store(m.i32, I_OPEN_STATE, OPEN_READY);
    Atomics.notify(m.i32, I_OPEN_STATE);
  }

  /** Writer 0's recovery failed: every writer's `awaitOpen` throws with the reason. */
  static failOpen(m: SharedLogMemory, writer: number, message: string): void {
    m.setFailure(writer, message);
    Atomics.store(m.i32, I_OPEN_STATE, OPEN_FAILED);
    Atomics.notify(m.i32, I_OPEN_STATE);
  }

  /** Writers 1…N−1: wait until writer 0 has recovered the log. */
  static awaitOpen(m: SharedLogMemory): void {
    for (;;) {
      const s = Atomics.load(m.i32, I_OPEN_STATE);
      if (s === OPEN_READY) return;
      if (s === OPEN_FAILED)
        throw new SharedLogFailed(`writer 0 could not recover the shared log: ${m.failure()?.message ?? 'unknown reason'}`);
      Atomics.wait(m.i32, I_OPEN_STATE, s);
    }
  }

  /** The last sequence number recovery found for this writer (its next record is this + 1). */
  recoveredSeq(): number {
    return Number(Atomics.load(this.q, this.memory.lastSeqAt + this.w));
  }

  /** This writer takes part from now on (counts for commit_siblings and "every writer waits"). */
  join(): void {
    if (this.joined) return;
    this.joined = true;
    Atomics.store(this.q, this.pendingIx, NONE);
    Atomics.add(this.i32, I_ACTIVE, 1);
  }

  /** This writer is done: a leader waiting for the group to fill must not count it any more. */
  leave(): void {
    if (!this.joined) return;
    this.joined = false;
    Atomics.store(this.q, this.oldestIx, 0n);
    Atomics.sub(this.i32, I_ACTIVE, 1);
    this.bumpWritten();
  }

  // ---------------------------------------------------------------- append

  /** Reserve, write and publish one framed record. Returns its ticket; the commit is not acked yet. */
  append(data: Uint8Array): Ticket {
    this.checkFailed();
    this.chaos?.('reserve');
    const r = this.reserve(data.byteLength);
    this.chaos?.('reserved');
    try {
      this.storage.write(r.place, data);
    } catch (err) {
      this.fail(err);
      throw err;
    }
    this.markWritten();
    this.chaos?.('written');
    this.pushOwn(lsnOf(r.end), this.clockNs());
    return r;
  }

  private reserve(bytes: number): Ticket {
    const len = BigInt(bytes);
    for (;;) {
      const v = Atomics.load(this.q, Q_TAIL);
      if ((v & ROTATING) !== 0n) {
        this.unpend();
        this.waitRotation();
        continue;
      }
      const seq = Number(Atomics.load(this.q, Q_SEG_SEQ));
      const base = Atomics.load(this.q, Q_SEG_BASE);
      const end = Atomics.load(this.q, Q_SEG_END);
      const lsn = lsnOf(v);
      // The first record of a segment always goes in (a record larger than a segment gets one of its own).
      if (lsn + len > end && lsn !== base + this.header) {
        this.unpend();
        if (Atomics.compareExchange(this.q, Q_TAIL, v, v | ROTATING) === v) this.rotate(v, seq, base);
        continue;
      }
      if (lsn + len > MAX_LSN) throw this.fail(new Error('the shared log passed 1 TiB in one case; run shorter cases'));
      // PENDING before the tail moves: a leader that sees the new tail sees this too (step 3).
      Atomics.store(this.q, this.pendingIx, v);
      this.pendingSet = true;
      const next = pack(countOf(v) + 1n, lsn + len);
      if (Atomics.compareExchange(this.q, Q_TAIL, v, next) === v) {
        return { start: v, end: next, place: { seq, offset: Number(lsn - base), lsn } };
      }
    }
  }

  /** Clear a stale PENDING before blocking, so no leader waits on a reservation that is not there. */
  private unpend(): void {
    if (!this.pendingSet) return;
    this.pendingSet = false;
    Atomics.store(this.q, this.pendingIx, NONE);
    this.bumpWritten();
  }

  private markWritten(): void {
    this.pendingSet = false;
    Atomics.store(this.q, this.pendingIx, NONE);
    this.bumpWritten();
  }

  /** Wake threads waiting for a record to finish, a writer to start waiting or to leave. */
  private bumpWritten(): void {
    if (Atomics.load(this.i32, I_WRITTEN_WAITERS) > 0) {
      Atomics.add(this.i32, I_WRITTEN_EPOCH, 1);
      Atomics.notify(this.i32, I_WRITTEN_EPOCH);
    }
  }

  private waitRotation(): void {
    const e = Atomics.load(this.i32, I_ROT_EPOCH);
    if ((Atomics.load(this.q, Q_TAIL) & ROTATING) === 0n) return;
    this.checkFailed();
    Atomics.wait(this.i32, I_ROT_EPOCH, e);
    this.checkFailed();
  }

  /**
   * This thread flagged the tail ROTATING at `v`: create segment seq + 1 and continue the log there.
   * The LSN skips one byte at a rotation, so the tail never returns to a value it had (no ABA).
   */
  private rotate(v: bigint, seq: number, base: bigint): void {
    const x = lsnOf(v);
    try {
      // Keep every segment a sync may have to cover in the ring of base LSNs: sync first if needed.
      if (this.policy.kind !== 'none' && seq + 1 - Number(Atomics.load(this.q, Q_DURABLE_SEQ)) >= SEG_RING) this.flushTo(x);
      this.storage.createSegment(seq + 1, Number(x - base));
    } catch (err) {
      throw this.fail(err);
    }
    const nextBase = x + 1n - this.header;
    Atomics.store(this.q, this.memory.ringAt + ((seq + 1) % SEG_RING), nextBase);
    Atomics.store(this.q, Q_SEG_BASE, nextBase);
    Atomics.store(this.q, Q_SEG_END, nextBase + this.segmentBytes);
    Atomics.store(this.q, Q_SEG_SEQ, BigInt(seq + 1));
    Atomics.store(this.q, Q_TAIL, pack(countOf(v), x + 1n));
    Atomics.add(this.i32, I_ROT_EPOCH, 1);
    Atomics.notify(this.i32, I_ROT_EPOCH);
    this.rotations += 1;
  }

  // ---------------------------------------------------------------- commit

  /** The ack point of `t`: returns when the policy says the commit may be acked. */
  commit(t: Ticket): void {
    const p = this.policy;
    if (p.kind === 'none') return;
    if (p.kind === 'batch' && p.ack === 'before-sync') {
      if (this.batchDue(p.batchSize, p.batchNs)) this.tryLead();
      return;
    }
    if (p.kind === 'pipelined') this.awaitPipelined(lsnOf(t.end), p.parallelism);
    else this.awaitDurable(lsnOf(t.end), false);
  }

  /** Between commits: let a time-based batch (acked on write, with batchMs) sync when it is due. */
  poll(): void {
    const p = this.policy;
    if (p.kind === 'batch' && p.ack === 'before-sync' && this.batchDue(p.batchSize, p.batchNs)) this.tryLead();
  }

  /** Make every record this writer appended durable now (clean close). Not in none mode. */
  flush(): void {
    if (this.policy.kind === 'none' || this.ownAppended === 0) return;
    this.flushTo(this.lastEnd);
  }

  private flushTo(end: bigint): void {
    if (lsnOf(Atomics.load(this.q, Q_DURABLE)) >= end) return;
    Atomics.add(this.i32, I_URGENT, 1);
    this.bumpWritten();
    try {
      if (this.policy.kind === 'pipelined') this.awaitPipelined(end, this.policy.parallelism);
      else this.awaitDurable(end, true);
    } finally {
      Atomics.sub(this.i32, I_URGENT, 1);
    }
  }

  /** Leader-based policies (sync, batch acked after its sync, delay): wait, or lead, until `end` is durable. */
  private awaitDurable(end: bigint, urgent: boolean): void {
    for (;;) {
      this.checkFailed();
      if (lsnOf(Atomics.load(this.q, Q_DURABLE)) >= end) return;
      this.chaos?.('lead');
      if (Atomics.compareExchange(this.i32, I_LEADER, 0, 1) === 0) {
        try {
          // The leader before may have made `end` durable between the check above and taking over:
          // leading then would wait for a batch to fill with a commit of this writer that will never
          // come (it is acked), while the others wait for this leader.
          if (lsnOf(Atomics.load(this.q, Q_DURABLE)) < end) this.lead(urgent);
        } finally {
          this.releaseLeader();
        }
        continue;
      }
      // Read the word we wait on before checking: a publication after this read changes it.
      const e = Atomics.load(this.i32, I_EPOCH);
      if (lsnOf(Atomics.load(this.q, Q_DURABLE)) >= end) return;
      if (Atomics.load(this.i32, I_LEADER) === 0) continue;
      this.checkFailed();
      Atomics.wait(this.i32, I_EPOCH, e);
    }
  }

  private releaseLeader(): void {
    // Free the leadership before bumping: a follower that read the old epoch and then saw the
    // leadership held is either woken by this bump or sees it already changed.
    Atomics.store(this.i32, I_LEADER, 0);
    Atomics.add(this.i32, I_EPOCH, 1);
    Atomics.notify(this.i32, I_EPOCH);
  }

  /** The leader's turn: wait as the policy says, snap the frontier, sync, publish. */
  private lead(urgent: boolean): void {
    const t0 = this.clockNs();
    this.chaos?.('leader');
    const p = this.policy;
    if (!urgent && p.kind === 'delay' && p.delayNs > 0 && Atomics.load(this.i32, I_ACTIVE) - 1 >= p.siblings) {
      // PostgreSQL's XLogFlush: if (CommitDelay > 0 && enableFsync && MinimumActiveBackends(CommitSiblings)) pg_usleep(CommitDelay).
      this.delays += 1;
      Atomics.wait(this.i32, I_SLEEP, 0, p.delayNs / 1e6);
    }
    if (!urgent && p.kind === 'batch') this.fillBatch(p.batchSize, p.batchNs);
    for (;;) {
      const fr = this.frontier();
      if (ahead(Atomics.load(this.q, Q_DURABLE), fr.pos)) {
        this.chaos?.('snapped');
        this.syncTo(fr, t0);
        return;
      }
      // Nothing beyond the durable point is fully written: a record below ours is still being written.
      this.waitWritten(() => ahead(Atomics.load(this.q, Q_DURABLE), this.frontier().pos));
      this.checkFailed();
    }
  }

  /**
   * Batch acked after its sync: wait until batchSize commits are written, or as many as there are
   * active writers (each has at most one commit not yet durable, so the group cannot grow further),
   * or the oldest waited batchMs, or someone needs durability now.
   */
  private fillBatch(batchSize: number, batchNs: bigint | null): void {
    for (;;) {
      Atomics.add(this.i32, I_WRITTEN_WAITERS, 1);
      try {
        const e = Atomics.load(this.i32, I_WRITTEN_EPOCH);
        if (Atomics.load(this.i32, I_URGENT) > 0) return;
        const group = countBetween(Atomics.load(this.q, Q_DURABLE), this.frontier().pos);
        if (group >= batchSize || group >= Atomics.load(this.i32, I_ACTIVE)) return;
        let timeoutMs = Infinity;
        if (batchNs !== null) {
          const oldest = this.oldestPending();
          const left = oldest === 0n ? 0n : oldest + batchNs - this.clockNs();
          if (left <= 0n) return;
          timeoutMs = Number(left) / 1e6;
        }
        this.checkFailed();
        Atomics.wait(this.i32, I_WRITTEN_EPOCH, e, timeoutMs);
      } finally {
        Atomics.sub(this.i32, I_WRITTEN_WAITERS, 1);
      }
    }
  }

  /** Wait (once) for WRITTEN_EPOCH to change unless `ready()` already holds. */
  private waitWritten(ready: () => boolean): void {
    Atomics.add(this.i32, I_WRITTEN_WAITERS, 1);
    try {
      const e = Atomics.load(this.i32, I_WRITTEN_EPOCH);
      if (ready()) return;
      this.checkFailed();
      Atomics.wait(this.i32, I_WRITTEN_EPOCH, e);
    } finally {
      Atomics.sub(this.i32, I_WRITTEN_WAITERS, 1);
    }
  }

  /** Pipelined: cover `end` by a sync in flight, or issue one, up to `k` in flight. */
  private awaitPipelined(end: bigint, k: number): void {
    for (;;) {
      this.checkFailed();
      const e = Atomics.load(this.i32, I_EPOCH);
      if (lsnOf(Atomics.load(this.q, Q_DURABLE)) >= end) return;
      // A sync in flight covers this record: it publishes, then bumps EPOCH.
      if (lsnOf(Atomics.load(this.q, Q_TARGET)) >= end) {
        Atomics.wait(this.i32, I_EPOCH, e);
        continue;
      }
      const n = Atomics.load(this.i32, I_IN_FLIGHT);
      if (n >= k) {
        Atomics.wait(this.i32, I_EPOCH, e);
        continue;
      }
      if (Atomics.compareExchange(this.i32, I_IN_FLIGHT, n, n + 1) !== n) continue;
      let issued = false;
      try {
        const t0 = this.clockNs();
        this.chaos?.('leader');
        const fr = this.frontier();
        issued = this.syncTo(fr, t0);
      } finally {
        Atomics.sub(this.i32, I_IN_FLIGHT, 1);
        Atomics.add(this.i32, I_EPOCH, 1);
        Atomics.notify(this.i32, I_EPOCH);
      }
      if (!issued) {
        // Nothing fully written beyond what syncs already cover: a record below ours is being written.
        this.waitWritten(() => {
          const covered = maxLsn(Atomics.load(this.q, Q_DURABLE), Atomics.load(this.q, Q_TARGET));
          return lsnOf(covered) >= end || ahead(covered, this.frontier().pos);
        });
      }
    }
  }

  /** Batch acked on write: is a sync due (batchSize commits not durable, or the oldest waited batchMs)? */
  private batchDue(batchSize: number, batchNs: bigint | null): boolean {
    const d = Atomics.load(this.q, Q_DURABLE);
    const tail = Atomics.load(this.q, Q_TAIL) & ~ROTATING;
    if (countBetween(d, tail) >= batchSize) return true;
    if (batchNs === null) return false;
    const oldest = this.oldestPending();
    return oldest !== 0n && this.clockNs() - oldest >= batchNs;
  }

  /** Sync now if nobody else is syncing (batch acked on write never waits for durability). */
  private tryLead(): void {
    if (Atomics.compareExchange(this.i32, I_LEADER, 0, 1) !== 0) return;
    try {
      const t0 = this.clockNs();
      const fr = this.frontier();
      if (ahead(Atomics.load(this.q, Q_DURABLE), fr.pos)) this.syncTo(fr, t0);
    } finally {
      this.releaseLeader();
    }
  }

  /** The oldest write time of any writer's record not known durable (0: none). */
  private oldestPending(): bigint {
    let oldest = 0n;
    for (let w = 0; w < this.memory.writers; w++) {
      const t = Atomics.load(this.q, this.memory.oldestAt + w);
      if (t !== 0n && (oldest === 0n || t < oldest)) oldest = t;
    }
    return oldest;
  }

  // ---------------------------------------------------------------- frontier, sync, publish

  /**
   * The written frontier: every record before it is fully written. `seqHi`: the highest segment a
   * record before it can be in (read after the tail, so it is at least the segment of every
   * reservation the tail reflects).
   */
  frontier(): { pos: bigint; seqHi: number } {
    let pos = Atomics.load(this.q, Q_TAIL) & ~ROTATING;
    const seqHi = Number(Atomics.load(this.q, Q_SEG_SEQ));
    for (let w = 0; w < this.memory.writers; w++) {
      const p = Atomics.load(this.q, this.memory.pendingAt + w);
      if (p !== NONE && lsnOf(p) < lsnOf(pos)) pos = p;
    }
    return { pos, seqHi };
  }

  /**
   * Issue a sync making everything before `fr.pos` durable, unless a sync already issued covers it.
   * Returns whether it issued one.
   */
  private syncTo(fr: { pos: bigint; seqHi: number }, t0: bigint): boolean {
    // Targets only rise, so the syncs issued partition the commits: this one makes (prev, pos] durable
    // (TARGET ≥ DURABLE always: a position is published only after a sync was issued for it).
    const prev = this.casMaxPos(Q_TARGET, fr.pos);
    if (!ahead(prev, fr.pos)) return false;
    const waitNs = Number(this.clockNs() - t0);
    const lo = Number(Atomics.load(this.q, Q_DURABLE_SEQ));
    try {
      this.storage.sync(lo, fr.seqHi, fr.pos);
    } catch (err) {
      throw this.fail(err);
    }
    const at = this.clockNs();
    this.chaos?.('synced');
    this.syncsIssued += 1;
    // DURABLE_AT and DURABLE_SEQ before DURABLE: whoever sees the new DURABLE sees times and segments at least this new.
    this.casMaxNum(Q_DURABLE_AT, at);
    this.casMaxNum(Q_DURABLE_SEQ, BigInt(this.segmentOf(lsnOf(fr.pos), lo, fr.seqHi)));
    this.casMaxPos(Q_DURABLE, fr.pos);
    this.opts.onSync?.(countBetween(prev, fr.pos), waitNs);
    return true;
  }

  /** The segment holding LSN `lsn` (between `lo` and `hi`, whose bases are in the ring). */
  private segmentOf(lsn: bigint, lo: number, hi: number): number {
    for (let s = hi; s > lo; s--) {
      if (lsn >= Atomics.load(this.q, this.memory.ringAt + (s % SEG_RING)) + this.header) return s;
    }
    return lo;
  }

  /** Raise a packed position to `v` (by LSN) unless it is already there; returns the previous value. */
  private casMaxPos(ix: number, v: bigint): bigint {
    for (;;) {
      const cur = Atomics.load(this.q, ix);
      if (lsnOf(cur) >= lsnOf(v)) return cur;
      if (Atomics.compareExchange(this.q, ix, cur, v) === cur) return cur;
    }
  }

  private casMaxNum(ix: number, v: bigint): void {
    for (;;) {
      const cur = Atomics.load(this.q, ix);
      if (cur >= v || Atomics.compareExchange(this.q, ix, cur, v) === cur) return;
    }
  }

  // ---------------------------------------------------------------- this writer's durability claims

  private pushOwn(end: bigint, writtenNs: bigint): void {
    if (this.ownLen === this.ownEnds.length) {
      const ends = new BigUint64Array(this.ownEnds.length * 2);
      const times = new BigUint64Array(this.ownEnds.length * 2);
      for (let k = 0; k < this.ownLen; k++) {
        ends[k] = this.ownEnds[(this.ownHead + k) % this.ownEnds.length]!;
        times[k] = this.ownTimes[(this.ownHead + k) % this.ownEnds.length]!;
      }
      this.ownEnds = ends;
      this.ownTimes = times;
      this.ownHead = 0;
    }
    const slot = (this.ownHead + this.ownLen) % this.ownEnds.length;
    this.ownEnds[slot] = end;
    this.ownTimes[slot] = writtenNs;
    this.ownLen += 1;
    this.ownAppended += 1;
    this.lastEnd = end;
    if (this.ownLen === 1) Atomics.store(this.q, this.oldestIx, writtenNs);
  }

  /**
   * This writer's commits now known durable: the new count (counted from this writer's first append)
   * and when the sync that made them durable returned (at the latest); null when nothing changed.
   */
  claim(): { commits: number; atNs: bigint } | null {
    if (this.ownLen === 0) return null;
    const d = lsnOf(Atomics.load(this.q, Q_DURABLE));
    if (this.ownEnds[this.ownHead]! > d) return null;
    // Read after DURABLE: the time of the sync that published it, or of a later one (conservative).
    const at = Atomics.load(this.q, Q_DURABLE_AT);
    while (this.ownLen > 0 && this.ownEnds[this.ownHead]! <= d) {
      this.ownHead = (this.ownHead + 1) % this.ownEnds.length;
      this.ownLen -= 1;
      this.ownDurable += 1;
    }
    Atomics.store(this.q, this.oldestIx, this.ownLen > 0 ? this.ownTimes[this.ownHead]! : 0n);
    return { commits: this.ownDurable, atNs: at };
  }

  /** Commits this writer appended, and how many of them it knows durable. */
  get appended(): number {
    return this.ownAppended;
  }

  get durableCommits(): number {
    return this.ownDurable;
  }

  /** True when this policy acks a commit only after the sync covering it. */
  get acksAfterSync(): boolean {
    return acksAfterSync(this.policy);
  }

  // ---------------------------------------------------------------- failure

  private checkFailed(): void {
    if (Atomics.load(this.i32, I_FAILED) === 0) return;
    const f = this.memory.failure();
    throw new SharedLogFailed(`the shared log failed in writer ${f?.writer ?? '?'}: ${f?.message ?? 'unknown reason'}`);
  }

  /** This thread's write or sync failed: the log is dead for every writer; wake them all. */
  fail(err: unknown): unknown {
    if (err instanceof SharedLogFailed) return err;
    const message =
      err instanceof Error
        ? `${(err as NodeJS.ErrnoException).code ? `${(err as NodeJS.ErrnoException).code}: ` : ''}${err.message}`
        : String(err);
    this.memory.setFailure(this.w, message);
    for (const ix of [I_EPOCH, I_WRITTEN_EPOCH, I_ROT_EPOCH]) {
      Atomics.add(this.i32, ix, 1);
      Atomics.notify(this.i32, ix);
    }
    return err;
  }
}
