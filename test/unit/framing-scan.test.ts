import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frame, frameKv, FrameScratch, parseKv, scanFrames } from '../../engines/framing.js';

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
