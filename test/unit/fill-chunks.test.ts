/**
 * Fills (the zero-fill of preallocated files, the probe's random prefill) write in pieces of
 * FILL_CHUNK_BYTES: a file filled by larger writes is cached in large folios, and on ext4 every later
 * small overwrite plus sync of it costs more than on a file a database would have written (io/io.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FILL_CHUNK_BYTES, Io, type IoOp } from '../../io/io.js';
import { prefillRandom } from '../../probe/methods.js';
import { tempDir } from '../helpers/tmp.js';

/** The measured choice (io/io.ts, scripts/bench-fill): PostgreSQL's 8 kB block. */
const CHUNK = 8192;
const BYTES = 3 * CHUNK + 1234;
const SIZES = [CHUNK, CHUNK, CHUNK, 1234];

function writeSizes(fill: (io: Io) => void): (number | undefined)[] {
  const ops: IoOp[] = [];
  fill(new Io({ afterOp: (op) => ops.push(op) }));
  return ops.filter((o) => o.kind === 'write').map((o) => o.bytes);
}

test('the fill size is the measured 8 kB', () => {
  assert.equal(FILL_CHUNK_BYTES, CHUNK, 'changing the fill size needs a new scripts/bench-fill run (README, Benchmarks)');
});

test('zeroFill covers the range in writes of FILL_CHUNK_BYTES, the last one shorter', () => {
  const file = path.join(tempDir('fill-zero'), 'f');
  const sizes = writeSizes((io) => {
    const fd = io.open(file, { create: true });
    io.zeroFill(fd, 100, BYTES);
    io.close(fd);
  });
  assert.deepEqual(sizes, SIZES);
  const data = fs.readFileSync(file);
  assert.equal(data.length, 100 + BYTES);
  assert.ok(data.every((b) => b === 0));
});

test('the probe prefill writes random bytes in writes of FILL_CHUNK_BYTES, the last one shorter', () => {
  const file = path.join(tempDir('fill-random'), 'f');
  assert.deepEqual(
    writeSizes((io) => prefillRandom(io, file, BYTES)),
    SIZES,
  );
  const data = fs.readFileSync(file);
  assert.equal(data.length, BYTES);
  assert.ok(data.filter((b) => b === 0).length < BYTES / 100, 'random, not zeros');
});
