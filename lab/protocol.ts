/**
 * What the crash lab's writer child and the coordinator say to each other.
 *
 * Configuration goes to the child as one JSON argument. Everything the child reports comes back as
 * fixed-size binary records on fd 3 (a FIFO the coordinator drains without blocking), in the order
 * they happened: acks, crash-point hits, marker positions, readiness, the end of the run. A record
 * is 16 bytes, well under PIPE_BUF, so every write is atomic.
 *
 *   offset 0  u8   record type
 *   offset 2  u16  index (which reported marker)
 *   offset 4  u32  a: commit sequence (ack) or io operation number (point, marker)
 *   offset 8  u64  hrtime ns (CLOCK_MONOTONIC: the same clock in both processes on Linux)
 */
import type { InstanceSpec } from '../workers/engine-instance.js';
import type { WorkloadSpec } from '../workers/workload.js';
import type { CrashPoint } from './crash-point.js';

export const RECORD_BYTES = 16;

export const enum RecordType {
  /** The engine is open (recovery done) and the loop starts. a = io ops so far. */
  Ready = 1,
  /** Commit `a` was acked at `ns`. */
  Ack = 2,
  /** The crash point was reached after io operation `a`; the child stops itself right after. */
  Point = 3,
  /** A reported marker (config `reportMarkers[index]`) was announced after io operation `a`. */
  Marker = 4,
  /** The loop ended without a crash (commit or time cap reached). a = commits acked. */
  Done = 5,
}

export interface ChildRecord {
  readonly type: RecordType;
  readonly index: number;
  readonly a: number;
  readonly ns: bigint;
}

export function encodeRecord(buf: Buffer, type: RecordType, a: number, ns: bigint, index = 0): Buffer {
  buf.writeUInt8(type, 0);
  buf.writeUInt8(0, 1);
  buf.writeUInt16LE(index, 2);
  buf.writeUInt32LE(a >>> 0, 4);
  buf.writeBigUInt64LE(ns, 8);
  return buf;
}

export function decodeRecord(buf: Buffer, offset: number): ChildRecord {
  return {
    type: buf.readUInt8(offset) as RecordType,
    index: buf.readUInt16LE(offset + 2),
    a: buf.readUInt32LE(offset + 4),
    ns: buf.readBigUInt64LE(offset + 8),
  };
}

/** Everything the child needs: which engine, where, which workload, where to stop. */
export interface ChildConfig {
  readonly instance: InstanceSpec;
  readonly workload: WorkloadSpec;
  /** Stop itself (SIGSTOP) here; `random` = run until the coordinator crashes it. */
  readonly point: CrashPoint;
  /** Markers whose io position the child reports (for `--crash-sweep`). */
  readonly reportMarkers: readonly string[];
  /** Safety caps: end the loop after this many commits or ms (whichever first). */
  readonly maxCommits: number;
  readonly maxMs: number;
}
