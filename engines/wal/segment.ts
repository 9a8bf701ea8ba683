/**
 * WAL segment files: their names, their header, and scanning one segment.
 *
 * A segment is `wal-<16-digit seq>.log`:
 *
 *   [header frame][record frame][record frame]...[zero-filled tail, when preallocated]
 *
 * The header is an ordinary frame (engines/framing.ts) whose 24-byte payload is
 *
 *   [8 bytes magic "durawal1"][u64 LE seq][u64 LE prevEndBytes]
 *
 * `prevEndBytes` is where the previous segment's records ended when this one was created. Recovery
 * compares it with what it actually found in the previous segment: if that segment lost its tail
 * (unsynced writes in batch/none mode, a power cut), the later segment is not a continuation of
 * what survived and is discarded, so recovery always yields a prefix of the log (etcd chains
 * segments with a CRC for the same reason).
 */
import path from 'node:path';
import { frame, FRAME_HEADER_BYTES, scanFrames, type ScanResult } from '../framing.js';

const MAGIC = Buffer.from('durawal1', 'latin1');
const HEADER_PAYLOAD_BYTES = 24;
/** Bytes of the header frame at the start of every segment: records start here. */
export const SEGMENT_HEADER_BYTES = FRAME_HEADER_BYTES + HEADER_PAYLOAD_BYTES;

const NAME = /^wal-(\d{16})\.log$/;

export function segmentName(seq: number): string {
  return `wal-${String(seq).padStart(16, '0')}.log`;
}

export function segmentPath(dir: string, seq: number): string {
  return path.join(dir, segmentName(seq));
}

/** The sequence number of a segment file name, or null for any other file. */
export function parseSegmentName(name: string): number | null {
  const m = NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** Sequence numbers of the segment files among `names`, ascending. */
export function segmentSeqs(names: readonly string[]): number[] {
  const seqs: number[] = [];
  for (const n of names) {
    const seq = parseSegmentName(n);
    if (seq !== null) seqs.push(seq);
  }
  return seqs.sort((a, b) => a - b);
}

export interface SegmentHeader {
  readonly seq: number;
  readonly prevEndBytes: number;
}

export function encodeSegmentHeader(h: SegmentHeader): Buffer {
  const payload = Buffer.alloc(HEADER_PAYLOAD_BYTES);
  MAGIC.copy(payload, 0);
  payload.writeBigUInt64LE(BigInt(h.seq), 8);
  payload.writeBigUInt64LE(BigInt(h.prevEndBytes), 16);
  return frame(payload);
}

/** The header at the start of `buf`, or null when it is missing, torn, or fails its checksum. */
export function decodeSegmentHeader(buf: Buffer): SegmentHeader | null {
  const scan = scanFrames(buf.subarray(0, Math.min(buf.length, SEGMENT_HEADER_BYTES)));
  const payload = scan.frames[0]?.payload;
  if (!payload || payload.length !== HEADER_PAYLOAD_BYTES || !payload.subarray(0, 8).equals(MAGIC)) return null;
  return { seq: Number(payload.readBigUInt64LE(8)), prevEndBytes: Number(payload.readBigUInt64LE(16)) };
}

export type SegmentScan =
  /** The header is missing, torn or wrong: nothing in this segment can be trusted. */
  { readonly ok: false; readonly reason: string } | { readonly ok: true; readonly header: SegmentHeader; readonly records: ScanResult };

/** Scan one segment file's bytes: its header, then its records up to the first bad frame. Never throws. */
export function scanSegment(buf: Buffer, expectedSeq: number): SegmentScan {
  const header = decodeSegmentHeader(buf);
  if (!header) return { ok: false, reason: buf.length === 0 ? 'empty file' : 'no valid header' };
  if (header.seq !== expectedSeq) return { ok: false, reason: `header names segment ${header.seq}` };
  return { ok: true, header, records: scanFrames(buf, SEGMENT_HEADER_BYTES) };
}
