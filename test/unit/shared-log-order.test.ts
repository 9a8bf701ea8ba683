/**
 * The prefix check of a crashed shared log (analysis/log-order.ts) and how the verdict uses it: a
 * survivor after a lost commit of its own writer, or after a lost commit of another writer acked
 * before the survivor's predecessor, is a violation; concurrent commits prove nothing; a violation
 * makes the case a durability bug; a shared log acked before its sync has no count bound.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossBound, summarizeTrials } from '../../analysis/crash-verdict.js';
import { orderViolations } from '../../analysis/log-order.js';
import type { CrashSetting, CrashTrial } from '../../model/crash-report.js';
import { crashTrial } from '../helpers/report-builder.js';

// Ack times: writer 0 acks commit s at 10·s, writer 1 at 10·s + 5 (interleaved).
const ack = (w: number, s: number): bigint => BigInt(10 * s + (w === 1 ? 5 : 0));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('a prefix of the log: both writers lost their tails from the same point on', () => {
  // Writer 0 lost 5.. (acked at 50), writer 1 lost 5.. (acked at 55); survivors end before.
  const r = orderViolations(
    [
      { survived: range(1, 4), firstLost: 5 },
      { survived: range(1, 4), firstLost: 5 },
    ],
    ack,
  );
  assert.deepEqual(r, { count: 0, first: null });
});

test('a gap inside one writer is out of order', () => {
  const r = orderViolations([{ survived: [1, 2, 4], firstLost: 3 }], ack);
  assert.equal(r.count, 1);
  assert.match(r.first!, /writer 0's commit 4 survived, but writer 0's commit 3, earlier in the log, was lost/);
});

test('a survivor reserved after another writer acked a commit that was lost is out of order', () => {
  // Writer 0 lost 3.. (commit 3 acked at 30); writer 1 kept 1..6: its commit 5 was reserved after its
  // ack of 4 at 45 > 30, so it followed writer 0's commit 3 in the log; its commit 4 (after ack of 3 at 35) too.
  const r = orderViolations(
    [
      { survived: [1, 2], firstLost: 3 },
      { survived: range(1, 6), firstLost: null },
    ],
    ack,
  );
  assert.equal(r.count, 3);
  assert.match(r.first!, /writer 1's commit 4 survived, but writer 0's commit 3/);
});

test('commits that ran at the same time prove nothing', () => {
  // Writer 1's commit 3 was reserved after its ack of 2 at 25 < 30: it may precede writer 0's commit 3.
  const r = orderViolations(
    [
      { survived: [1, 2], firstLost: 3 },
      { survived: range(1, 3), firstLost: 4 },
    ],
    ack,
  );
  assert.equal(r.count, 0);
});

const POWER: CrashSetting = {
  kind: 'power',
  filesystem: 'ext4',
  mountOptions: null,
  crashAt: 'random',
  writeback: 'none',
  deviceCache: 'volatile',
  torn: false,
  reorderStates: 0,
  crashWindow: '0%..100%',
  runMs: 1000,
};
const EXTRAS = {
  instants: 2,
  wallMs: 1000,
  device: { state: 'unavailable', reason: 'test' },
  syscalls: { state: 'unavailable', reason: 'test' },
  sharedLog: true,
} as const;

function trial(orderViolations: number, notes: string[] = []): CrashTrial {
  return crashTrial({ image: 'device', acked: 20, declaredDurable: 20, recoveryNs: 1, notes, orderViolations });
}

test('the verdict: a shared log whose survivors are not a prefix is a durability bug; one that is, is consistent and says so', () => {
  const bad = summarizeTrials(
    POWER,
    { mode: 'sync' },
    [trial(0), trial(2, ["not a prefix of the log: writer 1's commit 4 survived, but writer 0's commit 3, earlier in the log, was lost"])],
    EXTRAS,
  );
  assert.equal(bad.verdict, 'durability-bug');
  assert.match(
    bad.verdictReason,
    /not a prefix of its order: up to 2 surviving commit\(s\) came after a lost acked commit, in 1 of 2 verified crash state\(s\)/,
  );
  const good = summarizeTrials(POWER, { mode: 'sync' }, [trial(0), trial(0)], EXTRAS);
  assert.equal(good.verdict, 'consistent', good.verdictReason);
  assert.match(good.verdictReason, /prefix of the log in 2 state\(s\)/);
});

test('loss bounds on a shared log: acked before its sync has none (its declared exposure bounds it), after its sync 0', () => {
  assert.equal(lossBound({ mode: 'batch', batchSize: 16, batchMs: null, ack: 'before-sync' }, true), null);
  assert.equal(lossBound({ mode: 'batch', batchSize: 16, batchMs: null, ack: 'before-sync' }, false), 15);
  assert.equal(lossBound({ mode: 'batch', batchSize: 16, batchMs: null, ack: 'after-sync' }, true), 0);
  assert.equal(lossBound({ mode: 'sync' }, true), 0);
});
