/**
 * What the lab says about which commits were lost, and per writer: an engine that silently drops
 * every 100th acked commit (test/fixtures/engines/drop-every.mjs) has exactly those commits listed as
 * gaps — no loss window — after a kill; a case with several writers runs them in one child, each with
 * its own ledger, and is verified writer by writer.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { runCrashTrials } from '../lab/run-trials.js';
import { powerUnavailable } from '../workspace/support.js';
import { crashSpec, KILL, labResidue, power, windowS } from './helpers/crash-lab.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const DROP = path.join(repoRoot, 'test', 'fixtures', 'engines', 'drop-every.mjs');

test('a gap-dropping engine: every 100th commit lost, listed exactly as gaps, a durability bug', async () => {
  const dir = tempDir('crash-gaps');
  // Crashed at a fixed io operation (a write and an fdatasync per kept commit: about 350 commits), not
  // at an instant: on a loaded machine 0.2 s may hold fewer than the 100 commits the first drop needs.
  const s = await runCrashTrials(crashSpec(DROP, 'sync', null, dir, { seed: 2 }), { setting: KILL, trials: 2, point: { kind: 'op', op: 700 } });
  assert.equal(s.trialsErrored, 0, JSON.stringify(s.trials.map((t) => t.error)));
  for (const t of s.trials) {
    assert.ok(t.acked >= 100, `only ${t.acked} acked`);
    const expected = [];
    for (let n = 100; n <= t.acked; n += 100) expected.push({ writer: 0, from: n, to: n, where: n === t.acked ? 'tail' : 'gap' });
    assert.deepEqual(t.lostRanges, expected);
    assert.equal(t.lostRangeCount, expected.length);
    assert.equal(t.lost, expected.length);
    assert.equal(t.lostDeclared, expected.length);
    assert.equal(t.lostGap, expected.filter((r) => r.where === 'gap').length);
    // A gap is no loss window: the window covers the tail only.
    if (t.acked % 100 !== 0) assert.equal(t.lossWindowCommits, 0);
  }
  assert.equal(s.verdict, 'durability-bug');
  assert.ok(s.trialsWithGaps > 0);
  assert.deepEqual(labResidue(dir), []);
});

test('several writers run in one child: acks per writer, verified writer by writer (kill)', async () => {
  const dir = tempDir('crash-writers');
  const s = await runCrashTrials(crashSpec('wal', 'sync', null, dir, { writers: 3, seed: 5 }), { setting: KILL, trials: 2, window: windowS(0.1, 0.3) });
  assert.equal(s.trialsErrored, 0, JSON.stringify(s.trials.map((t) => t.error)));
  for (const t of s.trials) {
    assert.equal(t.writers?.length, 3);
    assert.ok(t.writers!.every((w) => w.acked > 0 && w.lost === 0 && w.declaredDurable === w.acked));
    assert.equal(t.acked, t.writers!.reduce((n, w) => n + w.acked, 0));
  }
  assert.equal(s.verdict, 'consistent', s.verdictReason);
  assert.deepEqual(labResidue(dir), []);
});

test('several writers under a power cut with a volatile drive cache: none loses an acked commit', { skip: powerUnavailable('ext4') ?? false }, async () => {
  const dir = tempDir('crash-writers');
  const s = await runCrashTrials(crashSpec('wal', 'sync', null, dir, { writers: 2, seed: 6 }), { setting: power('ext4'), trials: 4 });
  assert.equal(s.trialsErrored, 0, JSON.stringify(s.trials.map((t) => t.error)));
  // Every crash state verifies both writers; an instant early in the run may precede one thread's
  // first ack (a loaded machine starts threads late), so each writer must have acked in some state.
  assert.ok(s.trials.every((t) => t.writers?.length === 2));
  for (const w of [0, 1]) assert.ok(s.trials.some((t) => (t.writers![w]?.acked ?? 0) > 0), `writer ${w} acked in some crash state`);
  assert.equal(s.lostMax, 0);
  assert.equal(s.verdict, 'consistent', s.verdictReason);
  assert.deepEqual(labResidue(dir), []);
});
