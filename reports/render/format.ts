/**
 * Number formatting shared by every text renderer. Pure.
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

/** Lay out rows as an aligned plain-text table (first row is the header). Right-aligns numbers. */
export function textTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  const numeric = (c: string): boolean => /^[-+]?[\d.,]+\s*(ns|µs|ms|s|×|%|B|KiB|MiB|GiB)?$/.test(c) || c === '—';
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (numeric(c) && rows.indexOf(r) > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head!), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** A Markdown table (first row is the header). Cells are escaped for pipes. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  const [head, ...body] = rows;
  return [
    `| ${head!.map(esc).join(' | ')} |`,
    `| ${head!.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** Short display name of an engine (a user module path shows as its file name). */
export function engineLabel(name: string): string {
  return name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
}
