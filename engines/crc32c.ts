/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of every record, page and
 * SSTable block the built-in engines write. Check value: crc32c("123456789") = 0xE3069283
 * (RFC 3720 appendix B.4).
 *
 * Two implementations with the same results:
 * - native: `@node-rs/crc32` (an optional dependency; prebuilt SIMD binaries from the npm registry,
 *   no compiler at install), about 3.5 GB/s on this project's VM against 0.65 GB/s for the table;
 * - JavaScript slicing-by-8, the fallback when the native package is missing or refused, and for short
 *   ranges: one call into the native module costs about 150 ns, which the table loop (≈ 1.6 ns/byte)
 *   beats below a few hundred bytes (measured: README, Benchmarks; scripts/bench-crc32c).
 *
 * `DURABENCH_CRC32C=js` forces the fallback (tests, comparisons); every report says which one ran
 * (`tool.crc32c` in its provenance).
 */
import { createRequire } from 'node:module';

/** Which implementation computes checksums in this process. */
export type Crc32cBackend =
  | { readonly kind: 'native'; readonly package: string }
  | { readonly kind: 'js'; readonly reason: string };

/** Ranges at least this long go to the native implementation; shorter ones stay in JavaScript. */
export const NATIVE_MIN_BYTES = 256;

const NATIVE_PACKAGE = '@node-rs/crc32';
const CHECK_INPUT = '123456789';
const CHECK_VALUE = 0xe3069283;

const POLY = 0x82f63b78;
const T = new Uint32Array(8 * 256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  T[n] = c >>> 0;
}
for (let n = 0; n < 256; n++) {
  for (let s = 1; s < 8; s++) T[s * 256 + n] = (T[(s - 1) * 256 + n]! >>> 8) ^ T[T[(s - 1) * 256 + n]! & 0xff]!;
}

/** The JavaScript implementation (slicing-by-8): CRC-32C of `buf[start, end)`, continuing from `crc`. */
export function jsCrc32c(buf: Uint8Array, crc = 0, start = 0, end = buf.length): number {
  let c = ~crc >>> 0;
  let i = start;
  while (end - i >= 8) {
    const a = (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)) ^ c;
    c =
      T[7 * 256 + (a & 0xff)]! ^
      T[6 * 256 + ((a >>> 8) & 0xff)]! ^
      T[5 * 256 + ((a >>> 16) & 0xff)]! ^
      T[4 * 256 + (a >>> 24)]! ^
      T[3 * 256 + buf[i + 4]!]! ^
      T[2 * 256 + buf[i + 5]!]! ^
      T[256 + buf[i + 6]!]! ^
      T[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = (c >>> 8) ^ T[(c ^ buf[i++]!) & 0xff]!;
  return ~c >>> 0;
}

type NativeFn = (input: Uint8Array, initialState?: number) => number;

function loadNative(): { fn: NativeFn | null; backend: Crc32cBackend } {
  const asked = process.env['DURABENCH_CRC32C'];
  if (asked === 'js') return { fn: null, backend: { kind: 'js', reason: 'DURABENCH_CRC32C=js' } };
  let fn: NativeFn;
  let version = '';
  try {
    const require = createRequire(import.meta.url);
    fn = (require(NATIVE_PACKAGE) as { crc32c: NativeFn }).crc32c;
    try {
      version = (require(`${NATIVE_PACKAGE}/package.json`) as { version: string }).version;
    } catch {
      version = '';
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    const why = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' ? 'is not installed' : `failed to load (${(err as Error)?.message ?? String(err)})`;
    return { fn: null, backend: { kind: 'js', reason: `${NATIVE_PACKAGE} ${why} (an optional dependency; npm install adds it where a prebuilt binary exists)` } };
  }
  // Never trust a binary blindly: it must give the published check value, whole and continued.
  const whole = fn(Buffer.from(CHECK_INPUT, 'latin1'));
  const split = fn(Buffer.from(CHECK_INPUT.slice(4), 'latin1'), fn(Buffer.from(CHECK_INPUT.slice(0, 4), 'latin1')));
  if (whole !== CHECK_VALUE || split !== CHECK_VALUE) {
    return { fn: null, backend: { kind: 'js', reason: `${NATIVE_PACKAGE} gave 0x${whole.toString(16)} for the check value 0x${CHECK_VALUE.toString(16)}: not used` } };
  }
  return { fn, backend: { kind: 'native', package: version ? `${NATIVE_PACKAGE}@${version}` : NATIVE_PACKAGE } };
}

const loaded = loadNative();
const native: NativeFn | null = loaded.fn;

/** The backend this process uses (for the report's provenance). */
export const crc32cBackend: Crc32cBackend = loaded.backend;

/** The native implementation, when loaded (tests compare it with `jsCrc32c`); null otherwise. */
export const nativeCrc32c: ((buf: Uint8Array, crc?: number, start?: number, end?: number) => number) | null =
  native === null
    ? null
    : (buf, crc = 0, start = 0, end = buf.length) =>
        native(start === 0 && end === buf.length ? buf : new Uint8Array(buf.buffer, buf.byteOffset + start, end - start), crc);

/** CRC-32C of `buf[start, end)`, continuing from `crc` (0 to start). */
export function crc32c(buf: Uint8Array, crc = 0, start = 0, end = buf.length): number {
  if (native !== null && end - start >= NATIVE_MIN_BYTES) {
    return native(start === 0 && end === buf.length ? buf : new Uint8Array(buf.buffer, buf.byteOffset + start, end - start), crc);
  }
  return jsCrc32c(buf, crc, start, end);
}
