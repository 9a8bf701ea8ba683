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
import zlib from 'node:zlib';
import { test } from 'node:test';
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { compressV2, decompressV2, encodeV2, type CountsArray } from '../../stats/hdr-codec.js';
import { createHistogram, createJsHistogram, decodeHistogram, encodeHistogram, type Histogram } from '../../stats/hdr.js';
import { histogramBuckets } from '../helpers/histogram.js';
import { repoRoot } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
/** hdr-histogram-js's `decompress`: the uncompressed V2 bytes of one of its compressed strings. */
const { decompress } = require('hdr-histogram-js/dist/encoding.js') as { decompress(data: Uint8Array): Uint8Array };
const referenceRaw = (h: Histogram): Buffer => Buffer.from(decompress(Buffer.from(hdr.encodeIntoCompressedBase64(h), 'base64')));

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
      assert.deepEqual(histogramBuckets(fromOurs), histogramBuckets(h));
      assert.deepEqual(histogramBuckets(fromTheirs), histogramBuckets(h));
      assert.equal(fromTheirs.totalCount, h.totalCount);
      // A decoded maximum is the top of its bucket, on either side.
      assert.equal(fromTheirs.maxValue, hdr.decodeFromCompressedBase64(hdr.encodeIntoCompressedBase64(h), 64, false).maxValue);
    }),
    { numRuns: 200 },
  );
});

test('counts and values up to 2^53 − 1, long runs of zeros, add and subtract: the same V2 bytes as hdr-histogram-js', () => {
  const cases: Histogram[] = [];
  for (let k = 0; k <= 53; k++) {
    for (const count of [2 ** k - 1, 2 ** k, 2 ** k + 1].filter((c) => c >= 1 && c <= Number.MAX_SAFE_INTEGER)) {
      const h = createJsHistogram();
      h.recordValueWithCount(1, count);
      h.recordValueWithCount(2 ** 50, 1); // a run of tens of thousands of zero counts in between
      cases.push(h);
    }
    const v = createJsHistogram();
    v.recordValue(Math.min(2 ** k, Number.MAX_SAFE_INTEGER));
    cases.push(v);
  }
  const a = createJsHistogram();
  const b = createJsHistogram();
  for (const [x, n] of [
    [3, 5],
    [70_000, 2 ** 40],
    [2 ** 45, 9],
  ] as const)
    a.recordValueWithCount(x, n);
  b.recordValueWithCount(70_000, 2 ** 39);
  a.subtract(b);
  a.add(cases[cases.length - 1]!);
  cases.push(a);
  for (const h of cases) {
    assert.ok(Buffer.from(encodeV2(h as unknown as CountsArray)).equals(referenceRaw(h)), `max ${h.maxValue}, total ${h.totalCount}`);
    assert.deepEqual(histogramBuckets(decodeHistogram(encodeHistogram(h))), histogramBuckets(h));
  }
});

test('a value past the counts array (2^53), which the library drops, encodes the counts the histogram has', () => {
  const h = createJsHistogram();
  h.recordValue(5);
  h.recordValue(2 ** 53);
  assert.deepEqual(histogramBuckets(decodeHistogram(encodeHistogram(h))), histogramBuckets(h));
});

test('a WebAssembly histogram encodes to the same string as a JS histogram with the same counts', () => {
  const w = createHistogram();
  const j = createJsHistogram();
  for (const v of [0, 1, 999, 2048, 65_537, 2 ** 31, 2 ** 33 + 7]) {
    w.recordValueWithCount(v, 3);
    j.recordValueWithCount(v, 3);
  }
  assert.equal(encodeHistogram(w), encodeHistogram(j));
  // What encodeMinus encodes: a WebAssembly histogram after add and subtract.
  const part = createHistogram();
  part.recordValueWithCount(999, 2);
  part.recordValueWithCount(2 ** 31, 3);
  const diff = createHistogram();
  diff.add(w);
  diff.subtract(part);
  const jdiff = createJsHistogram();
  jdiff.add(j);
  jdiff.subtract(decodeHistogram(encodeHistogram(part)));
  assert.equal(encodeHistogram(diff), encodeHistogram(jdiff));
  assert.deepEqual(histogramBuckets(decodeHistogram(encodeHistogram(diff))), histogramBuckets(jdiff));
  for (const x of [w, part, diff]) x.destroy();
});

test('every histogram in the shipped report fixtures decodes to the buckets hdr-histogram-js decodes', () => {
  let n = 0;
  const dir = path.join(repoRoot, 'test', 'fixtures');
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'))) {
    for (const m of fs.readFileSync(path.join(dir, file), 'utf8').matchAll(/"(HISTF[A-Za-z0-9+/=]+)"/g)) {
      const s = m[1]!;
      const reference = hdr.decodeFromCompressedBase64(s, 64, false);
      const ours = decodeHistogram(s);
      assert.deepEqual(histogramBuckets(ours), histogramBuckets(reference), file);
      assert.equal(ours.totalCount, reference.totalCount);
      assert.deepEqual(histogramBuckets(decodeHistogram(encodeHistogram(ours))), histogramBuckets(reference), `${file}: re-encoded`);
      n += 1;
    }
  }
  assert.ok(n >= 20, `fixtures hold histograms (${n})`);
});

test('damaged encodings throw, each at the check meant for it', () => {
  const h = createJsHistogram();
  h.recordValue(12_345);
  const good = encodeHistogram(h);
  const bytes = Buffer.from(good, 'base64');
  const raw = Buffer.from(encodeV2(h as unknown as CountsArray));
  const frame = (cookie: number, stream: Buffer, length = stream.length): string => {
    const out = Buffer.alloc(8 + stream.length);
    out.writeUInt32BE(cookie, 0);
    out.writeUInt32BE(length, 4);
    stream.copy(out, 8);
    return out.toString('base64');
  };
  const otherCookie = Buffer.from(bytes);
  otherCookie.writeUInt32BE(0x1c849313, 0);
  const broken = Buffer.from(bytes);
  broken[12] = broken[12]! ^ 0xff;
  const innerCookie = Buffer.from(raw);
  innerCookie.writeUInt32BE(0x1c849301, 0);
  const innerLength = Buffer.from(raw);
  innerLength.writeUInt32BE(raw.length, 4);
  const stream = zlib.deflateSync(raw);
  const cases: [string, string, RegExp][] = [
    ['empty', '', /not a base64/],
    ['not base64', 'HISTF!!!', /not a base64/],
    ['a length not a multiple of 4', good.slice(0, -1), /not a base64/],
    ['whitespace inside', `${good.slice(0, 8)}\n${good.slice(8)}`, /not a base64/],
    [
      'the URL-safe alphabet',
      good.replace(/\+/g, '-').replace(/\//g, '_') + (good.includes('+') || good.includes('/') ? '' : '-___'),
      /not a base64/,
    ],
    ['another cookie', otherCookie.toString('base64'), /cookie/],
    ['a length field past the data, the stream itself whole', frame(0x1c849314, stream, stream.length + 1), /truncated/],
    ['a broken zlib stream', broken.toString('base64'), /incorrect|invalid|unexpected/i],
    [
      'a stream that inflates past any histogram',
      frame(0x1c849314, zlib.deflateSync(Buffer.alloc(17 * 1024 * 1024))),
      /buffer|length|range/i,
    ],
    ['an inner encoding that is not V2', frame(0x1c849314, zlib.deflateSync(innerCookie)), /inside the compressed one/],
    ['an inner payload length that does not match', frame(0x1c849314, zlib.deflateSync(innerLength)), /payload/],
  ];
  for (const [what, s, message] of cases) assert.throws(() => decompressV2(s), message, what);
  // Whitespace around it is what a report may hold, and every word-size variant of the cookie.
  assert.ok(Buffer.from(decompressV2(`  ${good}\n`)).equals(raw));
  const variant = Buffer.from(bytes);
  variant.writeUInt32BE(0x1c849394, 0);
  assert.ok(Buffer.from(decompressV2(variant.toString('base64'))).equals(raw));
});
