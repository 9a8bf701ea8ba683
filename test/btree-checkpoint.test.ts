/**
 * btree beyond the conformance suite: splits, the checkpoint protocol's order of syncs, crashes at
 * every io operation of a checkpoint (with torn in-place pages repaired from the WAL's images), and
 * what `btree-no-wal-fsync` costs under a simulated power cut (unsynced WAL bytes lost).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { btreeEngine } from '../engines/btree/engine.js';
import { keyOf, killSnapshot, openEngine, valueOf, type TestEngine } from './helpers/engine.js';
import { tempDir } from './helpers/tmp.js';

const WAL = 'btree.wal';
const PAGES = 'btree.pages';

/** A deterministic permutation of 0..n-1. */
function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function expectKeys(e: TestEngine, keys: readonly number[], bytes: (i: number) => number, what: string): Promise<void> {
  for (const i of keys) {
    const got = await e.get(keyOf(i));
    assert.ok(got?.equals(valueOf(i, 0, bytes(i))), `${what}: key ${i} lost or wrong`);
  }
}

test('random-order inserts split leaves and internal nodes; every key readable before and after reopen', async () => {
  const dir = tempDir('btree');
  const order = shuffled(5000);
  const bytes = (i: number) => 50 + (i % 250);
  const e = await openEngine(btreeEngine, dir, { mode: 'none', options: { 'checkpoint-commits': 500 } });
  for (const i of order) await e.put(keyOf(i), valueOf(i, 0, bytes(i)));
  assert.ok(e.engine.stats!()['height']! >= 3, `height ${e.engine.stats!()['height']}`);
  await expectKeys(e, order, bytes, 'before close');
  await e.close();
  const again = await openEngine(btreeEngine, dir, { mode: 'none' });
  assert.equal(again.recovery.crcFailures, 0);
  await expectKeys(again, order, bytes, 'after reopen');
  await again.close();
});

test('checkpoint order: fresh pages synced, WAL images synced, pages overwritten and synced, then WAL truncated', async () => {
  const e = await openEngine(btreeEngine, tempDir('btree'), { mode: 'sync', options: { 'checkpoint-commits': 8 } });
  const windows: { start: number; end: number }[] = [];
  e.io.onMarker = (name) => {
    if (name === 'checkpoint-start') windows.push({ start: e.io.ops.length, end: -1 });
    if (name === 'checkpoint-done') windows.at(-1)!.end = e.io.ops.length;
  };
  for (let i = 0; i < 64; i++) await e.put(keyOf(i), valueOf(i, 0, 300));
  assert.equal(windows.length, 8);
  for (const w of windows.slice(1)) {
    const ops = e.io.ops.slice(w.start, w.end).map((op) => `${op.kind}:${path.basename(op.path)}`);
    const syncs = ops.filter((o) => o.startsWith('sync:') || o.startsWith('truncate:'));
    assert.deepEqual(syncs.slice(-4), [`sync:${WAL}`, `sync:${PAGES}`, `truncate:${WAL}`, `sync:${WAL}`], ops.join(' '));
    // The image batch is written to the WAL and synced before any page is overwritten in place.
    const walSync = ops.lastIndexOf(`sync:${WAL}`, ops.indexOf(`truncate:${WAL}`));
    const imageWrite = ops.lastIndexOf(`write:${WAL}`, walSync);
    assert.ok(imageWrite >= 0 && ops.slice(walSync).includes(`write:${PAGES}`), 'in-place page writes after the image batch is durable');
  }
  assert.equal(e.io.markers().get('wal-truncated'), 8);
  assert.ok((e.phases.get('checkpoint') ?? 0) > 0);
  await e.close();
});

test('kill crash after every io operation of a checkpoint, and torn in-place pages: nothing acked is lost', async () => {
  const dir = tempDir('btree');
  const e = await openEngine(btreeEngine, dir, { mode: 'sync', options: { 'checkpoint-commits': 10 } });
  let acked = 0;
  let inPlace = false;
  const crashes: { dir: string; acked: number; torn: { start: number; bytes: number } | null }[] = [];
  e.io.onMarker = (name) => {
    if (name === 'checkpoint-wal-synced') inPlace = true;
    if (name === 'pages-synced') inPlace = false;
  };
  e.io.onOp = (op) => {
    if (e.io.markers().get('checkpoint-start') === undefined || (e.io.markers().get('checkpoint-done') ?? 0) >= 3) return;
    const last = e.io.writes.at(-1);
    const tearable = inPlace && op.kind === 'write' && path.basename(op.path) === PAGES && last;
    crashes.push({ dir: killSnapshot(dir, 'ckpt-crash'), acked, torn: tearable ? { start: last.start, bytes: last.bytes } : null });
  };
  for (let i = 0; i < 40; i++) {
    await e.put(keyOf(i), valueOf(i, 0, 300));
    acked = i + 1;
  }
  await e.close();
  assert.ok(
    crashes.some((c) => c.torn),
    'some crash points fall between image sync and page sync',
  );
  for (const c of crashes) {
    if (c.torn) {
      // A torn in-place page write: its second half never reached the disk.
      const fd = fs.openSync(path.join(c.dir, PAGES), 'r+');
      fs.writeSync(
        fd,
        Buffer.alloc(c.torn.bytes - (c.torn.bytes >> 1)),
        0,
        c.torn.bytes - (c.torn.bytes >> 1),
        c.torn.start + (c.torn.bytes >> 1),
      );
      fs.closeSync(fd);
    }
    const r = await openEngine(btreeEngine, c.dir, { mode: 'sync', options: { 'checkpoint-commits': 10 } });
    await expectKeys(
      r,
      Array.from({ length: c.acked }, (_, i) => i),
      () => 300,
      `crash point ${c.dir}${c.torn ? ' (torn page)' : ''}`,
    );
    await r.close();
  }
});

/**
 * Simulated power cut after every io operation: the page file as the OS has it, the WAL cut to the
 * length it had at its last fdatasync (unsynced WAL bytes are lost). Returns acked commits lost, per crash point.
 */
async function powerCutLosses(faults: string[]): Promise<number[]> {
  const dir = tempDir('btree-power');
  const spec = { mode: 'sync' as const, faults, options: { 'checkpoint-commits': 8 } };
  const e = await openEngine(btreeEngine, dir, spec);
  let acked = 0;
  let walDurable = 0;
  const crashes: { dir: string; acked: number; walBytes: number }[] = [];
  e.io.onOp = (op) => {
    if (path.basename(op.path) === WAL && op.kind === 'sync') walDurable = fs.statSync(path.join(dir, WAL)).size;
    crashes.push({ dir: killSnapshot(dir, 'power'), acked, walBytes: walDurable });
  };
  for (let i = 0; i < 30; i++) {
    await e.put(keyOf(i), valueOf(i, 0, 300));
    acked = i + 1;
  }
  e.io.onOp = null;
  await e.close();
  const losses: number[] = [];
  for (const c of crashes) {
    const wal = path.join(c.dir, WAL);
    if (fs.statSync(wal).size > c.walBytes) fs.truncateSync(wal, c.walBytes);
    const r = await openEngine(btreeEngine, c.dir, spec);
    let lost = 0;
    for (let i = 0; i < c.acked; i++) if (!(await r.get(keyOf(i)))?.equals(valueOf(i, 0, 300))) lost += 1;
    losses.push(lost);
    await r.close();
    fs.rmSync(c.dir, { recursive: true, force: true });
  }
  return losses;
}

test('btree-no-wal-fsync loses acked commits under a simulated power cut; the correct protocol loses none', async () => {
  const clean = await powerCutLosses([]);
  assert.equal(Math.max(...clean), 0, 'the correct engine lost acked commits');
  const faulted = await powerCutLosses(['btree-no-wal-fsync']);
  assert.ok(Math.max(...faulted) > 0, 'the fault lost nothing: it does not reproduce the defect');
});

test('overwritten overflow values are reused after a checkpoint (the page file does not grow without bound)', async () => {
  const dir = tempDir('btree');
  const e = await openEngine(btreeEngine, dir, { mode: 'none', options: { 'checkpoint-commits': 4 } });
  const big = (round: number) => Buffer.alloc(64 * 1024, round);
  for (let round = 0; round < 100; round++) await e.put(Buffer.from('big'), big(round));
  assert.ok((await e.get(Buffer.from('big')))?.equals(big(99)));
  const pages = e.engine.stats!()['pages']!;
  assert.ok(pages < 200, `${pages} pages for one 64 KiB value overwritten 100 times`);
  await e.close();
  const again = await openEngine(btreeEngine, dir, { mode: 'none' });
  assert.ok((await again.get(Buffer.from('big')))?.equals(big(99)));
  await again.close();
});
