/**
 * Size-tiered compaction (the Cassandra STCS idea, bucket_low 0.5 / bucket_high 1.5): tables of
 * similar size are merged into one. Here a tier must be a run of *adjacent* tables in the newest-first
 * list, so the merged table can take the run's place and "newest first" stays a total order without
 * per-entry sequence numbers. Flushes make equal-sized tables and a merge makes a bigger, older one,
 * so tiers form runs naturally.
 */

/** Bounds of a tier relative to its mean size. */
const BUCKET_LOW = 0.5;
const BUCKET_HIGH = 1.5;

/** The first run [start, end) of ≥ minTables adjacent tables of similar size (at most maxTables), or null. */
export function pickRun(sizes: readonly number[], minTables: number, maxTables = 32): { start: number; end: number } | null {
  for (let start = 0; start + minTables <= sizes.length; start++) {
    let sum = sizes[start]!;
    let end = start + 1;
    while (end < sizes.length && end - start < maxTables) {
      const mean = sum / (end - start);
      const s = sizes[end]!;
      if (s < mean * BUCKET_LOW || s > mean * BUCKET_HIGH) break;
      sum += s;
      end += 1;
    }
    if (end - start >= minTables) return { start, end };
  }
  return null;
}

/**
 * Merge sorted entry streams given newest first: ascending keys, and for a key present in several
 * streams only the newest stream's value.
 */
export function* mergeNewestFirst(streams: readonly Iterator<[Buffer, Buffer]>[]): Generator<[Buffer, Buffer]> {
  const heads: ([Buffer, Buffer] | null)[] = streams.map((s) => {
    const r = s.next();
    return r.done ? null : r.value;
  });
  const advance = (i: number): void => {
    const r = streams[i]!.next();
    heads[i] = r.done ? null : r.value;
  };
  for (;;) {
    // k is small (a tier): a linear scan for the smallest key beats a heap here.
    let min = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (min < 0 || Buffer.compare(h[0], heads[min]![0]) < 0)) min = i;
    }
    if (min < 0) return;
    const entry = heads[min]!;
    yield entry;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && h[0].equals(entry[0])) advance(i);
    }
  }
}
