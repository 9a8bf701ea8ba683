/**
 * Power cut with random partial writeback (`--writeback random`): a seeded random half of the data
 * blocks the replayed copy maps receive the live (newer) data. Shows what an all-or-nothing page-cache
 * loss cannot: a prefix of unsynced records survives, and a torn multi-page update
 * (btree-no-wal-fsync) loses acked commits while the correct btree loses none at the same points.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrashTrials, type CrashCaseSpec } from '../lab/run-trials.js';
import { powerUnavailable } from '../workspace/support.js';
import { parseFiemap } from '../lab/writeback.js';
import { hasProgram } from '../workspace/exec.js';
import { crashSpec, engineNamed, labResidue, power, windowS } from './helpers/crash-lab.js';
import { tempDir } from './helpers/tmp.js';

test('FIEMAP output: data extents in bytes; holes, delalloc and unwritten extents are skipped', () => {
  const text = [
    'm/f:',
    ' EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS',
    '   0: [0..8191]:       192..8383         8192   0x0',
    '   1: [8192..9759]:    hole              1568',
    '   2: [9760..9767]:    16448..16455         8   0x1',
    '   3: [9768..9855]:    16456..16543        88 0x801',
    '   4: [9856..9863]:    0..7                 8   0x5',
  ].join('\n');
  assert.deepEqual(parseFiemap(text), [
    { logical: 0, physical: 192 * 512, bytes: 8192 * 512 },
    { logical: 9760 * 512, physical: 16448 * 512, bytes: 8 * 512 },
  ]);
});

const why = powerUnavailable('ext4') ?? (hasProgram('xfs_io') ? null : 'xfs_io is not installed');

function spec(engine: string, fault: string | null, mode: 'sync' | 'none', dir: string, engineOptions = {}): CrashCaseSpec {
  return crashSpec(engine, mode, fault, dir, { engineOptions });
}

test('raw none on a preallocated file: a prefix of the unsynced records survives a partial writeback', { skip: why ?? false }, async () => {
  const dir = tempDir('crash-wb');
  const s = await runCrashTrials(spec('raw', null, 'none', dir, { preallocate: true, 'prealloc-bytes': 8 * 1024 * 1024 }), {
    setting: power('ext4', { writeback: 'random', deviceCache: 'none' }),
    trials: 3,
    window: windowS(0.03, 0.15),
  });
  assert.equal(s.trialsErrored, 0);
  assert.equal(s.setting.writeback, 'random');
  assert.ok(s.trials.some((t) => t.lost < t.acked), s.trials.map((t) => `${t.acked}/${t.lost}`).join(' '));
  assert.equal(s.corruptTotal, 0);
  assert.deepEqual(labResidue(dir), []);
});

const btree = engineNamed('btree');
const btreeReady = why ?? (btree?.faults.some((f) => f.name === 'btree-no-wal-fsync') ? false : 'btree with btree-no-wal-fsync not available');
const sweep = { kind: 'marker', from: { name: 'checkpoint-done', occurrence: 2 }, to: { name: 'checkpoint-start', occurrence: 3 } } as const;

test('btree-no-wal-fsync loses acked commits in a sweep between checkpoints with partial writeback; correct btree loses none', { skip: btreeReady }, async () => {
  const dir = tempDir('crash-wb');
  const opts = { setting: power('ext4', { writeback: 'random', deviceCache: 'none' }), trials: 1, sweep };
  const faulted = await runCrashTrials(spec('btree', 'btree-no-wal-fsync', 'sync', dir, { 'checkpoint-commits': 20 }), opts);
  assert.equal(faulted.trialsErrored, 0);
  assert.ok(faulted.trialsWithLoss > 0, `no loss in ${faulted.trials.length} crash points`);
  assert.equal(faulted.corruptTotal, 0);
  assert.equal(faulted.verdict, 'durability-bug');
  const correct = await runCrashTrials(spec('btree', null, 'sync', dir, { 'checkpoint-commits': 20 }), opts);
  assert.equal(correct.trialsErrored, 0);
  assert.equal(correct.lostMax, 0);
  assert.equal(correct.corruptTotal, 0);
  assert.deepEqual(labResidue(dir), []);
});
