import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Io } from '../io/io.js';
import { walEngine } from '../engines/wal/engine.js';
import { WalLog } from '../engines/wal/log.js';
import { SEGMENT_HEADER_BYTES, segmentName } from '../engines/wal/segment.js';
import type { RecoveryReport } from '../engines/types.js';
import { harness, kv, type HarnessOptions } from './helpers/engine-harness.js';
import { tempDir } from './helpers/tmp.js';

function fill(dir: string, n: number, opts: HarnessOptions = {}): void {
  const h = harness(walEngine, dir, opts);
  h.engine.open();
  for (let i = 1; i <= n; i++) {
    const { key, value } = kv(i);
    h.engine.put(key, value);
  }
  h.engine.close();
}

function reopen(dir: string, opts: HarnessOptions = {}) {
  const h = harness(walEngine, dir, opts);
  const report = h.engine.open() as RecoveryReport;
  const get = (i: number) => h.engine.get(kv(i).key) as Buffer | undefined;
  return { ...h, report, get };
}

const seg1 = (dir: string) => path.join(dir, segmentName(1));
const recordBytes = 8 + 2 + kv(1).key.length + kv(1).value.length;

test('clean close and reopen: every record comes back', () => {
  const dir = tempDir('wal-reopen');
  fill(dir, 50);
  const r = reopen(dir);
  assert.equal(r.report.recordsRecovered, 50);
  assert.equal(r.report.discardedBytes, 0);
  for (let i = 1; i <= 50; i++) assert.deepEqual(r.get(i), kv(i).value);
  r.engine.close();
});

test('a torn last record is discarded at every cut, and appending continues right after the last intact record', () => {
  for (let cut = 1; cut < recordBytes; cut += 5) {
    const dir = tempDir('wal-torn');
    fill(dir, 10);
    fs.truncateSync(seg1(dir), fs.statSync(seg1(dir)).size - cut);
    const r = reopen(dir);
    assert.equal(r.report.recordsRecovered, 9, `cut ${cut}`);
    assert.equal(r.report.tornTail || r.report.crcFailures === 1, true);
    assert.equal(r.get(10), undefined);
    assert.equal(fs.statSync(seg1(dir)).size, SEGMENT_HEADER_BYTES + 9 * recordBytes, 'garbage truncated');
    r.engine.put(kv(11).key, kv(11).value);
    r.engine.close();
    const again = reopen(dir);
    assert.equal(again.report.recordsRecovered, 10);
    assert.equal(again.report.discardedBytes, 0);
    assert.deepEqual(again.get(11), kv(11).value);
    again.engine.close();
  }
});

test('a flipped checksum in the middle keeps exactly the records before it', () => {
  const dir = tempDir('wal-crc');
  fill(dir, 20);
  const buf = fs.readFileSync(seg1(dir));
  buf[SEGMENT_HEADER_BYTES + 7 * recordBytes + 4]! ^= 0xff; // CRC field of record 8
  fs.writeFileSync(seg1(dir), buf);
  const r = reopen(dir);
  assert.equal(r.report.recordsRecovered, 7);
  assert.equal(r.report.crcFailures, 1);
  assert.equal(r.report.discardedBytes, 13 * recordBytes);
  for (let i = 1; i <= 7; i++) assert.deepEqual(r.get(i), kv(i).value);
  for (let i = 8; i <= 20; i++) assert.equal(r.get(i), undefined, `record ${i} is after the damage`);
  r.engine.close();
});

test('the zero-filled tail of a preallocated segment is the normal end, not damage', () => {
  const dir = tempDir('wal-prealloc');
  const opts = { options: { preallocate: true, 'segment-bytes': 64 * 1024 } };
  fill(dir, 30, opts);
  assert.equal(fs.statSync(seg1(dir)).size, 64 * 1024);
  const r = reopen(dir, opts);
  assert.equal(r.report.recordsRecovered, 30);
  assert.equal(r.report.discardedBytes, 0);
  assert.equal(r.report.crcFailures, 0);
  assert.equal(r.report.tornTail, false);
  assert.match(r.report.notes.join('\n'), /zero-filled tail/);
  r.engine.put(kv(31).key, kv(31).value);
  r.engine.close();
  assert.equal(fs.statSync(seg1(dir)).size, 64 * 1024, 'records overwrite the zeros; the size stays');
  assert.deepEqual(reopen(dir, opts).get(31), kv(31).value);
});

test('a torn record inside a preallocated segment is cut and the tail zero-filled again', () => {
  const dir = tempDir('wal-prealloc-torn');
  const opts = { options: { preallocate: true, 'segment-bytes': 64 * 1024 } };
  fill(dir, 5, opts);
  const buf = fs.readFileSync(seg1(dir));
  buf.fill(0x5a, SEGMENT_HEADER_BYTES + 5 * recordBytes, SEGMENT_HEADER_BYTES + 5 * recordBytes + 11); // half a header
  fs.writeFileSync(seg1(dir), buf);
  const r = reopen(dir, opts);
  assert.equal(r.report.recordsRecovered, 5);
  assert.equal(fs.statSync(seg1(dir)).size, 64 * 1024);
  assert.ok(
    fs
      .readFileSync(seg1(dir))
      .subarray(SEGMENT_HEADER_BYTES + 5 * recordBytes)
      .every((b) => b === 0),
  );
  r.engine.close();
});

test('garbage appended after the last record is discarded', () => {
  const dir = tempDir('wal-garbage');
  fill(dir, 12);
  fs.appendFileSync(seg1(dir), Buffer.from('this is not a frame, just garbage bytes'));
  const r = reopen(dir);
  assert.equal(r.report.recordsRecovered, 12);
  assert.ok(r.report.discardedBytes > 0);
  for (let i = 1; i <= 12; i++) assert.deepEqual(r.get(i), kv(i).value);
  r.engine.close();
});

test('an empty segment file: alone it starts a fresh log, after others it is discarded', () => {
  const alone = tempDir('wal-empty');
  fs.writeFileSync(seg1(alone), '');
  const r = reopen(alone);
  assert.equal(r.report.recordsRecovered, 0);
  r.engine.put(kv(1).key, kv(1).value);
  r.engine.close();
  assert.deepEqual(reopen(alone).get(1), kv(1).value);

  const after = tempDir('wal-empty-after');
  fill(after, 4);
  fs.writeFileSync(path.join(after, segmentName(2)), '');
  const r2 = reopen(after);
  assert.equal(r2.report.recordsRecovered, 4);
  assert.equal(fs.existsSync(path.join(after, segmentName(2))), false);
  r2.engine.put(kv(5).key, kv(5).value);
  r2.engine.close();
  const r3 = reopen(after);
  assert.equal(r3.report.recordsRecovered, 5);
  r3.engine.close();
});

test('a later segment is discarded when its predecessor lost its tail (recovery yields a prefix)', () => {
  const dir = tempDir('wal-chain');
  const opts = { options: { 'segment-bytes': 4096 } };
  fill(dir, 200, opts);
  const segs = fs.readdirSync(dir).sort();
  assert.ok(segs.length >= 3);
  const first = path.join(dir, segs[0]!);
  fs.truncateSync(first, fs.statSync(first).size - recordBytes); // segment 1 lost its last record
  const r = reopen(dir, opts);
  const perSegment = Math.floor((4096 - SEGMENT_HEADER_BYTES) / recordBytes);
  assert.equal(r.report.recordsRecovered, perSegment - 1);
  assert.deepEqual(fs.readdirSync(dir), [segs[0]]);
  assert.equal(r.get(perSegment + 1), undefined);
  r.engine.close();
});

test('WalLog.open never throws on arbitrary bytes and returns nothing from them', () => {
  const dir = tempDir('wal-noise');
  for (let i = 1; i <= 3; i++)
    fs.writeFileSync(path.join(dir, segmentName(i)), Buffer.from(Array.from({ length: 500 }, (_, k) => (k * 37 + i) & 0xff)));
  const log = new WalLog({ io: new Io(), dir, segmentBytes: 4096, preallocate: false });
  const seen: Buffer[] = [];
  const report = log.open({ visit: (p) => seen.push(p) });
  assert.equal(seen.length, 0);
  assert.equal(report.recordsRecovered, 0);
  log.append(Buffer.from('fresh'));
  log.sync();
  log.close();
  const again = new WalLog({ io: new Io(), dir, segmentBytes: 4096, preallocate: false });
  const payloads: string[] = [];
  again.open({ visit: (p) => payloads.push(p.toString()) });
  assert.deepEqual(payloads, ['fresh']);
  again.close();
});
