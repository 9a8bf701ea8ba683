import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frame, frameBytesOf, frameKv, frameKvWithOrigin, FrameScratch, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES, ORIGIN_BYTES, parseKv, scanFrames } from '../../engines/framing.js';

const records = [frameKv(Buffer.from('a'), Buffer.from('one')), frameKv(Buffer.from('bb'), Buffer.alloc(0)), frame(Buffer.from('x'))];
const log = Buffer.concat(records);

test('scan returns every intact frame and stops cleanly at the end', () => {
  const r = scanFrames(log);
  assert.equal(r.frames.length, 3);
  assert.equal(r.stop, 'end');
  assert.equal(r.endOffset, log.length);
  assert.deepEqual(parseKv(r.frames[0]!.payload), { key: Buffer.from('a'), value: Buffer.from('one') });
  assert.equal(parseKv(r.frames[1]!.payload)!.value.length, 0);
});

test('a torn last frame is discarded and reported as torn', () => {
  for (let cut = 1; cut < records[2]!.length; cut++) {
    const r = scanFrames(log.subarray(0, log.length - cut));
    assert.equal(r.frames.length, 2, `cut ${cut}`);
    assert.equal(r.stop, 'torn');
    assert.equal(r.endOffset, records[0]!.length + records[1]!.length);
  }
});

test('a zero-filled tail is not a record', () => {
  const r = scanFrames(Buffer.concat([log, Buffer.alloc(4096)]));
  assert.equal(r.frames.length, 3);
  assert.equal(r.stop, 'zero');
  assert.equal(r.discardedBytes, 0);
});

test('a flipped bit stops the scan at the damaged frame and keeps what is before it', () => {
  const damaged = Buffer.from(log);
  damaged[records[0]!.length + 9]! ^= 0x01;
  const r = scanFrames(damaged);
  assert.equal(r.frames.length, 1);
  assert.equal(r.stop, 'crc');
  assert.equal(r.discardedBytes, log.length - records[0]!.length);
});

test('garbage with a huge length never allocates or throws', () => {
  const garbage = Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5]);
  const r = scanFrames(Buffer.concat([log, garbage]));
  assert.equal(r.frames.length, 3);
  assert.equal(r.stop, 'crc');
});

test('fixed-stride scan skips record padding', () => {
  const padded = Buffer.concat([frameKv(Buffer.from('k1'), Buffer.from('v'), 64), frameKv(Buffer.from('k2'), Buffer.from('w'), 64)]);
  const r = scanFrames(padded, 0, 64);
  assert.equal(r.frames.length, 2);
  assert.equal(r.frames[1]!.offset, 64);
});

test('FrameScratch frames exactly the bytes frameKv does, padded or not, growing its buffer on demand', () => {
  const scratch = new FrameScratch();
  let x = 99;
  const next = (mod: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % mod;
  };
  for (let k = 0; k < 2000; k++) {
    const key = Buffer.from(`w000-${k}`);
    const value = Buffer.alloc(k < 1000 ? next(600) : next(20_000), k & 0xff);
    for (let i = 0; i < value.length; i += 7) value[i] = next(256);
    const pad = k % 3 === 0 ? 0 : next(24_000);
    // Dirty the scratch first: stale bytes must never leak into a record's padding.
    scratch.buf.fill(0xee);
    const n = scratch.frameKv(key, value, pad);
    const want = frameKv(key, value, pad);
    assert.equal(n, want.length, `record ${k}`);
    assert.ok(scratch.buf.subarray(0, n).equals(want), `record ${k}: bytes differ`);
  }
});

test('records with an origin (shared log) read back with writer and sequence number, beside plain records', () => {
  const a = frameKvWithOrigin({ writer: 3, seq: 41 }, Buffer.from('k3'), Buffer.from('value'));
  const b = frameKv(Buffer.from('plain'), Buffer.from('v'));
  const c = frameKvWithOrigin({ writer: 0xffff, seq: 2 ** 40 + 7 }, Buffer.from('big'), Buffer.alloc(0));
  const r = scanFrames(Buffer.concat([a, b, c]));
  assert.equal(r.stop, 'end');
  assert.deepEqual(
    r.frames.map((f) => [f.origin, parseKv(f.payload)!.key.toString(), f.frameBytes]),
    [
      [{ writer: 3, seq: 41 }, 'k3', a.length],
      [null, 'plain', b.length],
      [{ writer: 0xffff, seq: 2 ** 40 + 7 }, 'big', c.length],
    ],
  );
  assert.equal(parseKv(r.frames[0]!.payload)!.value.toString(), 'value');
});

test('a reader that ignores the origin flag sees an impossible length: it stops there, never misreads an origin as a key', () => {
  const a = frameKvWithOrigin({ writer: 1, seq: 1 }, Buffer.from('k'), Buffer.from('v'));
  // What the framing did before origins: the length word as a plain u32.
  assert.ok(a.readUInt32LE(0) > MAX_PAYLOAD_BYTES);
  // A bit flipped in the origin is caught by the checksum (it covers the origin and the flag).
  for (let bit = 0; bit < ORIGIN_BYTES * 8; bit++) {
    const d = Buffer.from(a);
    d[FRAME_HEADER_BYTES + (bit >> 3)]! ^= 1 << (bit & 7);
    assert.equal(scanFrames(d).stop, 'crc', `bit ${bit}`);
  }
  // Clearing the flag alone is caught too (the length word is under the checksum).
  const cleared = Buffer.from(a);
  cleared.writeUInt32LE(a.readUInt32LE(0) & 0x7fffffff, 0);
  assert.equal(scanFrames(cleared).stop, 'crc');
  // An origin flag on a payload too short to hold an origin is not a record.
  const short = Buffer.alloc(FRAME_HEADER_BYTES + 4);
  short.writeUInt32LE((0x80000000 | 4) >>> 0, 0);
  assert.equal(frameBytesOf(short.readUInt32LE(0)), null);
  assert.equal(scanFrames(short).frames.length, 0);
});
