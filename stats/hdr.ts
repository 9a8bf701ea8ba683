/**
 * The one place that touches hdr-histogram-js (its repository is quiet; keep its surface small).
 *
 * Workers record integer nanoseconds (or counts) into 64-bit WebAssembly histograms (≈20 ns per record), send
 * them as compressed base64 (the standard HDR V2 encoding, readable by other HDR ports), and the
 * coordinator decodes them into JS histograms and adds them: the merge is exact, bucket by bucket.
 * HDR keeps no true minimum and rounds the maximum to its bucket, so recorders also keep the exact
 * minimum and maximum beside the histogram.
 */
import * as hdr from 'hdr-histogram-js';
import type { EncodedHistogram } from '../model/latency.js';

export type Histogram = hdr.Histogram;

/** 3 significant digits: every percentile is exact to within 0.1 %. */
const SIGNIFICANT_DIGITS = 3;

let wasmReady = false;

/** Create a histogram for recording; WebAssembly-backed (initialised once per thread). */
export function createHistogram(): Histogram {
  if (!wasmReady) {
    hdr.initWebAssemblySync();
    wasmReady = true;
  }
  return hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: true,
  });
}

/** Create a plain JS histogram (for merging decoded histograms; no WebAssembly memory to free). */
export function createJsHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS });
}

export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

/**
 * Records values into a histogram and keeps their exact minimum and maximum. `unit` says what the
 * values are: `ns` for latencies, `count` for counts (commits per sync): the two never mix.
 */
export class HistogramRecorder<U extends 'ns' | 'count'> {
  readonly histogram: Histogram = createHistogram();
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;

  constructor(readonly unit: U) {}

  record(value: number): void {
    this.histogram.recordValue(value);
    this.count += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Record `count` occurrences of one value in one call. */
  recordCount(value: number, count: number): void {
    if (count <= 0) return;
    this.histogram.recordValueWithCount(value, count);
    this.count += count;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Add everything another recorder of this thread holds (bucket counts add; extremes combine). */
  add(other: HistogramRecorder<U>): void {
    if (other.count === 0) return;
    this.histogram.add(other.histogram);
    this.count += other.count;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  /** Add a raw snapshot (of this unit) taken from a recorder of any thread. */
  addSnapshot(s: RawSnapshot<U>): void {
    if (s.count === 0) return;
    const h = hdr.WasmHistogram.decode(s.bytes, 64);
    this.histogram.add(h);
    h.destroy();
    this.count += s.count;
    this.min = Math.min(this.min, s.min);
    this.max = Math.max(this.max, s.max);
  }

  /**
   * Encode this recorder minus a subset recorded separately (e.g. all commits minus those during a
   * phase). Bucket counts subtract exactly; the extremes of the difference come from its buckets.
   */
  encodeMinus(subset: HistogramRecorder<U>): EncodedHistogram & { readonly unit: U } {
    if (subset.count === 0) return this.encode();
    const diff = createHistogram();
    diff.add(this.histogram);
    diff.subtract(subset.histogram);
    const count = this.count - subset.count;
    const out = {
      unit: this.unit,
      histogram: encodeHistogram(diff),
      count,
      min: count === 0 ? 0 : diff.minNonZeroValue,
      max: count === 0 ? 0 : Math.min(diff.maxValue, this.max),
    };
    diff.destroy();
    return out;
  }

  /**
   * A snapshot in the uncompressed HDR V2 encoding, then reset: about a fifth of the cost of a
   * compressed encode (no deflate), so the measurement loop can close a timeline interval cheaply
   * and leave the compression for after the measurement (`compressSnapshot`).
   */
  snapshotAndReset(): RawSnapshot<U> {
    const out: RawSnapshot<U> = { unit: this.unit, bytes: this.count === 0 ? EMPTY : encodeRaw(this.histogram), count: this.count, min: this.count === 0 ? 0 : this.min, max: this.max };
    if (this.count > 0) this.reset();
    return out;
  }

  encode(): EncodedHistogram & { readonly unit: U } {
    return { unit: this.unit, histogram: encodeHistogram(this.histogram), count: this.count, min: this.count === 0 ? 0 : this.min, max: this.max };
  }

  reset(): void {
    this.histogram.reset();
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  destroy(): void {
    this.histogram.destroy();
  }
}

/** An uncompressed HDR V2 encoding with the exact extremes (an empty snapshot has no bytes). */
export interface RawSnapshot<U extends 'ns' | 'count' = 'ns'> {
  readonly unit: U;
  readonly bytes: Uint8Array;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

const EMPTY = new Uint8Array(0);

/** hdr-histogram-js has these at run time (V2 encoding without deflate); its type declarations omit them. */
type RawEncodable = { encode(): Uint8Array };
const JsDecoder = hdr.JsHistogram as unknown as { decode(data: Uint8Array, bitBucketSize: 64): Histogram };

function encodeRaw(h: Histogram): Uint8Array {
  return (h as unknown as RawEncodable).encode();
}

function decodeRaw(bytes: Uint8Array): Histogram {
  return JsDecoder.decode(bytes, 64);
}

/** A raw snapshot in the stored form (compressed base64). */
export function compressSnapshot<U extends 'ns' | 'count'>(s: RawSnapshot<U>): EncodedHistogram & { readonly unit: U } {
  const h = s.count === 0 ? createJsHistogram() : decodeRaw(s.bytes);
  return { unit: s.unit, histogram: encodeHistogram(h), count: s.count, min: s.min, max: s.max };
}

/** Several raw snapshots added into one (exact: bucket counts add). */
export function mergeSnapshots<U extends 'ns' | 'count'>(parts: readonly RawSnapshot<U>[], unit: U): RawSnapshot<U> {
  const present = parts.filter((p) => p.count > 0);
  if (present.length === 0) return { unit, bytes: EMPTY, count: 0, min: 0, max: 0 };
  if (present.length === 1) return present[0]!;
  // Raw encoding exists for WebAssembly histograms only: merge there, free the memory after.
  const total = createHistogram();
  for (const p of present) {
    const h = hdr.WasmHistogram.decode(p.bytes, 64);
    total.add(h);
    h.destroy();
  }
  const bytes = encodeRaw(total);
  total.destroy();
  return {
    unit,
    bytes,
    count: present.reduce((a, p) => a + p.count, 0),
    min: Math.min(...present.map((p) => p.min)),
    max: Math.max(...present.map((p) => p.max)),
  };
}

/** Latencies in nanoseconds. */
export class LatencyRecorder extends HistogramRecorder<'ns'> {
  constructor() {
    super('ns');
  }
}

/** Counts (how many commits one sync covered). */
export class CountRecorder extends HistogramRecorder<'count'> {
  constructor() {
    super('count');
  }
}

/** Merged view of several encoded histograms of one unit: a decoded JS histogram with exact extremes. */
export interface MergedHistogram {
  readonly histogram: Histogram;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

/** Merge encoded histograms of one unit exactly (bucket counts add; min of mins, max of maxes). */
export function mergeEncoded<U extends 'ns' | 'count'>(parts: readonly (EncodedHistogram & { readonly unit: U })[]): MergedHistogram {
  // The first part's decoded histogram is the sum to add into: growing an empty auto-resizing
  // histogram part by part costs several times the decoding itself.
  let total: Histogram | null = null;
  let count = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const p of parts) {
    if (p.count === 0) continue;
    const h = decodeHistogram(p.histogram);
    if (total === null) {
      total = h;
      // Decoded histograms are fixed-range; the sum must grow to fit the others.
      total.autoResize = true;
    } else total.add(h);
    count += p.count;
    min = Math.min(min, p.min);
    max = Math.max(max, p.max);
  }
  return { histogram: total ?? createJsHistogram(), count, min: count === 0 ? 0 : min, max };
}
