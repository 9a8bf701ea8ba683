import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeroSyncCounts, type SyncCounts } from '../io/io.js';
import { walEngine } from '../engines/wal/engine.js';
import { harness, kv, type HarnessOptions } from './helpers/engine-harness.js';
import { tempDir } from './helpers/tmp.js';

/** Sync calls issued by `n` puts after open (open's own structural syncs excluded), and the claim. */
function countPuts(n: number, opts: HarnessOptions) {
  const h = harness(walEngine, tempDir('wal-sync'), opts);
  h.engine.open();
  const before = { ...h.io.syncCounts };
  for (let i = 1; i <= n; i++) h.engine.put(kv(i).key, kv(i).value);
  const delta = zeroSyncCounts();
  for (const k of Object.keys(delta) as (keyof SyncCounts)[]) delta[k] = h.io.syncCounts[k] - before[k];
  const claimed = h.claim.durable;
  h.engine.close();
  return { delta, claimed };
}

test('open of an empty directory: the first segment is fsynced once and its directory once', () => {
  const h = harness(walEngine, tempDir('wal-open'));
  h.engine.open();
  assert.deepEqual(h.io.syncCounts, { ...zeroSyncCounts(), fsync: 1, dirfsync: 1 });
  h.engine.close();
});

test('sync mode: one fdatasync per commit, nothing else', () => {
  const { delta, claimed } = countPuts(40, { mode: 'sync' });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: 40 });
  assert.equal(claimed, 40);
});

test('batch mode: one fdatasync per batchSize commits', () => {
  const { delta, claimed } = countPuts(40, { mode: 'batch', batchSize: 8 });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: 5 });
  assert.equal(claimed, 40);
  const partial = countPuts(43, { mode: 'batch', batchSize: 8 });
  assert.equal(partial.delta.fdatasync, 5);
  assert.equal(partial.claimed, 40);
});

test('none mode: no sync call at all', () => {
  const { delta, claimed } = countPuts(40, { mode: 'none' });
  assert.deepEqual(delta, zeroSyncCounts());
  assert.equal(claimed, 0);
});

test('close syncs what is pending in sync and batch mode, not in none mode', () => {
  for (const [mode, expected] of [
    ['batch', 1],
    ['none', 0],
  ] as const) {
    const h = harness(walEngine, tempDir('wal-close'), { mode, batchSize: 8 });
    h.engine.open();
    for (let i = 1; i <= 3; i++) h.engine.put(kv(i).key, kv(i).value);
    const before = h.io.syncCounts.fdatasync;
    h.engine.close();
    assert.equal(h.io.syncCounts.fdatasync - before, expected, mode);
  }
});

test('fault flush-no-fsync: no fdatasync in any mode, while the claim stays that of the mode', () => {
  const sync = countPuts(40, { mode: 'sync', faults: ['flush-no-fsync'] });
  assert.deepEqual(sync.delta, zeroSyncCounts());
  assert.equal(sync.claimed, 40);
  const batch = countPuts(40, { mode: 'batch', batchSize: 8, faults: ['flush-no-fsync'] });
  assert.deepEqual(batch.delta, zeroSyncCounts());
  assert.equal(batch.claimed, 40);
});

const smallSegments = { 'segment-bytes': 4096 };
/** Records of kv(i) with 24-byte values: 8 header + 2 + 10 key + 24 value = 44 bytes; 92 fit in 4096 - 32. */
const perSegment = Math.floor((4096 - 32) / 44);

test('rotation in sync mode: each new segment costs one fsync and one directory fsync', () => {
  const n = perSegment * 3 + 1; // three rotations
  const { delta } = countPuts(n, { mode: 'sync', options: smallSegments });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: n, fsync: 3, dirfsync: 3 });
});

test('fault no-dir-fsync: rotated segments are still fsynced, their directory never', () => {
  const n = perSegment * 3 + 1;
  const { delta } = countPuts(n, { mode: 'sync', options: smallSegments, faults: ['no-dir-fsync'] });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: n, fsync: 3 });
  const h = harness(walEngine, tempDir('wal-nodir'), { faults: ['no-dir-fsync'] });
  h.engine.open();
  assert.deepEqual(h.io.syncCounts, { ...zeroSyncCounts(), fsync: 1 });
  h.engine.close();
});

test('rotation in batch mode: the sync after a rotation covers the old segment too', () => {
  // Batch of 10 with a rotation inside the batch that crosses the boundary: two fdatasyncs for it.
  const n = 100; // rotation after record 92, batches end at 10, 20, ..., 100
  const { delta, claimed } = countPuts(n, { mode: 'batch', batchSize: 10, options: smallSegments });
  assert.equal(perSegment, 92);
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: 10 + 1, fsync: 1, dirfsync: 1 });
  assert.equal(claimed, 100);
});

test('none mode with rotation: only the structural syncs of the new segment', () => {
  const { delta } = countPuts(perSegment * 2 + 1, { mode: 'none', options: smallSegments });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fsync: 2, dirfsync: 2 });
});
