/**
 * Record framing shared by every log the built-in engines write:
 *
 *   [u32 LE payload length][u32 LE crc32c(length bytes ‖ payload)][payload]
 *
 * The checksum covers the length too, so a zero-filled tail (a preallocated segment) never parses as
 * a record: crc32c of four zero bytes is not zero. A key/value payload is
 *
 *   [u16 LE key length][key][value]
 *
 * A record of a shared log also says who wrote it: bit 31 of the length word is set and the payload
 * starts with its origin,
 *
 *   [u32 LE 0x80000000 | payload length][u32 LE crc32c][u16 LE writer][u64 LE seq][key/value payload]
 *
 * so recovery can check every writer's records (1, 2, 3, … in log order). The flag keeps this
 * compatible both ways: every record written before it still reads the same, and a reader that does
 * not know the flag sees an impossible length (> MAX_PAYLOAD_BYTES) and stops there as at a bad
 * checksum, so it never takes an origin for part of a key.
 *
 * `scanFrames` never throws: it returns the intact records before the first torn, zero-filled or
 * checksum-failing frame, and says why it stopped.
 */
import { crc32c } from './crc32c.js';

export const FRAME_HEADER_BYTES = 8;
/** Upper bound on a payload, so a garbage length cannot make us allocate gigabytes. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
/** Bit 31 of the length word: the payload starts with the record's origin. */
const ORIGIN_FLAG = 0x80000000;
/** Bytes of an origin: u16 writer, u64 sequence number. */
export const ORIGIN_BYTES = 10;
/** The largest writer id an origin holds. */
export const MAX_ORIGIN_WRITER = 0xffff;

/** Who wrote a record of a shared log: the writer (0-based) and its own sequence number (1, 2, 3, …). */
export interface RecordOrigin {
  readonly writer: number;
  readonly seq: number;
}

export type ScanStop =
  /** Clean end of data. */
  | 'end'
  /** Fewer bytes than the header or the payload announce: a torn write. */
  | 'torn'
  /** The rest is zeros (preallocated space never written). */
  | 'zero'
  /** A frame whose checksum fails, or an impossible length. */
  | 'crc';

export interface ScannedFrame {
  /** Offset of the frame header in the scanned buffer. */
  readonly offset: number;
  /** The payload (after the origin, when the record has one). */
  readonly payload: Buffer;
  /** Who wrote it, for a record of a shared log; null otherwise. */
  readonly origin: RecordOrigin | null;
  /** Bytes of the whole frame (header, origin, payload). */
  readonly frameBytes: number;
}

export interface ScanResult {
  readonly frames: ScannedFrame[];
  /** Offset just past the last intact frame: where appending may continue. */
  readonly endOffset: number;
  readonly stop: ScanStop;
  /** Bytes after `endOffset` that were not recovered. */
  readonly discardedBytes: number;
}

/** Frame a payload. */
export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.set(payload, FRAME_HEADER_BYTES);
  out.writeUInt32LE(checksum(out, payload.length), 4);
  return out;
}

function checksum(framed: Buffer, payloadLength: number): number {
  const c = crc32c(framed, 0, 0, 4);
  return crc32c(framed, c, FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + payloadLength);
}

/** The frame's total size from its length word, or null when the word is impossible. */
export function frameBytesOf(lengthWord: number): number | null {
  const length = (lengthWord & ~ORIGIN_FLAG) >>> 0;
  if (length > MAX_PAYLOAD_BYTES) return null;
  if ((lengthWord & ORIGIN_FLAG) !== 0 && length < ORIGIN_BYTES) return null;
  return FRAME_HEADER_BYTES + length;
}

/** Frame a key/value record of a shared log with its origin (writer, sequence number), in one allocation. */
export function frameKvWithOrigin(origin: RecordOrigin, key: Uint8Array, value: Uint8Array): Buffer {
  const payloadLength = ORIGIN_BYTES + 2 + key.length + value.length;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payloadLength);
  out.writeUInt32LE((ORIGIN_FLAG | payloadLength) >>> 0, 0);
  out.writeUInt16LE(origin.writer, FRAME_HEADER_BYTES);
  out.writeBigUInt64LE(BigInt(origin.seq), FRAME_HEADER_BYTES + 2);
  const kv = FRAME_HEADER_BYTES + ORIGIN_BYTES;
  out.writeUInt16LE(key.length, kv);
  out.set(key, kv + 2);
  out.set(value, kv + 2 + key.length);
  out.writeUInt32LE(checksum(out, payloadLength), 4);
  return out;
}

/** Frame a key/value record in one allocation. */
export function frameKv(key: Uint8Array, value: Uint8Array, padToBytes = 0): Buffer {
  const payloadLength = 2 + key.length + value.length;
  const total = Math.max(FRAME_HEADER_BYTES + payloadLength, padToBytes);
  const out = total === FRAME_HEADER_BYTES + payloadLength ? Buffer.allocUnsafe(total) : Buffer.alloc(total);
  out.writeUInt32LE(payloadLength, 0);
  out.writeUInt16LE(key.length, FRAME_HEADER_BYTES);
  out.set(key, FRAME_HEADER_BYTES + 2);
  out.set(value, FRAME_HEADER_BYTES + 2 + key.length);
  out.writeUInt32LE(checksum(out, payloadLength), 4);
  return out;
}

/**
 * Frame key/value records into one reused buffer, for logs that hand the record to write(2) and keep
 * no reference to it (the kernel has copied the bytes when write returns): one copy of key and value
 * and no allocation per record, where `frameKv` allocates (a new 8 KiB pool every few records) and
 * copies. Records an engine keeps (an LSM memtable's views) must use `frameKv`.
 */
export class FrameScratch {
  /** The framed record is `buf[0, length)` after `frameKv`; grown on demand, never shrunk. */
  buf: Buffer = Buffer.allocUnsafe(4096);

  /** Frame `key`/`value` (padded with zeros to `padToBytes`) into `buf`; returns the record length. */
  frameKv(key: Uint8Array, value: Uint8Array, padToBytes = 0): number {
    const payloadLength = 2 + key.length + value.length;
    const framed = FRAME_HEADER_BYTES + payloadLength;
    const total = framed > padToBytes ? framed : padToBytes;
    if (total > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(total, 2 * this.buf.length));
    const out = this.buf;
    out.writeUInt32LE(payloadLength, 0);
    out.writeUInt16LE(key.length, FRAME_HEADER_BYTES);
    out.set(key, FRAME_HEADER_BYTES + 2);
    out.set(value, FRAME_HEADER_BYTES + 2 + key.length);
    if (total > framed) out.fill(0, framed, total);
    out.writeUInt32LE(checksum(out, payloadLength), 4);
    return total;
  }
}

/** Split a key/value payload; null if it is malformed. */
export function parseKv(payload: Buffer): { key: Buffer; value: Buffer } | null {
  if (payload.length < 2) return null;
  const keyLength = payload.readUInt16LE(0);
  if (2 + keyLength > payload.length) return null;
  return { key: payload.subarray(2, 2 + keyLength), value: payload.subarray(2 + keyLength) };
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Scan frames from `start`. With `stride` > 0, frames sit at fixed positions `start + k·stride`
 * (the `raw` engine's fixed-size records); otherwise they follow each other.
 */
export function scanFrames(buf: Buffer, start = 0, stride = 0): ScanResult {
  const frames: ScannedFrame[] = [];
  let off = start;
  const done = (stop: ScanStop): ScanResult => {
    const rest = buf.length - off;
    const zero = stop !== 'end' && allZero(buf, off);
    return { frames, endOffset: off, stop: zero ? 'zero' : stop, discardedBytes: zero ? 0 : rest };
  };
  while (off < buf.length) {
    if (buf.length - off < FRAME_HEADER_BYTES) return done('torn');
    const word = buf.readUInt32LE(off);
    const frameBytes = frameBytesOf(word);
    if (frameBytes === null) return done('crc');
    const length = frameBytes - FRAME_HEADER_BYTES;
    if (buf.length - off < frameBytes) return done('torn');
    if (checksum(buf.subarray(off, off + frameBytes), length) !== buf.readUInt32LE(off + 4)) return done('crc');
    let start = off + FRAME_HEADER_BYTES;
    let origin: RecordOrigin | null = null;
    if ((word & ORIGIN_FLAG) !== 0) {
      origin = { writer: buf.readUInt16LE(start), seq: Number(buf.readBigUInt64LE(start + 2)) };
      start += ORIGIN_BYTES;
    }
    frames.push({ offset: off, payload: buf.subarray(start, off + frameBytes), origin, frameBytes });
    off += stride > 0 ? Math.max(stride, frameBytes) : frameBytes;
  }
  return { frames, endOffset: Math.min(off, buf.length), stop: 'end', discardedBytes: 0 };
}
