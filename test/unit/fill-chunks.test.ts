/**
 * Fills (the zero-fill of preallocated files, the probe's random prefill) write in pieces of at most
 * FILL_CHUNK_BYTES: a file filled by larger writes is cached in large folios, and every later small
 * overwrite plus sync of it costs more than on a file a database would have written (io/io.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FILL_CHUNK_BYTES, Io, type IoOp } from '../../io/io.js';
import { prefillRandom } from '../../probe/methods.js';
import { tempDir } from '../helpers/tmp.js';

function writesOf(fill: (io: Io) => void): IoOp[] {
  const ops: IoOp[] = [];
  fill(new Io({ afterOp: (op) => ops.push(op) }));
  return ops.filter((o) => o.kind === 'write');
}

const BYTES = 3 * FILL_CHUNK_BYTES + 1234;

test('zeroFill covers the range in writes of at most FILL_CHUNK_BYTES', () => {
  assert.ok(FILL_CHUNK_BYTES <= 64 * 1024, `${FILL_CHUNK_BYTES}`);
  const file = path.join(tempDir('fill-zero'), 'f');
  const writes = writesOf((io) => {
    const fd = io.open(file, { create: true });
    io.zeroFill(fd, 100, BYTES);
    io.close(fd);
  });
  assert.equal(writes.length, 4);
  assert.ok(writes.every((w) => (w.bytes ?? Infinity) <= FILL_CHUNK_BYTES));
  assert.equal(
    writes.reduce((n, w) => n + w.bytes!, 0),
    BYTES,
  );
  const data = fs.readFileSync(file);
  assert.equal(data.length, 100 + BYTES);
  assert.ok(data.every((b) => b === 0));
});

test('the probe prefill writes random bytes in writes of at most FILL_CHUNK_BYTES', () => {
  const file = path.join(tempDir('fill-random'), 'f');
  const writes = writesOf((io) => prefillRandom(io, file, BYTES));
  assert.equal(writes.length, 4);
  assert.ok(writes.every((w) => (w.bytes ?? Infinity) <= FILL_CHUNK_BYTES));
  const data = fs.readFileSync(file);
  assert.equal(data.length, BYTES);
  assert.ok(data.filter((b) => b === 0).length < BYTES / 100, 'random, not zeros');
});
