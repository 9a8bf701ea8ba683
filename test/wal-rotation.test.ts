import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { Io, zeroSyncCounts } from '../io/io.js';
import { walEngine } from '../engines/wal/engine.js';
import { WalLog } from '../engines/wal/log.js';
import { comparePositions, type WalPosition } from '../engines/wal/position.js';
import { parseSegmentName, segmentName } from '../engines/wal/segment.js';
import type { RecoveryReport } from '../engines/types.js';
import { harness, kv } from './helpers/engine-harness.js';
import { tempDir } from './helpers/tmp.js';

function newLog(dir: string, io = new Io(), extra: { preallocate?: boolean; syncDir?: boolean } = {}) {
  return new WalLog({ io, dir, segmentBytes: 4096, preallocate: extra.preallocate ?? false, syncDir: extra.syncDir ?? true });
}

const payload = (i: number) => Buffer.from(`record-${i}-`.padEnd(100, 'x'));

test('segments rotate at segment-bytes, are named by 16-digit sequence, and announce segment-rotated', () => {
  const dir = tempDir('wal-rot');
  const h = harness(walEngine, dir, { options: { 'segment-bytes': 4096 } });
  h.engine.open();
  for (let i = 1; i <= 300; i++) h.engine.put(kv(i, Infinity, 100).key, kv(i, Infinity, 100).value);
  const names = fs.readdirSync(dir).sort();
  assert.equal(names[0], 'wal-0000000000000001.log');
  assert.deepEqual(
    names.map((n) => parseSegmentName(n)),
    names.map((_, i) => i + 1),
  );
  for (const n of names.slice(0, -1)) assert.ok(fs.statSync(`${dir}/${n}`).size <= 4096);
  const stats = h.engine.stats!();
  assert.equal(stats['rotations'], names.length - 1);
  assert.equal(h.io.markers().get('segment-rotated'), names.length - 1);
  assert.equal(h.phases.get('rotate')?.length, names.length - 1);
  h.engine.close();
  const again = harness(walEngine, dir, { options: { 'segment-bytes': 4096 } });
  assert.equal((again.engine.open() as RecoveryReport).recordsRecovered, 300);
  for (let i = 1; i <= 300; i += 37) assert.deepEqual(again.engine.get(kv(i, Infinity, 100).key), kv(i, Infinity, 100).value);
  again.engine.close();
});

test('a record larger than a segment gets a segment of its own', () => {
  const dir = tempDir('wal-big');
  const log = newLog(dir);
  log.open();
  log.append(payload(1));
  const big = Buffer.alloc(10_000, 7);
  const pos = log.append(big);
  assert.deepEqual(pos, { segment: 2, offset: 32 });
  const after = log.append(payload(2));
  assert.equal(after.segment, 3);
  assert.deepEqual(log.read(pos), big);
  log.close();
});

test('truncateBefore deletes whole segments below the checkpoint, oldest first, then fsyncs the directory once', () => {
  const dir = tempDir('wal-trunc');
  const io = new Io();
  const log = newLog(dir, io);
  log.open();
  const positions: WalPosition[] = [];
  for (let i = 1; i <= 150; i++) positions.push(log.append(payload(i)));
  log.sync();
  const checkpoint = positions[100]!;
  assert.ok(checkpoint.segment >= 3);
  const before = { ...io.syncCounts };
  const deleted = log.truncateBefore(checkpoint);
  assert.equal(deleted, checkpoint.segment - 1);
  assert.deepEqual({ ...io.syncCounts, fdatasync: 0, fsync: 0 }, { ...zeroSyncCounts(), dirfsync: before.dirfsync + 1 });
  const left = fs
    .readdirSync(dir)
    .map(parseSegmentName)
    .sort((a, b) => a! - b!);
  assert.equal(left[0], checkpoint.segment);
  assert.equal(log.read(positions[0]!), undefined, 'a truncated record is gone');
  assert.deepEqual(log.read(checkpoint), payload(101));
  const active = log.position().segment;
  log.truncateBefore({ segment: active + 5, offset: 0 });
  assert.deepEqual(fs.readdirSync(dir), [segmentName(active)], 'never deletes the active segment');
  log.append(payload(151));
  log.close();

  // Reopen from the checkpoint: records before it are not visited.
  const again = newLog(dir);
  const seen: WalPosition[] = [];
  again.open({ from: checkpoint, visit: (_p, pos) => seen.push(pos) });
  assert.ok(seen.every((p) => comparePositions(p, checkpoint) >= 0));
  again.close();
});

test('truncateBefore with no-dir-fsync deletes without a directory fsync', () => {
  const dir = tempDir('wal-trunc-nodir');
  const io = new Io();
  const log = newLog(dir, io, { syncDir: false });
  log.open();
  for (let i = 1; i <= 100; i++) log.append(payload(i));
  const cp = log.rotate();
  const deleted = log.truncateBefore(cp);
  assert.ok(deleted >= 2);
  assert.equal(io.syncCounts.dirfsync, 0);
  log.close();
});

test('open from a checkpoint finishes an interrupted truncation and refuses a log whose checkpoint segment is gone', () => {
  const dir = tempDir('wal-from');
  const log = newLog(dir);
  log.open();
  for (let i = 1; i <= 100; i++) log.append(payload(i));
  const cp = log.rotate();
  for (let i = 101; i <= 110; i++) log.append(payload(i));
  log.sync();
  log.close();
  // Crash before the truncation: old segments still there.
  const a = newLog(dir);
  const seen: string[] = [];
  const report = a.open({ from: cp, visit: (p) => seen.push(p.toString()) });
  assert.deepEqual(
    seen,
    Array.from({ length: 10 }, (_, k) => payload(101 + k).toString()),
  );
  assert.equal(report.recordsRecovered, 10);
  assert.deepEqual(fs.readdirSync(dir), [segmentName(cp.segment)]);
  a.close();
  // The checkpoint's segment deleted (a defect): nothing after it is trusted.
  fs.renameSync(`${dir}/${segmentName(cp.segment)}`, `${dir}/${segmentName(cp.segment + 1)}`);
  const b = newLog(dir);
  const seen2: string[] = [];
  const r2 = b.open({ from: cp, visit: (p) => seen2.push(p.toString()) });
  assert.deepEqual(seen2, []);
  assert.match(r2.notes.join('\n'), /missing/);
  assert.deepEqual(b.position(), { segment: cp.segment, offset: 32 });
  b.close();
});

test('preallocated segments are zero-filled to segment-bytes when created and rotated', () => {
  const dir = tempDir('wal-prealloc-rot');
  const log = newLog(dir, new Io(), { preallocate: true });
  log.open();
  for (let i = 1; i <= 100; i++) log.append(payload(i));
  log.sync();
  log.close();
  for (const n of fs.readdirSync(dir)) assert.equal(fs.statSync(`${dir}/${n}`).size, 4096, n);
  const again = newLog(dir, new Io(), { preallocate: true });
  const seen: Buffer[] = [];
  const report = again.open({ visit: (p) => seen.push(p) });
  assert.equal(seen.length, 100);
  assert.equal(report.discardedBytes, 0);
  again.close();
});
