/**
 * Black-box crash points: the writer child under strace, stopped at the K-th call of a system call
 * (after it returned, or instead of making it). raw in sync mode makes one fdatasync per commit, so
 * stopping at the 10th leaves 9 commits acked either way. SQLite as better-sqlite3 builds it syncs
 * with fsync, never fdatasync: a sweep over syscall:fdatasync reports each point inconclusive and says
 * what the writer called instead; a sweep over its first fsyncs runs one power cut per call and
 * reports each, with the file synced; the syscall census gives sqlite its sync columns. Skipped
 * without strace (and, for power, root).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadEngine } from '../engines/registry.js';
import { runCrashTrials } from '../lab/run-trials.js';
import { hasProgram } from '../workspace/exec.js';
import { powerUnavailable } from '../workspace/support.js';
import { crashSpec, KILL, labResidue, power } from './helpers/crash-lab.js';
import { tempDir } from './helpers/tmp.js';

const noStrace = hasProgram('strace') ? false : 'strace is not installed';

test('syscall:fdatasync:10 stops raw after its 10th fdatasync (after it returned, and instead of it)', { skip: noStrace }, async () => {
  const dir = tempDir('crash-syscall');
  const spec = crashSpec('raw', 'sync', null, dir, { valueBytes: 64, seed: 7 });
  for (const when of ['after', 'before'] as const) {
    const s = await runCrashTrials(spec, { setting: KILL, trials: 1, point: { kind: 'syscall', name: 'fdatasync', occurrence: 10, when } });
    const t = s.trials[0]!;
    assert.equal(t.outcome, 'verified', t.error);
    assert.equal(t.acked, 9, when);
    assert.equal(t.declaredDurable, 9);
    assert.equal(t.crashPoint, `syscall:fdatasync:10${when === 'before' ? ':before' : ''}`);
    assert.match(t.syscall ?? '', /^fdatasync\(data\.raw\)$/);
    assert.equal(s.verdict, 'consistent');
    assert.equal(s.syscalls.state, 'counted');
  }
  assert.deepEqual(labResidue(dir), []);
});

const sqliteWhy = noStrace || powerUnavailable('ext4') || (await loadEngine('sqlite').then((f) => f.availability?.() ?? null).catch((e: Error) => e.message));
const sqliteDelete = (dir: string) => crashSpec('sqlite', 'sync', null, dir, { engineOptions: { journal: 'delete' }, seed: 8 });

test('a sqlite --journal delete sweep over syscall:fdatasync runs and reports per point: SQLite here syncs with fsync, so each is inconclusive, and says so', { skip: sqliteWhy ?? false }, async () => {
  const dir = tempDir('crash-syscall');
  const s = await runCrashTrials(sqliteDelete(dir), { setting: power('ext4'), trials: 1, sweep: { kind: 'syscall', name: 'fdatasync', from: 1, to: 3, when: 'after' }, pointCapMs: 1500 });
  assert.equal(s.instants, 3);
  assert.deepEqual(s.trials.map((t) => t.crashPoint), ['syscall:fdatasync:1', 'syscall:fdatasync:2', 'syscall:fdatasync:3']);
  assert.ok(s.trials.every((t) => t.outcome === 'errored' && /the writer made 0 fdatasync call\(s\); it made \d+ fsync/.test(t.error ?? '')), s.trials.map((t) => t.error).join(' | '));
  assert.equal(s.verdict, 'inconclusive');
  assert.deepEqual(labResidue(dir), []);
});

test('a sqlite --journal delete sweep over its first 24 fsyncs: one power cut after each, each reported with the file (or directory) synced', { skip: sqliteWhy ?? false }, async () => {
  const dir = tempDir('crash-syscall');
  const s = await runCrashTrials(sqliteDelete(dir), { setting: power('ext4'), trials: 1, sweep: { kind: 'syscall', name: 'fsync', from: 1, to: 24, when: 'after' } });
  assert.equal(s.setting.crashAt, 'syscall:fsync:1..syscall:fsync:24');
  assert.equal(s.instants, 24);
  assert.equal(s.trialsErrored, 0, JSON.stringify(s.trials.map((t) => t.error).filter((e) => e)));
  for (let k = 1; k <= 24; k++) {
    const at = s.trials.filter((t) => t.crashPoint === `syscall:fsync:${k}`);
    assert.ok(at.length >= 1, `no trial at fsync ${k}`);
    assert.ok(at.every((t) => /^fsync\((kv\.sqlite(-journal)?|engine)\)$/.test(t.syscall ?? '')), at.map((t) => t.syscall).join(','));
  }
  // Acked commits only grow along the sweep.
  const acked = s.trials.map((t) => t.acked);
  assert.deepEqual([...acked].sort((a, b) => a - b), acked);
  assert.ok(acked.at(-1)! >= 2, `acked ${acked.join(',')}`);
  assert.equal(s.lostMax, 0);
  assert.equal(s.corruptTotal, 0);
  assert.equal(s.verdict, 'consistent', s.verdictReason);
  // The census gives sqlite sync columns the io layer cannot.
  assert.equal(s.syscalls.state, 'counted');
  if (s.syscalls.state === 'counted') assert.ok((s.syscalls.calls['fsync'] ?? 0) + (s.syscalls.calls['fsync-dir'] ?? 0) >= 24 && (s.syscalls.calls['fsync-dir'] ?? 0) > 0, JSON.stringify(s.syscalls));
  assert.deepEqual(labResidue(dir), []);
});
