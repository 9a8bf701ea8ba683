/** Histograms as plain data, for tests that compare two of them bucket by bucket. */
import type { Histogram } from '../../stats/hdr.js';

/** Every nonzero bucket of a hdr-histogram-js histogram, as [lowest value in the bucket, count], ascending. */
export function histogramBuckets(h: Histogram): [number, number][] {
  const x = h as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number; valueFromIndex(i: number): number };
  const out: [number, number][] = [];
  for (let i = 0; i < x.countsArrayLength; i++) if (x.getCountAtIndex(i) !== 0) out.push([x.valueFromIndex(i), x.getCountAtIndex(i)]);
  return out;
}
