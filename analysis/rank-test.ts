/**
 * The Wilcoxon–Mann–Whitney rank-sum test (H. B. Mann and D. R. Whitney, "On a test of whether one
 * of two random variables is stochastically larger than the other", Ann. Math. Statist. 18, 1947;
 * E. L. Lehmann, *Nonparametrics: Statistical Methods Based on Ranks*, 1975, ch. 1): do the repeats
 * of one side tend to be larger than those of the other? It uses only the ranks of the pooled
 * values, so it assumes nothing about their distribution (skewed latencies, the odd slow run) and
 * gives the same answer on log values. Pure.
 *
 * The p-value is exact — the permutation distribution of the rank sum, with mid-ranks for ties,
 * counted by dynamic programming — up to 60 values in all; beyond that the normal approximation
 * with tie and continuity corrections (Lehmann §1.4). `minP` is the smallest p-value any
 * arrangement of these values could give: with 3 repeats on each side it is 0.1, so no result of
 * such a design can be significant at 0.05, and the caller says so instead of calling it noise.
 */

export interface RankTestResult {
  /** Two-sided p-value. */
  readonly p: number;
  /** The smallest two-sided p-value possible with these sample sizes and ties. */
  readonly minP: number;
  readonly n1: number;
  readonly n2: number;
  readonly method: 'exact' | 'normal';
}

/** Largest pooled sample for the exact distribution (C(60, 30) ≈ 1.2e17 arrangements, counted in floats). */
export const EXACT_MAX_N = 60;

/** Doubled mid-ranks (integers) of the pooled values, and the tie group sizes. */
function doubledMidRanks(pooled: readonly number[]): { ranks: number[]; ties: number[] } {
  const order = pooled.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(pooled.length);
  const ties: number[] = [];
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j += 1;
    // Ranks i+1 … j+1 share their mean (i + j + 2) / 2; doubled: i + j + 2.
    for (let t = i; t <= j; t++) ranks[order[t]![1]] = i + j + 2;
    ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

/** Complementary error function (W. H. Press et al., *Numerical Recipes*, 2nd ed., §6.2, erfcc: fractional error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function exact(ranks: readonly number[], n1: number): { p: (dev: number) => number; maxDev: number } {
  const N = ranks.length;
  const maxSum = ranks.reduce((a, r) => a + r, 0);
  // ways[j][s]: subsets of size j of the ranks seen so far with doubled rank sum s.
  let ways: Float64Array[] = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum + 1));
  ways[0]![0] = 1;
  for (const r of ranks) {
    const next = ways.map((row) => row.slice());
    for (let j = 0; j < n1; j++) {
      const from = ways[j]!;
      const to = next[j + 1]!;
      for (let s = 0; s + r <= maxSum; s++) if (from[s] !== 0) to[s + r]! += from[s]!;
    }
    ways = next;
  }
  const dist = ways[n1]!;
  // The expected doubled rank sum: 2 · n1(N + 1)/2.
  const centre = n1 * (N + 1);
  let total = 0;
  let maxDev = 0;
  for (let s = 0; s <= maxSum; s++) {
    if (dist[s] === 0) continue;
    total += dist[s]!;
    maxDev = Math.max(maxDev, Math.abs(s - centre));
  }
  return {
    maxDev,
    p: (dev: number) => {
      let tail = 0;
      for (let s = 0; s <= maxSum; s++) if (dist[s] !== 0 && Math.abs(s - centre) >= dev) tail += dist[s]!;
      return Math.min(1, tail / total);
    },
  };
}

/** Two-sided Mann–Whitney test of `x` against `y` (at least one value each). */
export function mannWhitney(x: readonly number[], y: readonly number[]): RankTestResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { p: 1, minP: 1, n1, n2, method: 'exact' };
  const { ranks, ties } = doubledMidRanks([...x, ...y]);
  const N = n1 + n2;
  const observed = ranks.slice(0, n1).reduce((a, r) => a + r, 0);
  const centre = n1 * (N + 1);
  const dev = Math.abs(observed - centre);
  if (N <= EXACT_MAX_N) {
    const e = exact(ranks, n1);
    return { p: e.p(dev), minP: e.p(e.maxDev), n1, n2, method: 'exact' };
  }
  // Normal approximation on the (undoubled) rank sum W: E = n1(N+1)/2,
  // Var = n1·n2/12 · ((N+1) − Σ(t³ − t) / (N(N − 1))).
  const tieTerm = ties.reduce((a, t) => a + t ** 3 - t, 0) / (N * (N - 1));
  const sd = Math.sqrt(((n1 * n2) / 12) * (N + 1 - tieTerm));
  // The most extreme rank sum these values allow: x holding the n1 largest (or smallest) ranks.
  const sorted = [...ranks].sort((a, b) => a - b);
  const extreme = Math.max(
    Math.abs(sorted.slice(N - n1).reduce((a, r) => a + r, 0) - centre),
    Math.abs(sorted.slice(0, n1).reduce((a, r) => a + r, 0) - centre),
  );
  const pOf = (d: number): number => (sd === 0 ? 1 : Math.min(1, erfc(Math.max(0, d / 2 - 0.5) / sd / Math.SQRT2)));
  return { p: pOf(dev), minP: pOf(extreme), n1, n2, method: 'normal' };
}
