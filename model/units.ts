/**
 * Units for people: durations from nanoseconds, rates, bytes, ratios, three significant digits.
 * Shared by every renderer, warning and message. Pure.
 */

/** Nanoseconds as a short human duration: 850 ns, 12.3 µs, 4.56 ms, 1.20 s. */
export function formatNs(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '—';
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${Math.round(ns)} ns`;
  if (abs < 1e6) return `${sig(ns / 1e3)} µs`;
  if (abs < 1e9) return `${sig(ns / 1e6)} ms`;
  return `${sig(ns / 1e9)} s`;
}

/** Three significant digits, without exponent notation. */
export function sig(x: number): string {
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** A rate with thousands separators (commits/s): 12,345 or 3.21 below 10. */
export function formatRate(perSec: number | null | undefined): string {
  if (perSec === null || perSec === undefined || !Number.isFinite(perSec)) return '—';
  if (perSec < 10) return sig(perSec);
  return Math.round(perSec).toLocaleString('en-US');
}

/** Bytes: 512 B, 4.00 KiB, 1.50 MiB, 2.00 GiB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${v} B` : `${sig(v)} ${units[u]}`;
}

/** A ratio such as 0.97× (two decimals), or — when undefined. */
export function formatRatio(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  return `${r.toFixed(2)}×`;
}
