/**
 * The deterministic workload: key and value of commit `i` (1-based) of writer `w` are a pure function
 * of (seed, w, i), so a verifier can recompute what must be on disk without storing it.
 *
 * - `unique`: every commit writes a new key `w<writer>-<i>`; the key names its commit.
 * - `overwrite:K`: commit i writes key `w<writer>-k<j>` with j = mix(seed, w, i) mod K; the value's
 *   first 8 bytes are i (big-endian) so a reader can tell which version it holds.
 *
 * Values are slices of a per-writer pool of pseudo-random bytes (xorshift32 from the seed), so the
 * hot loop copies nothing for `unique` (engines may keep the Buffer: it is never reused for another
 * value). Slices start at i × 4099 mod 2^20: values of commits less than 2^20 apart never coincide.
 *
 * Key and value generation runs once per commit, outside the timed region but inside the harness's
 * cost per commit, so it is written for speed: `Buffer` is imported (in ES modules the global is a
 * getter), values are `Buffer.from(arrayBuffer, offset, length)` views (half the cost of `subarray`),
 * and unique keys are cut from blocks of 1000 consecutive keys written at once.
 */
import { Buffer } from 'node:buffer';

export type WorkloadName = 'unique' | `overwrite:${number}`;

export interface WorkloadSpec {
  readonly seed: number;
  readonly writer: number;
  readonly valueBytes: number;
  readonly workload: string;
}

const OFFSET_SPAN = 1 << 20;
const OFFSET_STRIDE = 4099;
const KEY_DIGITS = 12;
/** Unique keys are generated this many at a time, into one allocation (the last 3 digits vary). */
const KEY_BLOCK = 1000;

/** Parse a workload name; returns null when it is not one. */
export function parseWorkload(name: string): { kind: 'unique' } | { kind: 'overwrite'; keys: number } | null {
  if (name === 'unique') return { kind: 'unique' };
  const m = /^overwrite:(\d+)$/.exec(name);
  if (m && Number(m[1]) >= 1) return { kind: 'overwrite', keys: Number(m[1]) };
  return null;
}

/** splitmix64-style 32-bit mixing of three integers (deterministic, well distributed). */
export function mix(seed: number, a: number, b: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (a >>> 0), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (b >>> 0) ^ Math.floor(b / 0x100000000), 0x27d4eb2f) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}

/**
 * Pools of this thread by (seed, writer): a writer thread runs case after case with the same seed
 * and writer index, and generating the 1 MiB pool is most of a short case's set-up. The stream is
 * sequential, so a longer pool's prefix is the shorter one: one pool per (seed, writer), grown when
 * a case needs more. Pools above POOL_CACHE_MAX_BYTES are not kept.
 */
const poolCache = new Map<string, Buffer>();
const POOL_CACHE_MAX_BYTES = 8 * 1024 * 1024;

function poolFor(seed: number, writer: number, bytes: number): Buffer {
  const id = `${seed}:${writer}`;
  const cached = poolCache.get(id);
  if (cached !== undefined && cached.length >= bytes + 8) return cached.subarray(0, bytes + 8);
  // Headroom, so a matrix of growing value sizes does not regenerate the pool for every case.
  const size = Math.max(bytes, OFFSET_SPAN + 64 * 1024, 2 * (cached?.length ?? 0));
  if (size + 8 > POOL_CACHE_MAX_BYTES) return fillPool(seed, writer, bytes);
  const pool = fillPool(seed, writer, size);
  poolCache.set(id, pool);
  return pool.subarray(0, bytes + 8);
}

function fillPool(seed: number, writer: number, bytes: number): Buffer {
  const pool = Buffer.allocUnsafe(bytes + 8);
  // Through a DataView: a third of the time of Buffer#writeUInt32LE, which a writer thread's first
  // case pays for the whole 1 MiB before its first commit.
  const view = new DataView(pool.buffer, pool.byteOffset, pool.length);
  // xorshift32 seeded from (seed, writer); never zero.
  let x = mix(seed, writer, 0x5eed) || 1;
  for (let off = 0; off + 4 <= pool.length; off += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view.setUint32(off, x >>> 0, true);
  }
  return pool;
}

export class Workload {
  private readonly pool: Buffer;
  private readonly poolAb: ArrayBufferLike;
  private readonly poolBase: number;
  private readonly valueBytes: number;
  private readonly prefix: string;
  /** `w<writer>-` for unique keys, `w<writer>-k` for overwrite keys. */
  private readonly prefixBytes: Buffer;
  private readonly keyBytes: number;
  private readonly overwriteKeys: number | null;
  /** The block of unique keys `keyBlockId·1000 …` currently cut from (see `key`). */
  private keyBlockId = -1;
  private keyBlockAb: ArrayBufferLike | null = null;
  private keyBlockBase = 0;

  constructor(readonly spec: WorkloadSpec) {
    const parsed = parseWorkload(spec.workload);
    if (!parsed) throw new Error(`unknown workload '${spec.workload}'`);
    this.overwriteKeys = parsed.kind === 'overwrite' ? parsed.keys : null;
    this.pool = poolFor(spec.seed, spec.writer, OFFSET_SPAN + spec.valueBytes);
    this.poolAb = this.pool.buffer;
    this.poolBase = this.pool.byteOffset;
    this.valueBytes = spec.valueBytes;
    this.prefix = `w${String(spec.writer).padStart(3, '0')}-`;
    this.prefixBytes = Buffer.from(this.overwriteKeys === null ? this.prefix : `${this.prefix}k`, 'latin1');
    this.keyBytes = this.prefixBytes.length + KEY_DIGITS;
  }

  /**
   * Key of commit i (1-based): a fresh Buffer that is never reused for another key (engines may keep
   * it). Unique keys are views into a block of 1000 consecutive keys (one allocation, digits written
   * in bulk; an engine that keeps one key keeps its block's 17 kB alive); random access refills the
   * block, so the key stays a pure function of i.
   */
  key(i: number): Buffer {
    if (this.overwriteKeys === null && i >= 0 && i < 1e12) {
      const block = Math.floor(i / KEY_BLOCK);
      if (block !== this.keyBlockId) this.fillKeyBlock(block);
      return Buffer.from(this.keyBlockAb!, this.keyBlockBase + (i - block * KEY_BLOCK) * this.keyBytes, this.keyBytes);
    }
    return this.keyOf(this.overwriteKeys === null ? i : this.slot(i));
  }

  /** Keys block·1000 … block·1000 + 999: the first written digit by digit, copied, last 3 digits set. */
  private fillKeyBlock(block: number): void {
    const n = this.keyBytes;
    const b = Buffer.allocUnsafe(n * KEY_BLOCK);
    this.keyOf(block * KEY_BLOCK).copy(b, 0);
    for (let filled = n; filled < b.length; filled *= 2) b.copyWithin(filled, 0, Math.min(filled, b.length - filled));
    for (let s = 0, o = n - 3; s < KEY_BLOCK; s++, o += n) {
      const tens = (s / 10) | 0;
      const hundreds = (s / 100) | 0;
      b[o] = 48 + hundreds;
      b[o + 1] = 48 + tens - hundreds * 10;
      b[o + 2] = 48 + s - tens * 10;
    }
    this.keyBlockId = block;
    this.keyBlockAb = b.buffer;
    this.keyBlockBase = b.byteOffset;
  }

  /** The key bytes for key number n (the commit for unique keys, the slot for overwrite keys). */
  private keyOf(n: number): Buffer {
    const head = this.prefixBytes;
    const k = Buffer.allocUnsafe(this.keyBytes);
    for (let p = 0; p < head.length; p++) k[p] = head[p]!;
    let rest = n;
    for (let p = k.length - 1; p >= head.length; p--) {
      const q = rest < 0x7fffffff ? (rest / 10) | 0 : Math.floor(rest / 10);
      k[p] = 48 + rest - q * 10;
      rest = q;
    }
    return k;
  }

  /** For overwrite workloads: which of the K keys commit i writes. */
  slot(i: number): number {
    return this.overwriteKeys === null ? i : mix(this.spec.seed, this.spec.writer, i) % this.overwriteKeys;
  }

  /** Value of commit i (1-based). */
  value(i: number): Buffer {
    const off = (i * OFFSET_STRIDE) % OFFSET_SPAN;
    const slice = Buffer.from(this.poolAb, this.poolBase + off, this.valueBytes);
    if (this.overwriteKeys === null || this.valueBytes < 8) return slice;
    const v = Buffer.allocUnsafe(this.valueBytes);
    slice.copy(v);
    v.writeBigUInt64BE(BigInt(i), 0);
    return v;
  }

  /**
   * Which commit wrote this key/value pair, or null if no commit of this writer could have.
   * For `unique` the key names the commit; for `overwrite` the value's header does. The caller
   * still compares the whole value with `value(i)`.
   */
  commitOf(key: Buffer, value: Buffer): number | null {
    const k = key.toString('latin1');
    if (!k.startsWith(this.prefix)) return null;
    if (this.overwriteKeys === null) {
      const digits = k.slice(this.prefix.length);
      if (!/^\d+$/.test(digits)) return null;
      return Number(digits);
    }
    if (value.length < 8) return null;
    const i = Number(value.readBigUInt64BE(0));
    return this.key(i).equals(key) ? i : null;
  }
}
