/**
 * The one place that touches hdr-histogram-js (its repository is quiet; keep its surface small).
 *
 * Workers record integer nanoseconds (or counts) into 64-bit WebAssembly histograms (through a staging
 * table, ≈ 3 ns per record; `HistogramRecorder`), send
 * them as compressed base64 (the standard HDR V2 encoding, readable by other HDR ports; written and
 * read with Node's zlib by stats/hdr-codec.ts), and the
 * coordinator decodes them into JS histograms and adds them: the merge is exact, bucket by bucket.
 * HDR keeps no true minimum and rounds the maximum to its bucket, so recorders also keep the exact
 * minimum and maximum beside the histogram.
 */
import * as hdr from 'hdr-histogram-js';
import type { EncodedHistogram } from '../model/latency.js';
import { compressV2, decompressV2, encodeV2, type CountsArray } from './hdr-codec.js';

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

/** The compressed V2 base64 encoding (stats/hdr-codec.ts: native zlib, what every HDR port reads). */
export function encodeHistogram(h: Histogram): string {
  return compressV2(h instanceof hdr.WasmHistogram ? encodeRaw(h) : encodeV2(h as unknown as CountsArray));
}

/** A compressed V2 base64 encoding, decoded into a JS histogram. */
export function decodeHistogram(encoded: string): Histogram {
  return JsDecoder.decode(decompressV2(encoded), 64);
}

/**
 * Staging table laid out exactly like the HDR buckets of a histogram with 3 significant digits and a
 * lowest discernible value of 1 (sub-bucket count 2048, half-count magnitude 10): a value v < 2048 has
 * index v; a value in [2^k, 2^(k+1)), k ≥ 11, is in bucket b = k − 10 at sub-bucket v >>> b, index
 * b·1024 + (v >>> b) (HdrHistogram's countsArrayIndex). Each index is one HDR bucket, so flushing
 * (lowest value of the bucket, its count) yields the very histogram direct recording yields: same
 * counts, same encoding (test/unit/hdr-merge.test.ts compares them byte for byte). Recording is an
 * array increment (≈ 3 ns) where a WebAssembly `recordValue` call costs 20–30 ns, and it happens once
 * per commit; values outside [0, 2^32) are recorded directly.
 */
const STAGE_SIZE = 23 * 1024;

function stageIndex(v: number): number {
  if (v < 2048) return v;
  const b = 21 - Math.clz32(v);
  return (b << 10) + (v >>> b);
}

function stageValue(idx: number): number {
  if (idx < 2048) return idx;
  const b = (idx >> 10) - 1;
  return (idx - (b << 10)) * 2 ** b;
}

/**
 * Records values into a histogram and keeps their exact minimum and maximum. `unit` says what the
 * values are: `ns` for latencies, `count` for counts (commits per sync): the two never mix.
 * Integer values below 2^32 are staged (see above) and flushed into the histogram whenever it is read.
 */
export class HistogramRecorder<U extends 'ns' | 'count'> {
  private readonly h: Histogram = createHistogram();
  /** Counts per HDR bucket not yet in `h`; allocated on the first record. */
  private stage: Float64Array | null = null;
  /** The staged index range [stageLo, stageHi]; empty when stageHi < stageLo. */
  private stageLo = STAGE_SIZE;
  private stageHi = -1;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;

  constructor(readonly unit: U) {}

  /** The HDR histogram, with every staged value flushed into it. */
  get histogram(): Histogram {
    if (this.stageHi >= 0) this.flush();
    return this.h;
  }

  private flush(): void {
    recordBuckets(this.h, this.takeStaged());
  }

  record(value: number): void {
    if (value >>> 0 === value) {
      let t = this.stage;
      if (t === null) t = this.stage = new Float64Array(STAGE_SIZE);
      const idx = stageIndex(value);
      t[idx]! += 1;
      if (idx < this.stageLo) this.stageLo = idx;
      if (idx > this.stageHi) this.stageHi = idx;
    } else {
      this.h.recordValue(value);
    }
    this.count += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Record `count` occurrences of one value in one call. */
  recordCount(value: number, count: number): void {
    if (count <= 0) return;
    this.h.recordValueWithCount(value, count);
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
    const { index, count } = s.buckets;
    if (index.length > 0) {
      let t = this.stage;
      if (t === null) t = this.stage = new Float64Array(STAGE_SIZE);
      for (let k = 0; k < index.length; k++) t[index[k]!]! += count[k]!;
      if (index[0]! < this.stageLo) this.stageLo = index[0]!;
      if (index[index.length - 1]! > this.stageHi) this.stageHi = index[index.length - 1]!;
    }
    if (s.bytes.length > 0) {
      const h = hdr.WasmHistogram.decode(s.bytes, 64);
      this.h.add(h);
      h.destroy();
    }
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
   * A snapshot of what was recorded, then reset, cheap enough for the measurement loop to close a
   * timeline interval between two commits: the staged values as their nonzero HDR buckets (a
   * walk over the staged index range, no histogram touched), and only values recorded into the
   * histogram directly (outside [0, 2^32): rare) in the uncompressed V2 encoding. Building and
   * compressing histograms waits until the measurement is over (`compressSnapshot`).
   */
  snapshotAndReset(): RawSnapshot<U> {
    if (this.count === 0) return emptySnapshot(this.unit);
    const direct = this.h.totalCount > 0;
    const out: RawSnapshot<U> = { unit: this.unit, buckets: this.takeStaged(), bytes: direct ? encodeRaw(this.h) : EMPTY, count: this.count, min: this.min, max: this.max };
    if (direct) this.h.reset();
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
    return out;
  }

  /** The staged buckets (ascending index) with their counts; the staging table is left empty. */
  private takeStaged(): StagedBuckets {
    const t = this.stage;
    if (t === null || this.stageHi < this.stageLo) return NO_BUCKETS;
    let n = 0;
    for (let i = this.stageLo; i <= this.stageHi; i++) if (t[i] !== 0) n += 1;
    const index = new Uint32Array(n);
    const count = new Float64Array(n);
    for (let i = this.stageLo, k = 0; i <= this.stageHi; i++) {
      const c = t[i]!;
      if (c !== 0) {
        index[k] = i;
        count[k++] = c;
        t[i] = 0;
      }
    }
    this.stageLo = STAGE_SIZE;
    this.stageHi = -1;
    return { index, count };
  }

  encode(): EncodedHistogram & { readonly unit: U } {
    return {
      unit: this.unit,
      histogram: encodeHistogram(this.histogram),
      count: this.count,
      min: this.count === 0 ? 0 : this.min,
      max: this.max,
    };
  }

  reset(): void {
    if (this.stageHi >= 0) this.stage!.fill(0, this.stageLo, this.stageHi + 1);
    this.stageLo = STAGE_SIZE;
    this.stageHi = -1;
    this.h.reset();
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
  }

  destroy(): void {
    this.h.destroy();
    this.stage = null;
  }
}

/** Nonzero HDR buckets of a staging table: bucket index (ascending) and its count. */
export interface StagedBuckets {
  readonly index: Uint32Array;
  readonly count: Float64Array;
}

/**
 * What a recorder held, with the exact extremes: staged values as HDR buckets, values recorded
 * directly as an uncompressed HDR V2 encoding (empty when there were none).
 */
export interface RawSnapshot<U extends 'ns' | 'count' = 'ns'> {
  readonly unit: U;
  readonly buckets: StagedBuckets;
  readonly bytes: Uint8Array;
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

const EMPTY = new Uint8Array(0);
const NO_BUCKETS: StagedBuckets = { index: new Uint32Array(0), count: new Float64Array(0) };

/** A snapshot of nothing. */
export function emptySnapshot<U extends 'ns' | 'count'>(unit: U): RawSnapshot<U> {
  return { unit, buckets: NO_BUCKETS, bytes: EMPTY, count: 0, min: 0, max: 0 };
}

/** Record staged buckets into a histogram: each bucket's lowest value, with its count. */
function recordBuckets(h: Histogram, { index, count }: StagedBuckets): void {
  for (let k = 0; k < index.length; k++) h.recordValueWithCount(stageValue(index[k]!), count[k]!);
}

/** Two bucket lists added (both ascending by index; the result is too). */
function addBuckets(a: StagedBuckets, b: StagedBuckets): StagedBuckets {
  if (b.index.length === 0) return a;
  if (a.index.length === 0) return b;
  const index = new Uint32Array(a.index.length + b.index.length);
  const count = new Float64Array(index.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.index.length || j < b.index.length) {
    const ai = i < a.index.length ? a.index[i]! : STAGE_SIZE;
    const bj = j < b.index.length ? b.index[j]! : STAGE_SIZE;
    if (ai === bj) {
      index[k] = ai;
      count[k++] = a.count[i++]! + b.count[j++]!;
    } else if (ai < bj) {
      index[k] = ai;
      count[k++] = a.count[i++]!;
    } else {
      index[k] = bj;
      count[k++] = b.count[j++]!;
    }
  }
  return { index: index.subarray(0, k), count: count.subarray(0, k) };
}

/** hdr-histogram-js has these at run time (V2 encoding without deflate); its type declarations omit them. */
type RawEncodable = { encode(): Uint8Array };
const JsDecoder = hdr.JsHistogram as unknown as { decode(data: Uint8Array, bitBucketSize: 64): Histogram };

function encodeRaw(h: Histogram): Uint8Array {
  return (h as unknown as RawEncodable).encode();
}

/**
 * A raw snapshot in the stored form (compressed base64): the histogram a recorder holding it would
 * encode, built as a plain JS histogram (no WebAssembly memory to allocate and free per interval).
 */
export function compressSnapshot<U extends 'ns' | 'count'>(s: RawSnapshot<U>): EncodedHistogram & { readonly unit: U } {
  const h = createJsHistogram();
  recordBuckets(h, s.buckets);
  if (s.bytes.length > 0) h.add(JsDecoder.decode(s.bytes, 64));
  return { unit: s.unit, histogram: encodeHistogram(h), count: s.count, min: s.min, max: s.max };
}

/** Several raw snapshots added into one (exact: bucket counts add). */
export function mergeSnapshots<U extends 'ns' | 'count'>(parts: readonly RawSnapshot<U>[], unit: U): RawSnapshot<U> {
  const present = parts.filter((p) => p.count > 0);
  if (present.length === 0) return emptySnapshot(unit);
  if (present.length === 1) return present[0]!;
  let buckets = NO_BUCKETS;
  for (const p of present) buckets = addBuckets(buckets, p.buckets);
  return {
    unit,
    buckets,
    bytes: mergeDirect(present.map((p) => p.bytes).filter((b) => b.length > 0)),
    count: present.reduce((a, p) => a + p.count, 0),
    min: Math.min(...present.map((p) => p.min)),
    max: Math.max(...present.map((p) => p.max)),
  };
}

/** Raw encodings of directly recorded values added into one (raw encoding exists for WebAssembly histograms only). */
function mergeDirect(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length <= 1) return parts[0] ?? EMPTY;
  const total = createHistogram();
  for (const bytes of parts) {
    const h = hdr.WasmHistogram.decode(bytes, 64);
    total.add(h);
    h.destroy();
  }
  const out = encodeRaw(total);
  total.destroy();
  return out;
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

/** Mean, standard deviation and values at percentiles of a histogram (see `histogramStats`). */
export interface HistogramStats {
  readonly mean: number;
  readonly stdDeviation: number;
  /** The value at each requested percentile, in the order asked. */
  readonly valuesAtPercentiles: number[];
}

/** Smallest gap between doubles around x (hdr-histogram-js's own `ulp`). */
const ulp = (x: number): number => Math.pow(2, Math.floor(Math.log2(x)) - 52);

/**
 * Exactly what hdr-histogram-js's `mean`, `stdDeviation` and `getValueAtPercentile(p)` return (each
 * bucket counts at its median equivalent value; a percentile is the highest equivalent value of the
 * bucket where the running count reaches ⌈p/100 · total⌉, the library's rounding included), from one
 * walk over the buckets. The library walks all of them once per statistic, through an iterator that
 * allocates per step: for the ~25 statistics of a case summary that was most of a case's overhead
 * (test/unit/hdr-merge.test.ts checks the results are identical).
 */
export function histogramStats(h: Histogram, percentiles: readonly number[]): HistogramStats {
  const total = h.totalCount;
  if (total === 0) return { mean: 0, stdDeviation: 0, valuesAtPercentiles: percentiles.map(() => 0) };
  const j = h as unknown as CountsArray & {
    valueFromIndex(i: number): number;
    lowestEquivalentValue(v: number): number;
    highestEquivalentValue(v: number): number;
    medianEquivalentValue(v: number): number;
  };
  const wanted = percentiles.map((p, at) => {
    const fp = (Math.min(p, 100) / 100) * total;
    return { at, p, count: Math.max(Math.ceil(fp - ulp(fp)), 1) };
  });
  const order = [...wanted].sort((a, b) => a.count - b.count);
  const valuesAtPercentiles = percentiles.map(() => 0);
  let next = 0;
  const medians: number[] = [];
  const counts: number[] = [];
  let running = 0;
  let sum = 0;
  const n = j.countsArrayLength;
  for (let i = 0; i < n; i++) {
    const c = j.getCountAtIndex(i);
    if (c === 0) continue;
    running += c;
    const value = j.valueFromIndex(i);
    while (next < order.length && running >= order[next]!.count) {
      const w = order[next++]!;
      valuesAtPercentiles[w.at] = w.p === 0 ? j.lowestEquivalentValue(value) : j.highestEquivalentValue(value);
    }
    // The library's recorded-values iterator reports each bucket at its highest equivalent value.
    const median = j.medianEquivalentValue(j.highestEquivalentValue(value));
    medians.push(median);
    counts.push(c);
    sum += median * c;
  }
  const mean = sum / total;
  let dev = 0;
  for (let k = 0; k < medians.length; k++) {
    const d = medians[k]! - mean;
    dev += d * d * counts[k]!;
  }
  return { mean, stdDeviation: Math.sqrt(dev / total), valuesAtPercentiles };
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
