/**
 * The one place that touches hdr-histogram-js (its repository is quiet; keep its surface small).
 *
 * Workers record integer nanoseconds into 64-bit WebAssembly histograms (≈20 ns per record), send
 * them as compressed base64 (the standard HDR V2 encoding, readable by other HDR ports), and the
 * coordinator decodes them into JS histograms and adds them: the merge is exact, bucket by bucket.
 * HDR keeps no true minimum and rounds the maximum to its bucket, so recorders also keep the exact
 * minimum and maximum beside the histogram.
 */
import * as hdr from 'hdr-histogram-js';

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

/** A histogram in transit or at rest: encoded buckets plus the exact extremes HDR cannot keep. */
export interface EncodedLatency {
  /** Compressed base64 HDR V2 histogram of values in nanoseconds. */
  readonly histogram: string;
  readonly count: number;
  /** Exact smallest recorded value (0 when count is 0). */
  readonly minNs: number;
  /** Exact largest recorded value (0 when count is 0). */
  readonly maxNs: number;
}

/** Records values into a histogram and keeps their exact minimum and maximum. */
export class LatencyRecorder {
  readonly histogram: Histogram = createHistogram();
  count = 0;
  minNs = Number.POSITIVE_INFINITY;
  maxNs = 0;

  record(valueNs: number): void {
    this.histogram.recordValue(valueNs);
    this.count += 1;
    if (valueNs < this.minNs) this.minNs = valueNs;
    if (valueNs > this.maxNs) this.maxNs = valueNs;
  }

  /** Record `count` occurrences of one value in one call. */
  recordCount(valueNs: number, count: number): void {
    if (count <= 0) return;
    this.histogram.recordValueWithCount(valueNs, count);
    this.count += count;
    if (valueNs < this.minNs) this.minNs = valueNs;
    if (valueNs > this.maxNs) this.maxNs = valueNs;
  }

  /** Add everything another recorder of this thread holds (bucket counts add; extremes combine). */
  add(other: LatencyRecorder): void {
    if (other.count === 0) return;
    this.histogram.add(other.histogram);
    this.count += other.count;
    this.minNs = Math.min(this.minNs, other.minNs);
    this.maxNs = Math.max(this.maxNs, other.maxNs);
  }

  /**
   * Encode this recorder minus a subset recorded separately (e.g. all commits minus those during a
   * phase). Bucket counts subtract exactly; the extremes of the difference come from its buckets.
   */
  encodeMinus(subset: LatencyRecorder): EncodedLatency {
    if (subset.count === 0) return this.encode();
    const diff = createHistogram();
    diff.add(this.histogram);
    diff.subtract(subset.histogram);
    const count = this.count - subset.count;
    const out = {
      histogram: encodeHistogram(diff),
      count,
      minNs: count === 0 ? 0 : diff.minNonZeroValue,
      maxNs: count === 0 ? 0 : Math.min(diff.maxValue, this.maxNs),
    };
    diff.destroy();
    return out;
  }

  encode(): EncodedLatency {
    return {
      histogram: encodeHistogram(this.histogram),
      count: this.count,
      minNs: this.count === 0 ? 0 : this.minNs,
      maxNs: this.maxNs,
    };
  }

  reset(): void {
    this.histogram.reset();
    this.count = 0;
    this.minNs = Number.POSITIVE_INFINITY;
    this.maxNs = 0;
  }

  destroy(): void {
    this.histogram.destroy();
  }
}

/** Merged view of several encoded latencies: a decoded JS histogram with exact extremes. */
export interface MergedLatency {
  readonly histogram: Histogram;
  readonly count: number;
  readonly minNs: number;
  readonly maxNs: number;
}

/** Merge encoded latencies exactly (bucket counts add; min of mins, max of maxes). */
export function mergeLatencies(parts: readonly EncodedLatency[]): MergedLatency {
  const total = createJsHistogram();
  let count = 0;
  let minNs = Number.POSITIVE_INFINITY;
  let maxNs = 0;
  for (const p of parts) {
    if (p.count === 0) continue;
    total.add(decodeHistogram(p.histogram));
    count += p.count;
    minNs = Math.min(minNs, p.minNs);
    maxNs = Math.max(maxNs, p.maxNs);
  }
  return { histogram: total, count, minNs: count === 0 ? 0 : minNs, maxNs };
}

/** Re-encode a merged latency for storage in a report. */
export function encodeMerged(m: MergedLatency): EncodedLatency {
  return { histogram: encodeHistogram(m.histogram), count: m.count, minNs: m.minNs, maxNs: m.maxNs };
}
