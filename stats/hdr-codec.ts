/**
 * HdrHistogram's compressed V2 encoding (the base64 "HISTF…" strings every HDR port reads and
 * writes), done with Node's native zlib and Buffer base64.
 *
 * hdr-histogram-js does the same in JavaScript: base64-js for the text, and for the deflate Node's
 * zlib only when it can reach `require` through `eval`, which it cannot inside an ES-module bundle,
 * so there it deflates and inflates with pako, zlib ported to JavaScript. A command encodes and
 * decodes dozens of histograms per case (every recorder, every timeline interval, every merge): with
 * pako that cost a writer thread about 25 ms while its code was still cold, then 2.5–3.6 ms per
 * case (README, Benchmarks: Start-up and bench-scale).
 *
 * The format (HdrHistogram's `encodeIntoCompressedByteBuffer`): a 4-byte big-endian cookie
 * (0x1c849314: V2, compressed; readers ignore its word-size bits), the 4-byte length of the zlib
 * stream that follows, then that stream, of the uncompressed V2 encoding: cookie 0x1c849313, payload
 * length, normalizing index offset (1), significant digits, lowest discernible value and highest
 * trackable value (8 bytes each), the integer-to-double ratio (1), then the counts as ZigZag
 * LEB128-64b9B words, a run of zeros written as its negated length. `encodeV2` writes exactly what
 * hdr-histogram-js's own encoder writes (the tests compare them byte for byte), so reports written
 * before this file decode the same. Only the standard base64 alphabet is read (the one HDR ports
 * write), and a stream shorter than its length field is an error (hdr-histogram-js decoded it).
 */
import { Buffer } from 'node:buffer';
import zlib from 'node:zlib';

/** Cookies differ in their 0xf0 bits (word size); the rest names the encoding. */
const COOKIE_BASE_MASK = ~0xf0;
const V2_COOKIE_BASE = 0x1c849303;
const COMPRESSED_COOKIE_BASE = 0x1c849304;
/** What HdrHistogram writes: the base with word-size bits 0x10 (ZigZag LEB128 words). */
const V2_COOKIE = V2_COOKIE_BASE | 0x10;
const V2_COMPRESSED_COOKIE = COMPRESSED_COOKIE_BASE | 0x10;
const V2_HEADER_BYTES = 40;
/** A ZigZag LEB128-64b9B word takes at most 9 bytes. */
const MAX_WORD_BYTES = 9;
/**
 * No histogram durabench keeps inflates to more than this: 64-bit buckets, 3 significant digits and
 * values up to 2^53 are under 60,000 counts, 9 bytes each at most. A stream that inflates further was
 * not written by an HDR encoder.
 */
const MAX_RAW_BYTES = 16 * 1024 * 1024;
const TWO_POW_32 = 2 ** 32;

/** What a hdr-histogram-js JsHistogram has at run time (its type declarations omit most of it). */
export interface CountsArray {
  readonly numberOfSignificantValueDigits: number;
  readonly lowestDiscernibleValue: number;
  readonly highestTrackableValue: number;
  readonly maxValue: number;
  readonly countsArrayLength: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
}

/** Reused between encodings (grown when a histogram needs more); `encodeV2` returns a copy. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** The uncompressed V2 encoding of a histogram's counts (a fresh copy). */
export function encodeV2(h: CountsArray): Uint8Array {
  // The library drops a value whose bucket lies past its counts array (2^53 and above) and keeps it
  // as the maximum: encode the counts it has, never an index it has not.
  const limit = Math.min(h.countsArrayIndex(h.maxValue) + 1, h.countsArrayLength);
  const need = V2_HEADER_BYTES + limit * MAX_WORD_BYTES;
  if (scratch.length < need) scratch = Buffer.allocUnsafe(need);
  const out = scratch;
  let pos = V2_HEADER_BYTES;
  for (let i = 0; i < limit;) {
    const count = h.getCountAtIndex(i++);
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`cannot encode a histogram whose count at index ${i - 1} is ${count}`);
    let zeros = 0;
    if (count === 0) {
      zeros = 1;
      while (i < limit && h.getCountAtIndex(i) === 0) {
        zeros += 1;
        i += 1;
      }
    }
    pos = putZigZag(out, pos, zeros > 1 ? -zeros : count);
  }
  out.writeUInt32BE(V2_COOKIE, 0);
  out.writeUInt32BE(pos - V2_HEADER_BYTES, 4);
  out.writeUInt32BE(1, 8);
  out.writeUInt32BE(h.numberOfSignificantValueDigits, 12);
  putInt64(out, 16, h.lowestDiscernibleValue);
  putInt64(out, 24, h.highestTrackableValue);
  putInt64(out, 32, 1);
  return Buffer.from(out.subarray(0, pos));
}

/** Compressed base64 of an uncompressed V2 encoding. */
export function compressV2(raw: Uint8Array): string {
  const deflated = zlib.deflateSync(raw);
  const out = Buffer.allocUnsafe(8 + deflated.length);
  out.writeUInt32BE(V2_COMPRESSED_COOKIE, 0);
  out.writeUInt32BE(deflated.length, 4);
  deflated.copy(out, 8);
  return out.toString('base64');
}

/**
 * The uncompressed V2 encoding inside a compressed base64 string (surrounding whitespace allowed);
 * throws on anything else: another alphabet or encoding, a stream shorter than its length field, a
 * broken zlib stream, an inner encoding that is not V2 or whose payload length does not match.
 */
export function decompressV2(encoded: string): Uint8Array {
  const text = encoded.trim();
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('not a base64 HDR histogram');
  const data = Buffer.from(text, 'base64');
  if (data.length < 8 || (data.readUInt32BE(0) & COOKIE_BASE_MASK) !== COMPRESSED_COOKIE_BASE) {
    throw new Error('not a compressed V2 HDR histogram (cookie)');
  }
  const length = data.readUInt32BE(4);
  if (8 + length > data.length) throw new Error(`truncated HDR histogram: ${data.length - 8} of ${length} compressed bytes`);
  const raw = zlib.inflateSync(data.subarray(8, 8 + length), { maxOutputLength: MAX_RAW_BYTES });
  if (raw.length < V2_HEADER_BYTES || (raw.readUInt32BE(0) & COOKIE_BASE_MASK) !== V2_COOKIE_BASE) {
    throw new Error('not a V2 HDR histogram inside the compressed one (cookie)');
  }
  const payload = raw.readUInt32BE(4);
  if (payload !== raw.length - V2_HEADER_BYTES)
    throw new Error(`HDR histogram payload of ${raw.length - V2_HEADER_BYTES} bytes where its header says ${payload}`);
  return raw;
}

/** Big-endian: the high 32 bits, then the low 32 (values below 2^53). */
function putInt64(out: Buffer, pos: number, value: number): void {
  out.writeUInt32BE(Math.floor(value / TWO_POW_32) >>> 0, pos);
  out.writeUInt32BE((value % TWO_POW_32) >>> 0, pos + 4);
}

/** One ZigZag LEB128-64b9B word (HdrHistogram's variant: at most 9 bytes, the ninth holds 8 bits). */
function putZigZag(out: Buffer, pos: number, v: number): number {
  let value = v >= 0 ? v * 2 : -v * 2 - 1;
  for (let k = 0; k < 8; k++) {
    if (value < 0x80) {
      out[pos++] = value;
      return pos;
    }
    out[pos++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  out[pos++] = value;
  return pos;
}
