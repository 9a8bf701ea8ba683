/**
 * bitcask beyond the conformance suite: rotation, merge with hint files, recovery from hints, and a
 * kill crash after every numbered io operation of a merge.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { bitcaskEngine } from '../engines/bitcask/engine.js';
import { keyOf, killSnapshot, openEngine, valueOf, type OpenSpec, type TestEngine } from './helpers/engine.js';
import { tempDir } from './helpers/tmp.js';

const SMALL: OpenSpec = { options: { 'bitcask-file-bytes': 4096, 'bitcask-merge-files': 3 } };
const KEYS = 40;

/** Overwrite KEYS keys `rounds` times with 100-byte values (each file holds ~35 records). */
async function churn(e: TestEngine, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) for (let i = 0; i < KEYS; i++) await e.put(keyOf(i), valueOf(i, round, 100));
}

async function expectLatest(e: TestEngine, round: number, what: string): Promise<void> {
  for (let i = 0; i < KEYS; i++) {
    const got = await e.get(keyOf(i));
    assert.ok(got?.equals(valueOf(i, round, 100)), `${what}: key ${i} is not its latest value`);
  }
}

const dataFiles = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.data'));
const hintFiles = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.hint'));

test('rotation and merge keep the newest value of every key; merge writes hint files', async () => {
  const dir = tempDir('bitcask');
  const e = await openEngine(bitcaskEngine, dir, SMALL);
  await churn(e, 10);
  const markers = e.io.markers();
  assert.ok((markers.get('file-rotated') ?? 0) >= 6, 'files rotated');
  assert.ok((markers.get('merge-done') ?? 0) >= 1, 'a merge ran');
  assert.ok((e.phases.get('merge') ?? 0) > 0, 'merge phase recorded');
  await expectLatest(e, 9, 'before close');
  await e.close();
  assert.ok(hintFiles(dir).length >= 1, 'hint files exist');
  // A merge leaves only live records: fewer files than ~4000 record bytes × 10 rounds would need.
  assert.ok(dataFiles(dir).length < 10, `${dataFiles(dir).length} data files after merging`);
  const again = await openEngine(bitcaskEngine, dir, SMALL);
  assert.equal(again.recovery.crcFailures, 0);
  await expectLatest(again, 9, 'after reopen');
  await again.close();
});

test('a damaged hint file falls back to scanning its data file', async () => {
  const dir = tempDir('bitcask');
  const e = await openEngine(bitcaskEngine, dir, SMALL);
  await churn(e, 10);
  await e.close();
  const hint = path.join(dir, hintFiles(dir)[0]!);
  const b = fs.readFileSync(hint);
  b[4]! ^= 0xff;
  fs.writeFileSync(hint, b);
  const again = await openEngine(bitcaskEngine, dir, SMALL);
  assert.ok(
    again.recovery.notes.some((n) => n.includes('damaged hint')),
    again.recovery.notes.join('; '),
  );
  await expectLatest(again, 9, 'after hint damage');
  await again.close();
});

test('sync mode fsyncs the directory on every rotation; none mode issues no sync at all', async () => {
  for (const mode of ['sync', 'none'] as const) {
    const e = await openEngine(bitcaskEngine, tempDir('bitcask'), {
      mode,
      options: { 'bitcask-file-bytes': 4096, 'bitcask-merge-files': 0 },
    });
    const dirBefore = e.io.syncCounts.dirfsync;
    await churn(e, 3);
    const rotations = e.io.markers().get('file-rotated') ?? 0;
    assert.ok(rotations >= 2);
    assert.equal(e.io.syncCounts.dirfsync - dirBefore, mode === 'sync' ? rotations : 0, mode);
    if (mode === 'none') assert.equal(e.io.syncTotal, 0);
    await e.close();
  }
});

test('kill crash after every io operation of a merge: recovery keeps every key at its latest value', async () => {
  const dir = tempDir('bitcask');
  const e = await openEngine(bitcaskEngine, dir, SMALL);
  let inMerge = false;
  /** The put in progress: the merge runs inside it, after its record was synced (so it is acked). */
  const cur = { round: 0, i: 0 };
  const snapshots: { dir: string; round: number; i: number }[] = [];
  e.io.onMarker = (name) => {
    if (name === 'merge-start') inMerge = true;
    if (name === 'merge-done') inMerge = false;
  };
  e.io.onOp = () => {
    // Only the first merge: enough operations to cover every step of the protocol.
    if (inMerge && (e.io.markers().get('merge-done') ?? 0) === 0) snapshots.push({ dir: killSnapshot(dir, 'merge-crash'), ...cur });
  };
  for (cur.round = 0; cur.round < 6 && (e.io.markers().get('merge-done') ?? 0) === 0; cur.round++) {
    for (cur.i = 0; cur.i < KEYS; cur.i++) await e.put(keyOf(cur.i), valueOf(cur.i, cur.round, 100));
  }
  await e.close();
  assert.ok(snapshots.length > 10, `${snapshots.length} crash points in the merge`);
  for (const s of snapshots) {
    const r = await openEngine(bitcaskEngine, s.dir, SMALL);
    for (let i = 0; i < KEYS; i++) {
      const round = i <= s.i ? s.round : s.round - 1;
      const got = await r.get(keyOf(i));
      assert.ok(got?.equals(valueOf(i, round, 100)), `crash point ${s.dir}: key ${i} is not its latest acked value`);
    }
    await r.close();
  }
});
