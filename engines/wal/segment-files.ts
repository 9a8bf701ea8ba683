/**
 * The files of a shared write-ahead log, as one writer thread sees them: the `LogStorage` the
 * group-commit protocol (engines/shared-log/group-commit.ts) writes, syncs and rotates through.
 * Every thread opens its own descriptors (a pwrite at a reserved offset needs no shared file
 * position; fdatasync through any descriptor syncs the file). Segments have the same format as
 * `WalLog`'s (engines/wal/segment.ts), and new segments are made durable the same way: header,
 * optional zero fill, file fsync, directory fsync, and only then does a record go in.
 */
import type { Io } from '../../io/io.js';
import type { LogStorage, Place } from '../shared-log/group-commit.js';
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES, segmentPath } from './segment.js';

export interface SegmentFilesConfig {
  readonly io: Io;
  readonly dir: string;
  readonly segmentBytes: number;
  readonly preallocate: boolean;
  /** false reproduces `flush-no-fsync`: records are never synced (the claims stay). */
  readonly syncRecords: boolean;
  /** false reproduces `no-dir-fsync`. */
  readonly syncDir: boolean;
  readonly clockNs: () => bigint;
  readonly recordPhase: (name: string, durationNs: number) => void;
}

export interface SegmentFileStats {
  rotations: number;
  segmentsCreated: number;
  recordsAppended: number;
  bytesAppended: number;
}

export class SegmentFiles implements LogStorage {
  private readonly fds = new Map<number, number>();
  readonly counters: SegmentFileStats = { rotations: 0, segmentsCreated: 0, recordsAppended: 0, bytesAppended: 0 };

  constructor(private readonly config: SegmentFilesConfig) {}

  private fd(seq: number): number {
    let fd = this.fds.get(seq);
    if (fd === undefined) {
      fd = this.config.io.open(segmentPath(this.config.dir, seq));
      this.fds.set(seq, fd);
    }
    return fd;
  }

  write(place: Place, data: Uint8Array): void {
    this.config.io.write(this.fd(place.seq), data, place.offset);
    this.counters.recordsAppended += 1;
    this.counters.bytesAppended += data.byteLength;
  }

  sync(fromSeq: number, toSeq: number): void {
    if (this.config.syncRecords) {
      for (let s = fromSeq; s <= toSeq; s++) this.config.io.fdatasync(this.fd(s));
    }
    // Older segments are complete and durable: this thread will not write there again.
    for (const [seq, fd] of this.fds) {
      if (seq < toSeq) {
        this.config.io.close(fd);
        this.fds.delete(seq);
      }
    }
  }

  createSegment(seq: number, prevEndBytes: number): void {
    const { io, dir, preallocate, segmentBytes, clockNs } = this.config;
    const t0 = clockNs();
    const fd = io.open(segmentPath(dir, seq), { create: true, truncate: true });
    io.write(fd, encodeSegmentHeader({ seq, prevEndBytes }), 0);
    if (preallocate && segmentBytes > SEGMENT_HEADER_BYTES) io.zeroFill(fd, SEGMENT_HEADER_BYTES, segmentBytes - SEGMENT_HEADER_BYTES);
    io.fsync(fd);
    if (this.config.syncDir) io.fsyncDir(dir);
    this.fds.set(seq, fd);
    this.counters.rotations += 1;
    this.counters.segmentsCreated += 1;
    io.marker('segment-rotated');
    this.config.recordPhase('rotate', Number(clockNs() - t0));
  }

  /** Read `length` bytes of segment `seq` at `offset` (fewer at the end of the file). */
  read(seq: number, offset: number, length: number): Buffer {
    const buf = Buffer.alloc(length);
    const n = this.config.io.read(this.fd(seq), buf, offset);
    return buf.subarray(0, n);
  }

  close(): void {
    for (const fd of this.fds.values()) this.config.io.close(fd);
    this.fds.clear();
  }
}
