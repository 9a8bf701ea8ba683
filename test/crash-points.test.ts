/**
 * Crash points: parsing, and a real writer child stopped exactly after the K-th io operation.
 * raw in sync mode numbers its operations: 1 create data.raw, 2 directory fsync, then per commit
 * i: write (2i + 1) and fdatasync (2i + 2). Stopping after op 2i + 2 (the sync of commit i returned,
 * not yet acked) leaves i − 1 commits in the ledger.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCrashPoint, parseCrashSweep } from '../lab/crash-point.js';
import { runCrashTrials } from '../lab/run-trials.js';
import { crashSpec, engineNamed, KILL, labResidue } from './helpers/crash-lab.js';
import { tempDir } from './helpers/tmp.js';

test('crash points parse, and bad ones name the option and the fix', () => {
  assert.deepEqual(parseCrashPoint('op:7'), { kind: 'op', op: 7 });
  assert.deepEqual(parseCrashPoint('marker:wal-truncated'), { kind: 'marker', name: 'wal-truncated', occurrence: 1 });
  assert.deepEqual(parseCrashPoint('marker:flush-start:3'), { kind: 'marker', name: 'flush-start', occurrence: 3 });
  assert.deepEqual(parseCrashPoint('random'), { kind: 'random' });
  assert.match(String(parseCrashPoint('op:0')), /--crash-at op:K needs K ≥ 1/);
  assert.match(String(parseCrashPoint('later')), /--crash-at must be random, op:K/);
  assert.deepEqual(parseCrashPoint('syscall:fdatasync:3'), { kind: 'syscall', name: 'fdatasync', occurrence: 3, when: 'after' });
  assert.deepEqual(parseCrashPoint('syscall:rename:1:before'), { kind: 'syscall', name: 'rename', occurrence: 1, when: 'before' });
  assert.match(String(parseCrashPoint('syscall:open:1')), /syscall 'open' is not one the lab stops at/);
  assert.match(String(parseCrashPoint('syscall:fsync:70000')), /K must be from 1 to 65534/);
  assert.deepEqual(parseCrashSweep('marker:a..marker:b:2'), { kind: 'marker', from: { name: 'a', occurrence: 1 }, to: { name: 'b', occurrence: 2 } });
  assert.deepEqual(parseCrashSweep('syscall:fdatasync:2..syscall:fdatasync:9'), { kind: 'syscall', name: 'fdatasync', from: 2, to: 9, when: 'after' });
  assert.deepEqual(parseCrashSweep('syscall:fsync:1..syscall:fsync:4:before'), { kind: 'syscall', name: 'fsync', from: 1, to: 4, when: 'before' });
  assert.match(String(parseCrashSweep('syscall:fsync:1..syscall:fdatasync:4')), /both ends must name the same/);
  assert.match(String(parseCrashSweep('marker:a')), /--crash-sweep must look like/);
});

test('op:K stops the writer after exactly the K-th io operation (kill)', async () => {
  const dir = tempDir('crash-op');
  const base = crashSpec('raw', 'sync', null, dir, { valueBytes: 64, seed: 7 });
  const atSync = await runCrashTrials(base, { setting: KILL, trials: 1, point: { kind: 'op', op: 2 * 10 + 2 } });
  assert.equal(atSync.trials[0]!.error, undefined);
  assert.equal(atSync.trials[0]!.acked, 9);
  assert.equal(atSync.lostMax, 0);
  const atWrite = await runCrashTrials(base, { setting: KILL, trials: 1, point: { kind: 'op', op: 2 * 10 + 1 } });
  assert.equal(atWrite.trials[0]!.acked, 9);
  assert.equal(atWrite.trials[0]!.crashPoint, 'op:21');
  assert.deepEqual(labResidue(dir), []);
});

test('a crash point that is never reached is an errored trial, not a hang', async () => {
  const dir = tempDir('crash-op');
  const s = await runCrashTrials(
    crashSpec('raw', 'sync', null, dir, { valueBytes: 64, seed: 7 }),
    { setting: KILL, trials: 1, point: { kind: 'marker', name: 'never-announced', occurrence: 1 }, maxCommits: 50 },
  );
  assert.equal(s.trialsErrored, 1);
  assert.match(s.trials[0]!.error ?? '', /was not reached/);
});

test('a crash sweep runs one trial per io operation between two markers', { skip: engineNamed('wal')?.markers.includes('segment-rotated') ? false : 'wal with marker segment-rotated not available' }, async () => {
  const dir = tempDir('crash-sweep');
  const s = await runCrashTrials(
    crashSpec('wal', 'sync', null, dir, { engineOptions: { 'segment-bytes': 4096 }, valueBytes: 1024, seed: 3 }),
    { setting: KILL, trials: 1, sweep: { kind: 'marker', from: { name: 'segment-rotated', occurrence: 1 }, to: { name: 'segment-rotated', occurrence: 2 } } },
  );
  assert.ok(s.trials.length > 2, `${s.trials.length} trials`);
  assert.equal(s.trialsErrored, 0);
  assert.equal(s.lostMax, 0);
  assert.equal(s.corruptTotal, 0);
});
