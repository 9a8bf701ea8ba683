import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { zeroSyncCounts, type SyncCounts } from '../io/io.js';
import { lsmEngine } from '../engines/lsm/engine.js';
import { mergeNewestFirst, pickRun } from '../engines/lsm/compaction.js';
import { Memtable } from '../engines/lsm/memtable.js';
import type { RecoveryReport } from '../engines/types.js';
import { harness, kv, type HarnessOptions } from './helpers/engine-harness.js';
import { tempDir } from './helpers/tmp.js';

const small = { 'memtable-bytes': 4096, 'segment-bytes': 4096 };

test('memtable: entries come out in key order, an overwrite replaces the value, bytes count every put', () => {
  const m = new Memtable();
  const keys = Array.from({ length: 500 }, (_, i) => `k${String((i * 7919) % 500).padStart(4, '0')}`);
  for (const k of keys) m.put(Buffer.from(k), Buffer.from(`v-${k}`));
  m.put(Buffer.from('k0007'), Buffer.from('newest'));
  const out = [...m.entries()].map(([k]) => k.toString());
  assert.deepEqual(out, [...new Set(keys)].sort());
  assert.equal(m.count, 500);
  assert.deepEqual(m.get(Buffer.from('k0007')), Buffer.from('newest'));
  assert.equal(m.get(Buffer.from('nope')), undefined);
  assert.equal(m.bytes, keys.reduce((n, k) => n + k.length * 2 + 2 + 32, 0) + 5 + 6 + 32);
});

test('pickRun: the first run of adjacent similar-sized tables, newest first', () => {
  assert.equal(pickRun([10, 10, 10], 4), null);
  assert.deepEqual(pickRun([10, 11, 9, 10], 4), { start: 0, end: 4 });
  assert.deepEqual(pickRun([10, 10, 10, 10, 40], 4), { start: 0, end: 4 });
  assert.deepEqual(pickRun([10, 40, 41, 39, 40, 160], 4), { start: 1, end: 5 });
  assert.equal(pickRun([10, 40, 10, 40], 2), null);
  assert.deepEqual(pickRun([1, 1, 1, 1, 1, 1], 2, 3), { start: 0, end: 3 });
});

test('mergeNewestFirst: ascending keys, the newest stream wins a tie', () => {
  const s = (pairs: [string, string][]) => pairs.map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as [Buffer, Buffer])[Symbol.iterator]();
  const merged = [
    ...mergeNewestFirst([
      s([
        ['b', 'new'],
        ['d', 'new'],
      ]),
      s([
        ['a', 'old'],
        ['b', 'old'],
        ['c', 'old'],
        ['d', 'old'],
      ]),
    ]),
  ].map(([k, v]) => `${k}=${v}`);
  assert.deepEqual(merged, ['a=old', 'b=new', 'c=old', 'd=new']);
});

test('flush and compaction keep every key readable and the newest version wins, before and after reopen', () => {
  const dir = tempDir('lsm-fc');
  const opts: HarnessOptions = { mode: 'batch', batchSize: 16, options: small };
  const h = harness(lsmEngine, dir, opts);
  h.engine.open();
  const distinct = 150;
  const latest = new Map<string, Buffer>();
  for (let i = 1; i <= 2000; i++) {
    const { key, value } = kv(i, distinct, 60);
    h.engine.put(key, value);
    latest.set(key.toString(), value);
    if (i % 97 === 0) for (const [k, v] of latest) assert.deepEqual(h.engine.get(Buffer.from(k)), v, `after commit ${i}: ${k}`);
  }
  const stats = h.engine.stats!();
  assert.ok(stats['flushes']! >= 20, `flushes ${stats['flushes']}`);
  assert.ok(stats['compactions']! >= 3, `compactions ${stats['compactions']}`);
  assert.ok(stats['sstables']! < stats['flushes']!, 'compaction reduced the table count');
  assert.equal(h.phases.get('flush')?.length, stats['flushes']);
  assert.equal(h.phases.get('compaction')?.length, stats['compactions']);
  assert.equal(h.io.markers().get('flush-start'), stats['flushes']);
  assert.equal(h.io.markers().get('compaction-done'), stats['compactions']);
  for (const [k, v] of latest) assert.deepEqual(h.engine.get(Buffer.from(k)), v);
  h.engine.close();

  // Only live tables and the current WAL segment(s) are left on disk.
  const files = fs.readdirSync(dir).sort();
  assert.equal(files.filter((f) => f.endsWith('.sst')).length, stats['sstables']);
  assert.ok(files.includes('MANIFEST'));
  assert.equal(files.filter((f) => f.startsWith('wal-')).length, 1);

  const again = harness(lsmEngine, dir, opts);
  const report = again.engine.open() as RecoveryReport;
  assert.equal(report.crcFailures, 0);
  assert.equal(report.discardedBytes, 0);
  for (const [k, v] of latest) assert.deepEqual(again.engine.get(Buffer.from(k)), v, `after reopen: ${k}`);
  assert.equal(again.engine.get(Buffer.from('never-written')), undefined);
  again.engine.close();
});

/** Sync calls of the put that flushed (minus nothing: in sync mode that put's own WAL fdatasync is included). */
function flushingPutSyncs(opts: HarnessOptions): { delta: SyncCounts; order: string[] } {
  const order: string[] = [];
  const h = harness(lsmEngine, tempDir('lsm-count'), {
    mode: 'sync',
    ...opts,
    options: small,
    observer: { onMarker: (n) => order.push(n) },
  });
  h.engine.open();
  for (let i = 1; ; i++) {
    const before = { ...h.io.syncCounts };
    order.length = 0;
    h.engine.put(kv(i, Infinity, 100).key, kv(i, Infinity, 100).value);
    if (h.engine.stats!()['flushes'] === 1) {
      const delta = zeroSyncCounts();
      for (const k of Object.keys(delta) as (keyof SyncCounts)[]) delta[k] = h.io.syncCounts[k] - before[k];
      h.engine.close();
      return { delta, order: [...order] };
    }
  }
}

const FLUSH_ORDER = ['flush-start', 'segment-rotated', 'sstable-synced', 'manifest-synced', 'wal-truncated'];

test('a flush costs: WAL segment fsync + dir, SSTable fsync + dir, manifest fsync + dir, truncation dir', () => {
  const { delta, order } = flushingPutSyncs({});
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: 1, fsync: 3, dirfsync: 4 });
  assert.deepEqual(order, FLUSH_ORDER);
});

test('fault sstable-no-fsync: one fsync fewer per flush (the SSTable), same markers', () => {
  const { delta, order } = flushingPutSyncs({ faults: ['sstable-no-fsync'] });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: 1, fsync: 2, dirfsync: 4 });
  assert.deepEqual(order, FLUSH_ORDER);
});

test('fault no-dir-fsync: files fsynced, no directory fsync at all', () => {
  const { delta } = flushingPutSyncs({ faults: ['no-dir-fsync'] });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: 1, fsync: 3 });
});

test('fault flush-no-fsync: the WAL record is never synced, the flush protocol is unchanged', () => {
  const { delta } = flushingPutSyncs({ faults: ['flush-no-fsync'] });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fsync: 3, dirfsync: 4 });
});

test('fault truncate-before-durable: same sync calls, but the WAL is truncated before the SSTable is synced', () => {
  const { delta, order } = flushingPutSyncs({ faults: ['truncate-before-durable'] });
  assert.deepEqual(delta, { ...zeroSyncCounts(), fdatasync: 1, fsync: 3, dirfsync: 4 });
  assert.deepEqual(order, ['flush-start', 'segment-rotated', 'wal-truncated', 'sstable-synced', 'manifest-synced']);
});

test('a compaction costs: merged SSTable fsync + dir, manifest fsync + dir, deletion of the inputs + dir', () => {
  const h = harness(lsmEngine, tempDir('lsm-compact-count'), { mode: 'none', options: small });
  h.engine.open();
  for (let i = 1; ; i++) {
    const before = { ...h.io.syncCounts };
    h.engine.put(kv(i, Infinity, 100).key, kv(i, Infinity, 100).value);
    if (h.engine.stats!()['compactions'] === 1) {
      // none mode: no WAL fdatasync; this put did a flush (3 fsync, 4 dir) and then the compaction.
      assert.deepEqual(
        {
          fsync: h.io.syncCounts.fsync - before.fsync,
          dirfsync: h.io.syncCounts.dirfsync - before.dirfsync,
          fdatasync: h.io.syncCounts.fdatasync - before.fdatasync,
        },
        { fsync: 3 + 2, dirfsync: 4 + 3, fdatasync: 0 },
      );
      assert.equal(h.engine.stats!()['sstables'], 1);
      break;
    }
  }
  h.engine.close();
});

test('none mode: a flush makes no durability claim; sync and batch mode: a flush declares the pending commits durable', () => {
  for (const mode of ['none', 'batch'] as const) {
    const h = harness(lsmEngine, tempDir('lsm-claim'), { mode, batchSize: 1000, options: small });
    h.engine.open();
    let i = 0;
    while (h.engine.stats!()['flushes'] === 0) {
      i += 1;
      h.engine.put(kv(i, Infinity, 100).key, kv(i, Infinity, 100).value);
    }
    assert.equal(h.claim.durable, mode === 'none' ? 0 : i, mode);
    h.engine.close();
  }
});
