/**
 * What the crash lab's writer child and the coordinator say to each other.
 *
 * Configuration goes to the child as one JSON argument. Everything the child reports comes back as
 * fixed-size binary records on fd 3 (a FIFO the coordinator drains without blocking), in the order
 * they happened: its pid, acks and durability claims of every writer, crash-point hits, marker
 * positions, readiness, the end of a writer's run. A record is 16 bytes, well under PIPE_BUF, so
 * every write is atomic, also from several writer threads at once.
 *
 *   offset 0  u8   record type
 *   offset 2  u16  index: the writer (acks, claims, ready, done) or which reported marker
 *   offset 4  u32  a: commit sequence (ack), commits declared durable (claim), io operation number
 *                  (point, marker), process id (hello)
 *   offset 8  u64  hrtime ns (CLOCK_MONOTONIC: the same clock in both processes on Linux)
 */
import path from 'node:path';
import type { InstanceSpec } from '../workers/engine-instance.js';
import type { WorkloadSpec } from '../workers/workload.js';

export const RECORD_BYTES = 16;

export const enum RecordType {
  /** Writer `index`'s engine is open (recovery done) and its loop starts. a = io ops so far. */
  Ready = 1,
  /** Writer `index` acked commit `a` at `ns`. */
  Ack = 2,
  /** The crash point was reached after io operation `a` of writer 0; the child stops itself right after. */
  Point = 3,
  /** A reported marker (config `reportMarkers[index]`) was announced after io operation `a` of writer 0. */
  Marker = 4,
  /** Writer `index`'s loop ended without a crash (commit or time cap reached). a = commits acked. */
  Done = 5,
  /** The first record: a = the child's process id (the tracee when it runs under strace). */
  Hello = 6,
  /** Writer `index`'s engine declared its first `a` commits durable (`durable(n)`, only when n grows). */
  Durable = 7,
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

/**
 * Where writer 0 stops itself: nowhere (the coordinator stops the process), after each io operation
 * of a list (a sweep: stop, be snapshotted, continue to the next), or at a marker.
 */
export type ChildStops =
  | { readonly kind: 'none' }
  | { readonly kind: 'ops'; readonly ops: readonly number[] }
  | { readonly kind: 'marker'; readonly name: string; readonly occurrence: number };

/** Everything the child needs: which engine, where, how many writers, which workload, where to stop. */
export interface ChildConfig {
  /** The engine instance; `dir` is the case's directory (see `writerDir`). */
  readonly instance: InstanceSpec;
  /** Writers, each on its own thread with its own engine instance, as the benchmark runs them. */
  readonly writers: number;
  /**
   * A shared log (`--share log`): bytes of the shared memory the child allocates once and hands to
   * every writer thread, all writing one log in `instance.dir`. null: each writer its own engine.
   */
  readonly sharedLogBytes: number | null;
  /** The workload of writer 0 (`writer` is set per writer). */
  readonly workload: WorkloadSpec;
  readonly stops: ChildStops;
  /** Markers whose io position writer 0 reports (for `--crash-sweep`). */
  readonly reportMarkers: readonly string[];
  /** Safety caps per writer: end the loop after this many commits or ms (whichever first). */
  readonly maxCommits: number;
  readonly maxMs: number;
}

/** Writer `w`'s engine directory: the case directory itself for one writer or a shared log, `w<k>/` inside it for several. */
export function writerDir(dir: string, w: number, writers: number, shared = false): string {
  return writers === 1 || shared ? dir : path.join(dir, `w${w}`);
}
