/**
 * stats/hdr-codec.ts against hdr-histogram-js's own encoder and decoder (the reference, and what
 * reports written before the codec hold): the uncompressed V2 bytes are the same byte for byte, each
 * side decodes what the other encodes, every histogram in the shipped fixtures decodes to the same
 * buckets, and damaged input throws instead of decoding to something.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { compressV2, decompressV2, encodeV2, type CountsArray } from '../../stats/hdr-codec.js';
import { createHistogram, createJsHistogram, decodeHistogram, encodeHistogram, type Histogram } from '../../stats/hdr.js';
import { repoRoot } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
/** hdr-histogram-js's `decompress`: the uncompressed V2 bytes of one of its compressed strings. */
const { decompress } = require('hdr-histogram-js/dist/encoding.js') as { decompress(data: Uint8Array): Uint8Array };
const referenceRaw = (h: Histogram): Buffer => Buffer.from(decompress(Buffer.from(hdr.encodeIntoCompressedBase64(h), 'base64')));

type Buckets = [number, number][];
function buckets(h: Histogram): Buckets {
  const x = h as unknown as { countsArrayLength: number; getCountAtIndex(i: number): number; valueFromIndex(i: number): number };
  const out: Buckets = [];
  for (let i = 0; i < x.countsArrayLength; i++) if (x.getCountAtIndex(i) !== 0) out.push([x.valueFromIndex(i), x.getCountAtIndex(i)]);
  return out;
}

const values = fc.array(
  fc.tuple(
    fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 32 }), fc.integer({ min: 0, max: 2 ** 45 })),
    fc.integer({ min: 1, max: 2 ** 40 }),
  ),
  { maxLength: 60 },
);

test('the uncompressed V2 encoding is byte for byte hdr-histogram-js’s, and each side decodes what the other encodes', () => {
  fc.assert(
    fc.property(values, (vs) => {
      const h = createJsHistogram();
      for (const [v, n] of vs) h.recordValueWithCount(v, n);
      const ours = Buffer.from(encodeV2(h as unknown as CountsArray));
      assert.ok(ours.equals(referenceRaw(h)), 'the same V2 bytes');
      const fromOurs = hdr.decodeFromCompressedBase64(encodeHistogram(h), 64, false);
      const fromTheirs = decodeHistogram(hdr.encodeIntoCompressedBase64(h));
      assert.deepEqual(buckets(fromOurs), buckets(h));
      assert.deepEqual(buckets(fromTheirs), buckets(h));
      assert.equal(fromTheirs.totalCount, h.totalCount);
      // A decoded maximum is the top of its bucket, on either side.
      assert.equal(fromTheirs.maxValue, hdr.decodeFromCompressedBase64(hdr.encodeIntoCompressedBase64(h), 64, false).maxValue);
    }),
    { numRuns: 200 },
  );
});

test('a WebAssembly histogram encodes to the same string as a JS histogram with the same counts', () => {
  const w = createHistogram();
  const j = createJsHistogram();
  for (const v of [0, 1, 999, 2048, 65_537, 2 ** 31, 2 ** 33 + 7]) {
    w.recordValueWithCount(v, 3);
    j.recordValueWithCount(v, 3);
  }
  assert.equal(encodeHistogram(w), encodeHistogram(j));
  w.destroy();
});

test('every histogram in the shipped report fixtures decodes to the buckets hdr-histogram-js decodes', () => {
  let n = 0;
  const dir = path.join(repoRoot, 'test', 'fixtures');
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))) {
    for (const m of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/"(HISTF[A-Za-z0-9+/=]+)"/g)) {
      const s = m[1]!;
      const reference = hdr.decodeFromCompressedBase64(s, 64, false);
      const ours = decodeHistogram(s);
      assert.deepEqual(buckets(ours), buckets(reference), file);
      assert.equal(ours.totalCount, reference.totalCount);
      assert.deepEqual(buckets(decodeHistogram(encodeHistogram(ours))), buckets(reference), `${file}: re-encoded`);
      n += 1;
    }
  }
  assert.ok(n >= 20, `fixtures hold histograms (${n})`);
});

test('damaged encodings throw: not base64, another cookie, truncated, a broken zlib stream', () => {
  const h = createJsHistogram();
  h.recordValue(12_345);
  const good = encodeHistogram(h);
  const bytes = Buffer.from(good, 'base64');
  const otherCookie = Buffer.from(bytes);
  otherCookie.writeUInt32BE(0x1c849313, 0);
  const broken = Buffer.from(bytes);
  broken[12] = broken[12]! ^ 0xff;
  for (const [what, s] of [
    ['not base64', 'HISTF!!!'],
    ['a length not a multiple of 4', good.slice(0, -1)],
    ['another cookie', otherCookie.toString('base64')],
    ['truncated', bytes.subarray(0, bytes.length - 4).toString('base64')],
    ['a broken zlib stream', broken.toString('base64')],
    ['empty', ''],
  ] as const) {
    assert.throws(() => decompressV2(s), Error, what);
  }
  assert.ok(Buffer.from(decompressV2(compressV2(encodeV2(h as unknown as CountsArray)))).equals(referenceRaw(h)));
});
