/**
 * The drive's volatile write cache (power cuts on the lab's stacked loop drive): an engine that acks
 * O_DIRECT writes without ever flushing (test/fixtures/engines/direct-no-fsync.mjs) is a DURABILITY BUG
 * under `--device-cache volatile` on ext4 and xfs and consistent under `none` (its writes reached the
 * device); under `reorder` a subset of its cached slots survives, leaving gaps; every correct engine
 * in sync mode loses nothing under `volatile` and `reorder` over at least 30 verified crash states.
 * Device truth comes from the drive's own counters. Skipped without root, loop devices or mkfs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { runCrashTrials } from '../lab/run-trials.js';
import type { LabFs } from '../model/crash-report.js';
import { powerUnavailable } from '../workspace/support.js';
import { crashSpec, engineNamed, labResidue, power, windowS } from './helpers/crash-lab.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const DIRECT = path.join(repoRoot, 'test', 'fixtures', 'engines', 'direct-no-fsync.mjs');
const SHORT = windowS(0.05, 0.3);

describe('drive-cache model', { skip: powerUnavailable('ext4') ?? false }, () => {
  const dir = tempDir('crash-cache');
  after(() => assert.deepEqual(labResidue(dir), [], 'a mount or loop device was left behind'));

  for (const fsType of ['ext4', 'xfs'] as LabFs[]) {
    test(`O_DIRECT acked without a flush on ${fsType}: DURABILITY BUG under volatile, consistent under none`, { skip: powerUnavailable(fsType) ?? false }, async () => {
      const spec = crashSpec(DIRECT, 'sync', null, dir, { seed: 3 });
      const volatile = await runCrashTrials(spec, { setting: power(fsType, { deviceCache: 'volatile' }), trials: 3, window: SHORT });
      assert.equal(volatile.trialsErrored, 0, JSON.stringify(volatile.trials.map((t) => t.error)));
      assert.equal(volatile.verdict, 'durability-bug', volatile.verdictReason);
      assert.ok(volatile.lostDeclaredMax > 0);
      assert.ok(volatile.trials.every((t) => t.image === 'flushed' && (t.cachedBlocks ?? 0) > 0 && t.keptBlocks === 0));
      assert.equal(volatile.corruptTotal, 0);
      const none = await runCrashTrials(spec, { setting: power(fsType, { deviceCache: 'none' }), trials: 3, window: SHORT });
      assert.equal(none.trialsErrored, 0, JSON.stringify(none.trials.map((t) => t.error)));
      assert.equal(none.trialsVerified, 3);
      assert.ok(none.trials.every((t) => t.image === 'device' && t.acked > 0));
      assert.equal(none.lostMax, 0);
      assert.equal(none.verdict, 'consistent', none.verdictReason);
      // The device itself says why: almost no flushes per commit.
      assert.equal(none.device.state, 'measured');
      if (none.device.state === 'measured') assert.ok((none.device.flushesPerCommit ?? 1) < 0.1, String(none.device.flushesPerCommit));
    });
  }

  // ext4's `nobarrier` (barrier=0) makes fsync and journal commits send no FLUSH or FUA, so nothing
  // written since the mount is durable on a drive with a volatile cache (ext4(5): "barrier=0").
  test('a filesystem mounted with barriers off: wal sync is a DURABILITY BUG under volatile, consistent under none', async () => {
    const spec = crashSpec('wal', 'sync', null, dir, { seed: 5 });
    const volatile = await runCrashTrials(spec, { setting: power('ext4', { deviceCache: 'volatile', mountOptions: 'nobarrier' }), trials: 3, window: SHORT });
    assert.equal(volatile.trialsErrored, 0, JSON.stringify(volatile.trials.map((t) => t.error)));
    assert.equal(volatile.verdict, 'durability-bug', volatile.verdictReason);
    assert.equal(volatile.device.state, 'measured');
    if (volatile.device.state === 'measured') assert.equal(volatile.device.flushesPerCommit, 0, 'no flush reached the drive');
    const none = await runCrashTrials(spec, { setting: power('ext4', { deviceCache: 'none', mountOptions: 'nobarrier' }), trials: 3, window: SHORT });
    assert.equal(none.trialsErrored, 0, JSON.stringify(none.trials.map((t) => t.error)));
    assert.equal(none.trialsVerified, 3);
    assert.equal(none.lostMax, 0, none.verdictReason);
    assert.equal(none.verdict, 'consistent', none.verdictReason);
  });

  test('reorder and torn: subsets of the cached slots survive (gaps after a lost slot), torn slots are never read as values', async () => {
    const s = await runCrashTrials(crashSpec(DIRECT, 'sync', null, dir, { seed: 4 }), {
      setting: power('ext4', { deviceCache: 'reorder', reorderStates: 4, torn: true }),
      trials: 3,
      window: SHORT,
    });
    assert.equal(s.trialsErrored, 0, JSON.stringify(s.trials.map((t) => t.error)));
    assert.ok(s.trials.some((t) => t.image === 'reorder' && (t.keptBlocks ?? 0) > 0));
    assert.ok(s.trials.some((t) => t.image === 'torn'));
    assert.ok(s.trialsWithGaps > 0, 'a subset of the cache that skips a slot leaves a gap');
    assert.ok(s.trials.some((t) => t.lostRanges.some((r) => r.where === 'gap')));
    assert.equal(s.corruptTotal, 0);
    assert.equal(s.verdict, 'durability-bug');
  });

  for (const name of ['wal', 'lsm', 'bitcask', 'btree']) {
    for (const deviceCache of ['volatile', 'reorder'] as const) {
      test(`${name} in sync mode loses no acked commit under ${deviceCache} over at least 30 crash states`, { skip: engineNamed(name) ? false : `${name} not available` }, async () => {
        const engineOptions: Record<string, number> = name === 'lsm' ? { 'memtable-bytes': 16384 } : name === 'btree' ? { 'checkpoint-commits': 50 } : {};
        const s = await runCrashTrials(crashSpec(name, 'sync', null, dir, { seed: 9, engineOptions }), { setting: power('ext4', { deviceCache }), trials: 30 });
        assert.equal(s.trialsErrored, 0, JSON.stringify(s.trials.map((t) => t.error).filter((e) => e)));
        assert.equal(s.instants, 30);
        assert.ok(s.trialsVerified >= 30, `${s.trialsVerified} verified`);
        assert.equal(s.lostMax, 0, s.verdictReason);
        assert.equal(s.corruptTotal, 0);
        assert.equal(s.recoveryFailures, 0);
        assert.equal(s.verdict, 'consistent', s.verdictReason);
        assert.equal(s.device.state, 'measured');
        if (s.device.state === 'measured') {
          assert.equal(s.device.approximate, false);
          assert.ok((s.device.flushesPerCommit ?? 0) >= 1, `${s.device.flushesPerCommit} device flushes per commit`);
          assert.ok((s.device.bytesPerCommittedByte ?? 0) > 1);
        }
      });
    }
  }
});

// The kernel's flusher writes a block device's dirty pages back dirty_expire after they got dirty
// (woken every dirty_writeback): a crash instant after both has a partly destaged cache, and says so.
const expireS = Number(readSysctl('dirty_expire_centisecs')) / 100;
const wakeS = Number(readSysctl('dirty_writeback_centisecs')) / 100;
const destageAfterS = Math.ceil(expireS + wakeS) + 2;
const destageSkip = powerUnavailable('ext4') ?? (Number.isFinite(destageAfterS) && destageAfterS <= 60 ? false : `vm.dirty_expire_centisecs + dirty_writeback_centisecs = ${destageAfterS} s: too long for a test`);

function readSysctl(name: string): string {
  try {
    return fs.readFileSync(`/proc/sys/vm/${name}`, 'utf8').trim();
  } catch {
    return 'NaN';
  }
}

test('a long run crosses the kernel writeback of the drive cache: the crash state is marked destaged', { skip: destageSkip }, async () => {
  const dir = tempDir('crash-destage');
  // lazytime: the O_DIRECT writes' mtime updates stay in memory, so no journal commit flushes the cache first.
  const s = await runCrashTrials(crashSpec(DIRECT, 'sync', null, dir, { seed: 5, engineOptions: { 'direct-pause-ms': 20 } }), {
    setting: power('ext4', { deviceCache: 'volatile', mountOptions: 'lazytime' }),
    trials: 1,
    window: windowS(destageAfterS, destageAfterS + 3),
  });
  assert.equal(s.trialsErrored, 0, JSON.stringify(s.trials.map((t) => t.error)));
  const t = s.trials[0]!;
  assert.match(t.destaged ?? '', /the kernel's flusher wrote \d+ cached page\(s\) to the medium during this run/, JSON.stringify(t.notes));
  assert.equal(s.destagedTrials, 1);
  // What the flusher wrote survived; what came after it did not.
  assert.ok(t.lost < t.acked, `${t.lost} of ${t.acked} lost`);
  assert.deepEqual(labResidue(dir), []);
});
