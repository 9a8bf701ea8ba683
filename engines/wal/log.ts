/**
 * `WalLog`: a segmented write-ahead log of framed records (length + CRC32C), shared by the `wal` and
 * `lsm` engines (and any engine that needs a log). It writes, syncs, rotates, truncates and
 * recovers; *when* to sync is the caller's `SyncPolicy`.
 *
 * Sync protocol (see docs/engines-wal-lsm.md):
 * - records: `sync()` fdatasyncs every segment holding unsynced records (the active one, plus a
 *   segment rotated away from since the last sync). fdatasync also commits the file size when an
 *   append grew it — the metadata needed to read the data back — so non-preallocated segments need
 *   no fsync per record; preallocation only spares the journal commit that a growing size costs.
 * - a new segment (first open, rotation, recovery that had to start afresh): header written, tail
 *   zero-filled with `preallocate`, the file fsynced once (the new inode: size and allocation), then
 *   the directory fsynced, which neither fsync nor fdatasync of the file covers. Only then does a
 *   record go into it. These structural syncs happen in every mode: they are rare (one per segment)
 *   and keep the log's shape recoverable.
 * - truncation deletes whole segments in ascending order, then fsyncs the directory.
 *
 * Recovery (`open`) reads the segments in order and stops at the first record that is torn or fails
 * its checksum, at a segment whose header is bad, and at a segment that does not continue where the
 * previous one really ended (missing sequence number, or its header's `prevEndBytes` differs). What
 * lies after the stop is garbage: the tail is truncated (and zero-filled again with `preallocate`),
 * later segments are deleted, and appending continues right after the last intact record. A
 * zero-filled preallocated tail is the normal end of a segment. `open` never throws on bad data.
 */
import { emptyRecovery, type RecoveryReport } from '../types.js';
import { frame, frameBytesOf, FRAME_HEADER_BYTES, scanFrames, type ScannedFrame } from '../framing.js';
import type { Io } from '../../io/io.js';
import { comparePositions, type WalPosition } from './position.js';
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES, scanSegment, segmentName, segmentPath, segmentSeqs } from './segment.js';

export interface WalLogConfig {
  readonly io: Io;
  /** Directory holding the segment files (other files there are left alone). */
  readonly dir: string;
  /** Rotate to a new segment when the next record would pass this size. */
  readonly segmentBytes: number;
  /** Zero-fill every new segment to `segmentBytes` before writing records into it. */
  readonly preallocate: boolean;
  /** false reproduces the `flush-no-fsync` defect: `sync()` issues no sync call at all. */
  readonly syncRecords?: boolean;
  /** false reproduces the `no-dir-fsync` defect: segments are created and deleted without a directory fsync. */
  readonly syncDir?: boolean;
  readonly clockNs?: () => bigint;
  /** Receives the duration of each rotation as phase `rotate`. */
  readonly recordPhase?: (name: string, durationNs: number) => void;
}

export interface WalOpenOptions {
  /**
   * A checkpoint: records before it are not visited, and segments wholly before it are deleted
   * (finishing a truncation a crash interrupted). Recovery insists that the checkpoint's segment
   * exists: if it is gone, later segments do not continue the checkpointed state and are discarded.
   */
  readonly from?: WalPosition;
  /** Called for each intact record at or after `from`, in log order. */
  readonly visit?: (payload: Buffer, pos: WalPosition, frame: ScannedFrame) => void;
  /**
   * A check of each intact record before it is visited: a reason makes recovery stop right before
   * it, as at a bad checksum (a shared log stops where a writer's sequence numbers break).
   */
  readonly accept?: (frame: ScannedFrame, pos: WalPosition) => string | null;
}

/** Counters for the report. */
export interface WalStats {
  rotations: number;
  segmentsCreated: number;
  segmentsDeleted: number;
  liveSegments: number;
  recordsAppended: number;
  bytesAppended: number;
}

interface ActiveSegment {
  readonly seq: number;
  readonly fd: number;
  /** Where the next record goes. */
  writePos: number;
  /** Current file size (≥ writePos with a preallocated tail). */
  fileBytes: number;
}

export class WalLog {
  private readonly io: Io;
  private readonly syncRecords: boolean;
  private readonly syncDir: boolean;
  private readonly clockNs: () => bigint;
  private active: ActiveSegment | null = null;
  /** Live segment sequence numbers, ascending (the last one is the active segment). */
  private segments: number[] = [];
  /** Rotated-away segments that still hold records no sync has covered. */
  private readonly unsyncedSegments = new Set<number>();
  private activeUnsynced = false;
  /** Read-only descriptors of older segments, opened on demand by `read`. */
  private readonly readFds = new Map<number, number>();
  private readonly counters: Omit<WalStats, 'liveSegments'> = {
    rotations: 0,
    segmentsCreated: 0,
    segmentsDeleted: 0,
    recordsAppended: 0,
    bytesAppended: 0,
  };

  constructor(private readonly config: WalLogConfig) {
    this.io = config.io;
    this.syncRecords = config.syncRecords !== false;
    this.syncDir = config.syncDir !== false;
    this.clockNs = config.clockNs ?? process.hrtime.bigint;
  }

  /** Recover whatever the directory holds (see the file comment), then get ready to append. */
  open(opts: WalOpenOptions = {}): RecoveryReport {
    const { io, dir } = this.config;
    const report = emptyRecovery();
    const from = opts.from;
    let seqs = segmentSeqs(io.readdir(dir));

    // Segments wholly before the checkpoint: a truncation that a crash interrupted. Finish it.
    if (from) {
      const below = seqs.filter((s) => s < from.segment);
      if (below.length > 0) {
        this.deleteSegments(below);
        report.notes.push(`deleted ${below.length} segment(s) before the checkpoint (segment ${from.segment})`);
      }
      seqs = seqs.filter((s) => s >= from.segment);
    }

    let kept: { seq: number; endBytes: number; fileBytes: number; damaged: boolean } | null = null;
    let stopAt = seqs.length;
    /** A segment rejected as a whole whose bytes were already counted as discarded. */
    let counted: number | null = null;
    if (from && seqs.length > 0 && seqs[0] !== from.segment) {
      stopAt = 0;
      report.notes.push(`${segmentName(from.segment)} (the checkpoint's segment) is missing: later segments discarded`);
    }
    for (let i = 0; i < stopAt; i++) {
      const seq = seqs[i]!;
      const buf = io.readFile(segmentPath(dir, seq));
      const scan = scanSegment(buf, seq);
      if (!scan.ok) {
        report.notes.push(`${segmentName(seq)}: ${scan.reason}; it and later segments discarded`);
        report.discardedBytes += buf.length;
        if (buf.length > 0) report.crcFailures += 1;
        counted = seq;
        stopAt = i;
        break;
      }
      if (kept && (seq !== kept.seq + 1 || scan.header.prevEndBytes !== kept.endBytes)) {
        report.notes.push(
          seq !== kept.seq + 1
            ? `${segmentName(seq)} does not follow segment ${kept.seq}; it and later segments discarded`
            : `${segmentName(seq)} continues segment ${kept.seq} at byte ${scan.header.prevEndBytes}, which ends at ${kept.endBytes}; it and later segments discarded`,
        );
        report.discardedBytes += buf.length;
        counted = seq;
        stopAt = i;
        break;
      }
      const r = scan.records;
      let rejected: { offset: number; reason: string } | null = null;
      for (const f of r.frames) {
        const pos = { segment: seq, offset: f.offset };
        if (from && comparePositions(pos, from) < 0) continue;
        const reason = opts.accept?.(f, pos) ?? null;
        if (reason !== null) {
          rejected = { offset: f.offset, reason };
          break;
        }
        report.recordsRecovered += 1;
        opts.visit?.(f.payload, pos, f);
      }
      if (rejected) {
        // Everything from the rejected record on is discarded: recovery keeps a prefix of the log.
        const discarded = r.endOffset - rejected.offset + r.discardedBytes;
        kept = { seq, endBytes: rejected.offset, fileBytes: buf.length, damaged: true };
        report.discardedBytes += discarded;
        report.notes.push(`${segmentName(seq)}: record at offset ${rejected.offset} rejected (${rejected.reason}), ${discarded} bytes discarded`);
        stopAt = i + 1;
        break;
      }
      kept = { seq, endBytes: r.endOffset, fileBytes: buf.length, damaged: r.stop === 'torn' || r.stop === 'crc' };
      if (kept.damaged) {
        report.discardedBytes += r.discardedBytes;
        if (r.stop === 'torn') report.tornTail = true;
        else report.crcFailures += 1;
        report.notes.push(`${segmentName(seq)}: ${r.stop} record at offset ${r.endOffset}, ${r.discardedBytes} bytes discarded`);
        stopAt = i + 1;
        break;
      }
      if (r.stop === 'zero' && i === seqs.length - 1) report.notes.push(`${segmentName(seq)}: zero-filled tail from offset ${r.endOffset}`);
    }

    const discarded = seqs.slice(stopAt);
    for (const seq of discarded) if (seq !== counted) report.discardedBytes += io.sizeOf(segmentPath(dir, seq));
    // Newest first: a crash in the middle leaves a gap that the next recovery stops at anyway.
    this.deleteSegments([...discarded].reverse());
    this.segments = seqs.slice(0, stopAt);

    if (kept) {
      const fd = io.open(segmentPath(dir, kept.seq));
      this.active = { seq: kept.seq, fd, writePos: kept.endBytes, fileBytes: kept.fileBytes };
      if (kept.damaged) this.repairTail(this.active);
    } else {
      // Nothing usable: start a fresh log (at the checkpoint's segment, so the checkpoint stays valid).
      this.createSegment(from ? from.segment : (discarded[0] ?? 1), 0);
    }
    return report;
  }

  /** Cut the garbage after the last intact record so new records follow it directly. */
  private repairTail(seg: ActiveSegment): void {
    const { io } = this;
    io.ftruncate(seg.fd, seg.writePos);
    seg.fileBytes = seg.writePos;
    if (this.config.preallocate && seg.writePos < this.config.segmentBytes) {
      io.zeroFill(seg.fd, seg.writePos, this.config.segmentBytes - seg.writePos);
      seg.fileBytes = this.config.segmentBytes;
    }
    io.fsync(seg.fd);
  }

  /** Create segment `seq` and make it durable (file and directory entry) before any record goes in. */
  private createSegment(seq: number, prevEndBytes: number): void {
    const { io, dir, preallocate, segmentBytes } = this.config;
    const fd = io.open(segmentPath(dir, seq), { create: true, truncate: true });
    io.write(fd, encodeSegmentHeader({ seq, prevEndBytes }), 0);
    let fileBytes = SEGMENT_HEADER_BYTES;
    if (preallocate && segmentBytes > SEGMENT_HEADER_BYTES) {
      io.zeroFill(fd, SEGMENT_HEADER_BYTES, segmentBytes - SEGMENT_HEADER_BYTES);
      fileBytes = segmentBytes;
    }
    io.fsync(fd);
    if (this.syncDir) io.fsyncDir(dir);
    this.active = { seq, fd, writePos: SEGMENT_HEADER_BYTES, fileBytes };
    this.activeUnsynced = false;
    this.segments.push(seq);
    this.counters.segmentsCreated += 1;
  }

  private deleteSegments(seqs: readonly number[]): void {
    if (seqs.length === 0) return;
    for (const seq of seqs) {
      const fd = this.readFds.get(seq);
      if (fd !== undefined) {
        this.io.close(fd);
        this.readFds.delete(seq);
      }
      this.io.unlink(segmentPath(this.config.dir, seq));
      this.unsyncedSegments.delete(seq);
      this.counters.segmentsDeleted += 1;
    }
    if (this.syncDir) this.io.fsyncDir(this.config.dir);
  }

  private requireActive(): ActiveSegment {
    if (!this.active) throw new Error('WalLog: open() it first (or it was closed)');
    return this.active;
  }

  /** Frame and append one record; returns its position. Rotates first when the segment is full. */
  append(payload: Uint8Array): WalPosition {
    return this.appendFramed(frame(payload));
  }

  /**
   * Append a record already framed with engines/framing.ts (`frame`, `frameKv`, or the first
   * `length` bytes of a `FrameScratch` buffer: the bytes are copied by write(2), not kept).
   */
  appendFramed(framed: Uint8Array, length = framed.byteLength): WalPosition {
    let seg = this.requireActive();
    // A record larger than a whole segment still goes into a fresh one (the file grows past the size).
    if (seg.writePos > SEGMENT_HEADER_BYTES && seg.writePos + length > this.config.segmentBytes) {
      this.rotate();
      seg = this.requireActive();
    }
    const offset = seg.writePos;
    this.io.write(seg.fd, framed, offset, 0, length);
    seg.writePos += length;
    if (seg.writePos > seg.fileBytes) seg.fileBytes = seg.writePos;
    this.activeUnsynced = true;
    this.counters.recordsAppended += 1;
    this.counters.bytesAppended += length;
    return { segment: seg.seq, offset };
  }

  /**
   * Start a new segment now (the lsm starts one per memtable, so a flushed memtable's records sit in
   * segments that can be deleted whole). The old segment keeps its unsynced records until the next
   * `sync()`. Announces `segment-rotated` once the new segment is durable.
   */
  rotate(): WalPosition {
    const t0 = this.clockNs();
    const old = this.requireActive();
    if (this.activeUnsynced) this.unsyncedSegments.add(old.seq);
    this.io.close(old.fd);
    this.active = null;
    this.createSegment(old.seq + 1, old.writePos);
    this.counters.rotations += 1;
    this.io.marker('segment-rotated');
    this.config.recordPhase?.('rotate', Number(this.clockNs() - t0));
    return this.position();
  }

  /**
   * Make every appended record durable: fdatasync each segment that holds unsynced records. With
   * `syncRecords: false` (the `flush-no-fsync` defect) nothing is synced — the caller still claims it.
   */
  sync(): void {
    const seg = this.requireActive();
    if (this.syncRecords) {
      for (const seq of this.unsyncedSegments) {
        // The rotated segment's descriptor is closed; fdatasync syncs the file, through any descriptor.
        const fd = this.io.open(segmentPath(this.config.dir, seq), { readOnly: true });
        try {
          this.io.fdatasync(fd);
        } finally {
          this.io.close(fd);
        }
      }
      if (this.activeUnsynced) this.io.fdatasync(seg.fd);
    }
    this.unsyncedSegments.clear();
    this.activeUnsynced = false;
  }

  /** True when records were appended since the last `sync()`. */
  get unsynced(): boolean {
    return this.activeUnsynced || this.unsyncedSegments.size > 0;
  }

  /** Where the next record will go (a checkpoint taken now covers everything appended so far). */
  position(): WalPosition {
    const seg = this.requireActive();
    return { segment: seg.seq, offset: seg.writePos };
  }

  /**
   * Delete every segment that lies wholly before `pos` (never the active one), oldest first, then
   * fsync the directory. Returns how many were deleted. Callers must have made everything before
   * `pos` durable elsewhere first (the lsm: its SSTable and the manifest naming it).
   */
  truncateBefore(pos: WalPosition): number {
    const active = this.requireActive();
    const doomed = this.segments.filter((s) => s < pos.segment && s !== active.seq);
    this.deleteSegments(doomed);
    this.segments = this.segments.filter((s) => !doomed.includes(s));
    return doomed.length;
  }

  /** The payload of the record at `pos`, or undefined when there is no intact record there. */
  read(pos: WalPosition): Buffer | undefined {
    const fd = this.fdFor(pos.segment);
    if (fd === undefined) return undefined;
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    if (this.io.read(fd, header, pos.offset) < FRAME_HEADER_BYTES) return undefined;
    const frameBytes = frameBytesOf(header.readUInt32LE(0));
    if (frameBytes === null) return undefined;
    const framed = Buffer.alloc(frameBytes);
    const n = this.io.read(fd, framed, pos.offset);
    return scanFrames(framed.subarray(0, n)).frames[0]?.payload;
  }

  private fdFor(seq: number): number | undefined {
    if (this.active?.seq === seq) return this.active.fd;
    if (!this.segments.includes(seq)) return undefined;
    let fd = this.readFds.get(seq);
    if (fd === undefined) {
      fd = this.io.open(segmentPath(this.config.dir, seq), { readOnly: true });
      this.readFds.set(seq, fd);
    }
    return fd;
  }

  /** Visit every live record in log order (read-only; after `open` the files hold no garbage). */
  scan(visit: (payload: Buffer, pos: WalPosition) => void): void {
    for (const seq of this.segments) {
      let buf = this.io.readFile(segmentPath(this.config.dir, seq));
      if (this.active?.seq === seq) buf = buf.subarray(0, this.active.writePos);
      for (const f of scanFrames(buf, SEGMENT_HEADER_BYTES).frames) visit(f.payload, { segment: seq, offset: f.offset });
    }
  }

  /** Close every descriptor. Does not sync: the caller decides (its mode). */
  close(): void {
    for (const fd of this.readFds.values()) this.io.close(fd);
    this.readFds.clear();
    if (this.active) this.io.close(this.active.fd);
    this.active = null;
  }

  stats(): WalStats {
    return { ...this.counters, liveSegments: this.segments.length };
  }
}
