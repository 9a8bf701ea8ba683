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

/** `1 case`, `6 cases`, `1 trial`, `2 matches` (`pluralWord` for irregular plurals). */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : pluralWord}`;
}

/** A duration as fio prints its ETA: `00m:05s`, `12m:30s`, `1h:02m:03s`. */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--m:--s';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}h:${mm}m:${ss}s` : `${mm}m:${ss}s`;
}

/** A duration for a closing line: `850 ms`, `8.4 s`, `2 min 05 s`, `1 h 02 min`. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${sig(ms / 1000)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * Whether the locale's character set is UTF-8 (`LC_ALL`, else `LC_CTYPE`, else `LANG`, as
 * setlocale(3) resolves them). Unset or `C`/`POSIX`: ASCII.
 */
export function localeIsUtf8(env: Readonly<Record<string, string | undefined>>): boolean {
  const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  return /utf-?8/i.test(locale);
}

const ASCII: readonly [RegExp, string][] = [
  [/µ/g, 'u'],
  [/[─━]/g, '-'],
  [/[│┃]/g, '|'],
  [/[—–]/g, '-'],
  [/≤/g, '<='],
  [/≥/g, '>='],
  [/≈/g, '~'],
  [/±/g, '+/-'],
  [/×/g, 'x'],
  [/…/g, '...'],
  [/→/g, '->'],
  [/←/g, '<-'],
  [/[█▓▒]/g, '#'],
  [/░/g, '.'],
  [/\u00a0/g, ' '],
  [/✅/g, '[ok]'],
  [/❌/g, '[X]'],
  [/⚠️?/g, '[!]'],
  [/〰️?/g, '~'],
  [/·/g, '-'],
  [/\ufe0f/g, ''],
  [/[“”]/g, '"'],
  [/[‘’]/g, "'"],
];

/** Text for a terminal whose locale is not UTF-8: the characters durabench prints, spelled in ASCII. */
export function asciiText(text: string): string {
  let out = text;
  for (const [re, to] of ASCII) out = out.replace(re, to);
  // Anything else outside ASCII (a user's engine name, a path) becomes '?', as iconv//TRANSLIT does.
  return out.replace(/[^\x00-\x7f]/g, '?');
}
