import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { crc32c, crc32cBackend, jsCrc32c, NATIVE_MIN_BYTES, nativeCrc32c } from '../../engines/crc32c.js';

// Published check values: RFC 3720 appendix B.4 (iSCSI) and the "123456789" check of the CRC catalogue.
const CHECKS: [string, Buffer, number][] = [
  ['"123456789"', Buffer.from('123456789'), 0xe3069283],
  ['32 zero bytes', Buffer.alloc(32), 0x8a9136aa],
  ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['32 incrementing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['32 decrementing bytes', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
];

const impls: [string, (buf: Uint8Array, crc?: number, start?: number, end?: number) => number][] = [
  ['crc32c', crc32c],
  ['JavaScript', jsCrc32c],
  ...(nativeCrc32c ? [['native', nativeCrc32c] as [string, typeof crc32c]] : []),
];

for (const [name, f] of impls) {
  test(`${name} CRC-32C gives the published check values`, () => {
    for (const [what, buf, want] of CHECKS) assert.equal(f(buf), want, what);
  });
  test(`${name} CRC-32C can continue over split buffers and sub-ranges`, () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog, twice over '.repeat(20));
    const whole = f(data);
    for (const cut of [0, 1, 7, 8, 9, 20, 255, 256, 257, 600, data.length]) {
      assert.equal(f(data, f(data, 0, 0, cut), cut), whole, `cut at ${cut}`);
    }
  });
}

/** A deterministic pseudo-random buffer (xorshift32). */
function randomBytes(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

test('the native and JavaScript CRC-32C agree on random buffers, offsets and continuations', { skip: nativeCrc32c ? false : `no native backend here (${crc32cBackend.kind === 'js' ? crc32cBackend.reason : ''})` }, () => {
  const native = nativeCrc32c!;
  // A shared backing store with odd offsets: the native call receives views, not whole buffers.
  const pool = randomBytes(70_000, 0x5eed);
  let x = 12345;
  const next = (mod: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % mod;
  };
  for (let k = 0; k < 3000; k++) {
    const len = k < 600 ? k : next(9000);
    const start = next(60_000);
    const seed = k % 3 === 0 ? 0 : next(0xffffffff);
    const view = pool.subarray(start, start + len);
    assert.equal(native(view, seed), jsCrc32c(view, seed), `len ${len} at ${start}, seed ${seed}`);
    assert.equal(native(pool, seed, start, start + len), jsCrc32c(pool, seed, start, start + len));
    assert.equal(crc32c(pool, seed, start, start + len), jsCrc32c(pool, seed, start, start + len));
  }
});

test('crc32c dispatches ranges of at least NATIVE_MIN_BYTES to the native backend, shorter ones to JavaScript', () => {
  assert.ok(NATIVE_MIN_BYTES >= 64 && NATIVE_MIN_BYTES <= 4096);
  const buf = randomBytes(NATIVE_MIN_BYTES * 2, 7);
  for (const n of [0, 1, NATIVE_MIN_BYTES - 1, NATIVE_MIN_BYTES, NATIVE_MIN_BYTES + 1, 2 * NATIVE_MIN_BYTES]) {
    assert.equal(crc32c(buf, 0, 0, n), jsCrc32c(buf, 0, 0, n), `${n} bytes`);
  }
});

test('the backend is reported, and DURABENCH_CRC32C=js forces the JavaScript one with the reason', () => {
  if (crc32cBackend.kind === 'native') assert.match(crc32cBackend.package, /^@node-rs\/crc32@\d+\.\d+\.\d+$/);
  else assert.ok(crc32cBackend.reason.length > 0);
  const mod = pathToFileURL(fileURLToPath(new URL('../../engines/crc32c.js', import.meta.url))).href;
  const script = `const m = await import(${JSON.stringify(mod)}); process.stdout.write(JSON.stringify([m.crc32cBackend, m.nativeCrc32c === null, m.crc32c(Buffer.alloc(4096, 1))]))`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, DURABENCH_CRC32C: 'js' }, encoding: 'utf8' });
  const [backend, noNative, value] = JSON.parse(out) as [{ kind: string; reason: string }, boolean, number];
  assert.deepEqual(backend, { kind: 'js', reason: 'DURABENCH_CRC32C=js' });
  assert.equal(noNative, true);
  assert.equal(value, jsCrc32c(Buffer.alloc(4096, 1)));
});
