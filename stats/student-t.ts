/**
 * Student's t quantile for a two-sided 95 % interval of a mean (the margin of error tinybench and
 * benchmark.js report as rme). Pure.
 */

/** t(0.975, df) for df = 1..30 (standard tables, e.g. NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093,
  2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  // Beyond the table, 1.96 + 2.5/df is within 0.002 of the exact quantile.
  return T975[df - 1] ?? 1.96 + 2.5 / df;
}
