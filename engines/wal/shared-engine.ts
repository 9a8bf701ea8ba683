/**
 * `wal --share log`: N writer threads on one write-ahead log in one directory (docs/group-commit.md).
 * Each thread has its own `SharedWalEngine` over the case's shared memory; the group-commit
 * protocol (engines/shared-log/) decides who syncs when; this file is the wal around it: framing
 * with origins, recovery, reads, close.
 *
 * - open: writer 0 recovers the directory with `WalLog`'s recovery, which also checks every
 *   writer's sequence numbers (1, 2, 3, … in log order; recovery stops before a record that breaks
 *   them, as at a bad checksum, so what survives is a prefix of the log and of each writer), then
 *   publishes where the log continues; writers 1…N−1 wait for that.
 * - put: frame the key/value with (writer, sequence number), append (reserve + pwrite), wait for the
 *   ack point of the policy, and declare this writer's commits the shared syncs made durable, with
 *   the time the covering sync returned.
 * - get: an index from one incremental scan of the segments (every writer's records), kept up to
 *   date by this thread's own puts.
 * - close: a clean close makes this writer's commits durable (not in none mode).
 */
import { frameBytesOf, frameKvWithOrigin, MAX_ORIGIN_WRITER, parseKv, scanFrames, type ScannedFrame } from '../framing.js';
import { GroupCommit } from '../shared-log/group-commit.js';
import { SharedLogMemory } from '../shared-log/memory.js';
import { groupPolicyOf } from '../shared-log/policy.js';
import { emptyRecovery, type Engine, type EngineContext, type EngineStats, type RecoveryReport, type SharedLogContext } from '../types.js';
import { WalLog } from './log.js';
import { FLUSH_NO_FSYNC, NO_DIR_FSYNC, walConfigFrom } from './options.js';
import { comparePositions, type WalPosition } from './position.js';
import { decodeSegmentHeader, SEGMENT_HEADER_BYTES, segmentPath, segmentSeqs } from './segment.js';
import { SegmentFiles } from './segment-files.js';

/** `get`'s scan reads segments this much at a time (a preallocated segment is mostly zeros). */
const SCAN_CHUNK_BYTES = 1 << 20;

/** Recovery's check of every writer's records: sequence numbers 1, 2, 3, … in log order. */
export class OriginCheck {
  /** Last sequence number seen, per writer. */
  readonly last = new Map<number, number>();
  plain = 0;

  accept(f: ScannedFrame): string | null {
    if (f.origin === null) {
      this.plain += 1;
      return null;
    }
    const { writer, seq } = f.origin;
    const last = this.last.get(writer) ?? 0;
    if (seq !== last + 1) return `writer ${writer}'s record ${seq} follows its ${last === 0 ? 'start' : `record ${last}`}`;
    this.last.set(writer, seq);
    return null;
  }

  /** One line for the recovery report. */
  summary(): string {
    const ws = [...this.last.entries()].sort((a, b) => a[0] - b[0]);
    if (ws.length === 0) return 'no shared-log records';
    const counts = ws.map(([, n]) => n);
    const detail =
      ws.length <= 8
        ? ws.map(([w, n]) => `writer ${w}: 1..${n}`).join(', ')
        : `${Math.min(...counts)} to ${Math.max(...counts)} records each`;
    return `${ws.length} writer(s), every writer's records contiguous from 1 (${detail})`;
  }
}

export class SharedWalEngine implements Engine {
  private readonly share: SharedLogContext;
  private readonly memory: SharedLogMemory;
  private readonly files: SegmentFiles;
  private readonly log: GroupCommit;
  private seq = 0;
  private open_ = false;
  private index: Map<string, WalPosition> | null = null;
  /** Where the incremental scan for `get` continues. */
  private cursor: WalPosition | null = null;

  constructor(private readonly ctx: EngineContext) {
    if (!ctx.share) throw new Error('SharedWalEngine needs ctx.share');
    if (ctx.share.writers - 1 > MAX_ORIGIN_WRITER) throw new Error(`a shared log holds at most ${MAX_ORIGIN_WRITER + 1} writers`);
    this.share = ctx.share;
    this.memory = new SharedLogMemory(ctx.share.memory, ctx.share.writers);
    const cfg = walConfigFrom(ctx);
    this.files = new SegmentFiles({
      io: ctx.io,
      dir: ctx.dir,
      segmentBytes: cfg.segmentBytes,
      preallocate: cfg.preallocate,
      syncRecords: !ctx.faults.has(FLUSH_NO_FSYNC.name),
      syncDir: !ctx.faults.has(NO_DIR_FSYNC.name),
      clockNs: ctx.clockNs,
      recordPhase: (name, ns) => ctx.recordPhase(name, ns),
    });
    this.log = new GroupCommit(this.memory, this.files, {
      writer: ctx.share.writer,
      policy: groupPolicyOf(ctx),
      segmentBytes: cfg.segmentBytes,
      headerBytes: SEGMENT_HEADER_BYTES,
      clockNs: ctx.clockNs,
      onSync: (commits, waitNs) => this.share.recordGroup(commits, waitNs),
    });
  }

  open(): RecoveryReport {
    let report = emptyRecovery();
    if (this.share.writer === 0) {
      try {
        report = this.recover();
      } catch (err) {
        GroupCommit.failOpen(this.memory, 0, err instanceof Error ? err.message : String(err));
        throw err;
      }
    } else {
      GroupCommit.awaitOpen(this.memory);
      report.notes.push('the shared log was recovered by writer 0');
    }
    this.seq = this.log.recoveredSeq();
    this.log.join();
    this.open_ = true;
    return report;
  }

  /** Writer 0: recover with WalLog (every writer checked), then publish where the log continues. */
  private recover(): RecoveryReport {
    const check = new OriginCheck();
    const wal = new WalLog(walConfigFrom(this.ctx));
    const report = wal.open({ accept: (f) => check.accept(f) });
    const pos = wal.position();
    wal.close();
    report.notes.push(check.summary());
    GroupCommit.publishOpen(this.memory, {
      seq: pos.segment,
      writePos: pos.offset,
      segmentBytes: walConfigFrom(this.ctx).segmentBytes,
      lastSeqs: Array.from({ length: this.share.writers }, (_, w) => check.last.get(w) ?? 0),
    });
    return report;
  }

  put(key: Buffer, value: Buffer): void {
    this.seq += 1;
    const t = this.log.append(frameKvWithOrigin({ writer: this.share.writer, seq: this.seq }, key, value));
    this.index?.set(key.toString('latin1'), { segment: t.place.seq, offset: t.place.offset });
    this.log.commit(t);
    this.declare();
  }

  /** Tell the durability listener about this writer's commits the shared syncs made durable. */
  private declare(): void {
    const c = this.log.claim();
    if (c) this.ctx.durability.durable(c.commits, c.atNs);
  }

  tick(): void {
    this.log.poll();
    this.declare();
  }

  get(key: Buffer): Buffer | undefined {
    this.refreshIndex();
    const pos = this.index!.get(key.toString('latin1'));
    if (!pos) return undefined;
    const header = this.files.read(pos.segment, pos.offset, 8);
    const frameBytes = header.length < 8 ? null : frameBytesOf(header.readUInt32LE(0));
    if (frameBytes === null) return undefined;
    const framed = this.files.read(pos.segment, pos.offset, frameBytes);
    const payload = scanFrames(framed).frames[0]?.payload;
    const kv = payload ? parseKv(payload) : null;
    return kv && kv.key.equals(key) ? Buffer.from(kv.value) : undefined;
  }

  /**
   * Index every record written since the last scan, in log order. A scan stops where a record is
   * not (yet) intact; it moves to the next segment only once it reached where the next segment's
   * header says this one ends.
   */
  private refreshIndex(): void {
    const index = (this.index ??= new Map());
    const io = this.ctx.io;
    const seqs = segmentSeqs(io.readdir(this.ctx.dir));
    if (seqs.length === 0) return;
    let cur = this.cursor ?? { segment: seqs[0]!, offset: SEGMENT_HEADER_BYTES };
    for (;;) {
      const file = segmentPath(this.ctx.dir, cur.segment);
      if (!io.exists(file)) break;
      cur = { segment: cur.segment, offset: this.scanSegment(cur, io.sizeOf(file), index) };
      const next = segmentPath(this.ctx.dir, cur.segment + 1);
      if (!io.exists(next)) break;
      const header = decodeSegmentHeader(this.files.read(cur.segment + 1, 0, SEGMENT_HEADER_BYTES));
      if (!header || header.prevEndBytes !== cur.offset) break;
      cur = { segment: cur.segment + 1, offset: SEGMENT_HEADER_BYTES };
    }
    this.cursor = cur;
  }

  /** Index the intact records of one segment from `from`, a chunk at a time; returns where they end. */
  private scanSegment(from: WalPosition, fileBytes: number, index: Map<string, WalPosition>): number {
    let off = from.offset;
    while (off < fileBytes) {
      let want = Math.min(SCAN_CHUNK_BYTES, fileBytes - off);
      let buf = this.files.read(from.segment, off, want);
      if (buf.length >= 8) {
        // A record larger than a chunk: read it whole.
        const need = frameBytesOf(buf.readUInt32LE(0));
        if (need !== null && need > want && off + need <= fileBytes) buf = this.files.read(from.segment, off, (want = need));
      }
      const scan = scanFrames(buf);
      for (const f of scan.frames) {
        const pos = { segment: from.segment, offset: off + f.offset };
        const k = parseKv(f.payload)?.key.toString('latin1');
        if (k === undefined) continue;
        const had = index.get(k);
        if (!had || comparePositions(had, pos) < 0) index.set(k, pos);
      }
      off += scan.endOffset;
      // Go on only when the chunk ended inside a record that continues in the next chunk.
      const cutByChunk = scan.stop === 'torn' && want === SCAN_CHUNK_BYTES && scan.endOffset > 0;
      if (scan.stop !== 'end' && !cutByChunk) break;
    }
    return off;
  }

  close(): void {
    if (!this.open_) return;
    this.open_ = false;
    try {
      this.log.flush();
      this.declare();
    } finally {
      this.log.leave();
      this.files.close();
    }
  }

  stats(): EngineStats {
    const c = this.files.counters;
    return {
      rotations: c.rotations,
      segmentsCreated: c.segmentsCreated,
      recordsAppended: c.recordsAppended,
      bytesAppended: c.bytesAppended,
      groupSyncs: this.log.syncsIssued,
      commitDelays: this.log.delays,
      // Summed over writers by the report: only writer 0 counts the directory's segments.
      ...(this.share.writer === 0 ? { liveSegments: segmentSeqs(this.ctx.io.readdir(this.ctx.dir)).length } : {}),
    };
  }
}
