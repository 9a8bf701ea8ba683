import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyncPolicy } from '../../engines/sync-policy.js';
import { ExposureTracker } from '../../workers/exposure.js';
import type { Durability, Mode } from '../../model/durability.js';

const setting = (mode: Mode, batchSize: number, batchMs: number | null): Durability => (mode === 'batch' ? { mode, batchSize, batchMs } : { mode });

/** A fake clock the test moves by hand. */
function fakeClock(): { now: () => bigint; advance: (ns: number) => void } {
  let t = 1_000_000n;
  return { now: () => t, advance: (ns) => (t += BigInt(ns)) };
}

/** Drive `commits` commits through a policy the way an engine does; count syncs. */
function drive(mode: Mode, batchSize: number, batchMs: number | null, commits: number, stepNs = 1000) {
  const clock = fakeClock();
  const tracker = new ExposureTracker(mode, clock.now);
  const policy = new SyncPolicy(setting(mode, batchSize, batchMs), tracker, clock.now);
  tracker.startMeasuring(clock.now());
  let syncs = 0;
  for (let i = 0; i < commits; i++) {
    policy.append();
    clock.advance(stepNs);
    if (policy.due()) {
      syncs += 1;
      policy.synced();
    }
    tracker.acked(clock.now());
  }
  return { syncs, tracker, policy };
}

test('sync mode: one sync per commit, zero exposure, nothing pending', () => {
  const { syncs, tracker } = drive('sync', 1, null, 100);
  assert.equal(syncs, 100);
  assert.equal(tracker.maxPending, 0);
  const e = tracker.encodeExposure();
  assert.equal(e.count, 100);
  assert.equal(e.max, 0);
  assert.equal(tracker.commitsPerSync.min, 1);
  assert.equal(tracker.commitsPerSync.max, 1);
});

test('batch mode: a sync every N commits, at most N-1 acked unsynced', () => {
  const { syncs, tracker, policy } = drive('batch', 8, null, 100, 1000);
  assert.equal(syncs, 12); // 96 commits synced, 4 pending
  assert.equal(policy.pending, 4);
  assert.equal(tracker.maxPending, 7);
  assert.equal(tracker.commitsPerSync.count, 12);
  assert.equal(tracker.commitsPerSync.max, 8); // commits, not nanoseconds
  // The first commit of a batch waits for 7 more commits (7 × 1000 ns) until the sync returns.
  const e = tracker.encodeExposure();
  assert.equal(e.max, 7000);
  assert.equal(e.unit, 'ns');
  assert.equal(e.count, 96);
  assert.equal(e.min, 0);
});

test('batch mode with batchMs: the time limit fires before the size limit', () => {
  // 1 ms per commit, batch of 1000 or 5 ms: syncs after every 5 commits (elapsed since the oldest).
  const { syncs, tracker } = drive('batch', 1000, 5, 50, 1_000_000);
  assert.equal(syncs, 10);
  assert.equal(tracker.commitsPerSync.max, 5);
  assert.equal(tracker.commitsPerSync.unit, 'count');
  assert.ok(tracker.exposure.max <= 4_000_000, `exposure ${tracker.exposure.max}`);
});

test('none mode: never syncs, exposure unbounded, every acked commit pending', () => {
  const { syncs, tracker } = drive('none', 1, null, 100);
  assert.equal(syncs, 0);
  assert.equal(tracker.unbounded, true);
  assert.equal(tracker.maxPending, 100);
  assert.equal(tracker.exposureCount, 0);
});

test('warm-up commits are not measured', () => {
  const clock = fakeClock();
  const tracker = new ExposureTracker('batch', clock.now);
  const policy = new SyncPolicy(setting('batch', 4, null), tracker, clock.now);
  const commit = () => {
    policy.append();
    if (policy.due()) policy.synced();
    tracker.acked(clock.now());
  };
  for (let i = 0; i < 6; i++) commit(); // warm-up: one sync, 2 pending
  tracker.startMeasuring(clock.now());
  for (let i = 0; i < 8; i++) commit();
  // Measured: the 8 commits after the start; the 2 pending warm-up commits are covered but not counted.
  assert.equal(tracker.exposureCount, 8 - 2);
  assert.equal(tracker.commitsPerSync.count, 2);
});
