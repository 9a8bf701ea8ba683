/**
 * The shared-log protocol with real threads (worker_threads) and a fake storage
 * (test/helpers/group-commit-worker.ts):
 *
 * - property: whatever the interleaving (random pauses at every protocol point, random policies,
 *   segment sizes that rotate often), no sync is ever issued for a position past a record that is
 *   not fully written, nothing acked after-sync is acked before its sync returned, and the group
 *   sizes add up to the commits;
 * - stress: many writers and tiny delays in every policy must simply finish (the protocol has no
 *   timeouts: a lost wake-up hangs, and the test's timeout fails it);
 * - exact counts: batch acked after its sync with batchSize = writers syncs exactly once per round.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { GroupCommit } from '../engines/shared-log/group-commit.js';
import { SharedLogMemory, sharedLogBytes } from '../engines/shared-log/memory.js';
import type { GroupPolicy } from '../engines/shared-log/policy.js';
import type { GroupCommitWorkerData, GroupCommitWorkerResult } from './helpers/group-commit-worker.js';

const HEADER = 32;

interface Run {
  writers: number;
  commits: number;
  policy: GroupPolicy;
  recordBytes: number;
  segmentBytes: number;
  pauseChance: number;
  pauseMaxUs: number;
  syncUs: number;
  seed: number;
}

interface Outcome {
  results: GroupCommitWorkerResult[];
  violations: number;
  earlyAcks: number;
  syncs: number;
  detail: number[];
}

/** Writer threads, started once and reused by every run of this file (32 thread starts cost 2.5 s here). */
const threads: (Worker | undefined)[] = [];
after(() => Promise.all(threads.map((w) => w?.terminate())));

function threadFor(writer: number): Worker {
  threads[writer] ??= new Worker(new URL('./helpers/group-commit-worker.js', import.meta.url));
  return threads[writer]!;
}

/** One writer's run on thread `writer`; a thread that fails or exits is dropped (the next run starts a new one). */
function runOn(writer: number, data: GroupCommitWorkerData): Promise<GroupCommitWorkerResult> {
  const worker = threadFor(writer);
  return new Promise<GroupCommitWorkerResult>((resolve, reject) => {
    const settle = (): void => {
      worker.off('message', done);
      worker.off('error', failed);
      worker.off('exit', exited);
    };
    const done = (m: GroupCommitWorkerResult): void => {
      settle();
      resolve(m);
    };
    const failed = (err: Error): void => {
      settle();
      if (threads[writer] === worker) threads[writer] = undefined;
      void worker.terminate();
      reject(err);
    };
    const exited = (code: number): void => failed(new Error(`writer thread ${writer} exited with code ${code}`));
    worker.once('message', done);
    worker.once('error', failed);
    worker.once('exit', exited);
    worker.postMessage(data);
  });
}

async function runThreads(r: Run): Promise<Outcome> {
  const memoryBuf = new SharedArrayBuffer(sharedLogBytes(r.writers));
  const memory = new SharedLogMemory(memoryBuf, r.writers);
  GroupCommit.publishOpen(memory, { seq: 1, writePos: HEADER, segmentBytes: r.segmentBytes, lastSeqs: [] });
  const records = r.writers * r.commits;
  // Each rotation skips a byte; the disk is LSN-addressed.
  const disk = new SharedArrayBuffer(HEADER + records * (r.recordBytes + 1) + 64);
  const states = new SharedArrayBuffer(records * 4);
  const spans = new SharedArrayBuffer(records * 16);
  const checks = new SharedArrayBuffer(8 * 4);
  const synced = new SharedArrayBuffer(8);
  const workers = Array.from({ length: r.writers }, (_, writer) => {
    const data: GroupCommitWorkerData = {
      memory: memoryBuf,
      writers: r.writers,
      writer,
      policy: r.policy,
      commits: r.commits,
      recordBytes: r.recordBytes,
      segmentBytes: r.segmentBytes,
      headerBytes: HEADER,
      pauseChance: r.pauseChance,
      pauseMaxUs: r.pauseMaxUs,
      syncUs: r.syncUs,
      seed: r.seed,
      disk,
      states,
      spans,
      checks,
      synced,
    };
    return runOn(writer, data);
  });
  const results = await Promise.all(workers);
  const c = new Int32Array(checks);
  return { results, violations: c[0]!, earlyAcks: c[1]!, syncs: c[2]!, detail: [c[3]!, c[4]!, c[5]!] };
}

function assertSound(r: Run, o: Outcome): void {
  const label = JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  for (const res of o.results) assert.equal(res.error, null, `${label}: ${res.error}`);
  assert.equal(o.violations, 0, `${label}: a sync was issued past a record not fully written (code, at, upTo: ${o.detail.join(', ')})`);
  assert.equal(o.earlyAcks, 0, `${label}: a commit was acked before the sync covering it returned`);
  const groups = o.results.flatMap((x) => x.groups);
  if (r.policy.kind === 'none') {
    assert.equal(o.syncs, 0);
    return;
  }
  assert.equal(
    groups.reduce((a, b) => a + b, 0),
    r.writers * r.commits,
    `${label}: every commit is in exactly one group`,
  );
  assert.ok(groups.every((g) => g > 0));
  assert.equal(o.syncs, groups.length, 'one group per sync issued');
  for (const res of o.results) assert.equal(res.claimed, r.commits, `${label}: every writer knows all its commits durable after close`);
}

const policies = fc.oneof(
  fc.constant<GroupPolicy>({ kind: 'leader' }),
  fc.record({
    kind: fc.constant('batch' as const),
    batchSize: fc.integer({ min: 1, max: 8 }),
    batchNs: fc.constantFrom(null, 200_000n),
    ack: fc.constantFrom('after-sync' as const, 'before-sync' as const),
  }),
  fc.record({ kind: fc.constant('delay' as const), delayNs: fc.constantFrom(0, 50_000), siblings: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('pipelined' as const), parallelism: fc.integer({ min: 1, max: 4 }) }),
  fc.constant<GroupPolicy>({ kind: 'none' }),
);

test(
  'property: the durable position never passes a record that is not fully written, whatever the interleaving',
  { timeout: 300_000 },
  async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          writers: fc.integer({ min: 2, max: 6 }),
          commits: fc.integer({ min: 20, max: 60 }),
          policy: policies,
          recordBytes: fc.integer({ min: 16, max: 200 }),
          // Small segments rotate every few records, while records are in flight.
          segmentBytes: fc.constantFrom(HEADER + 256, HEADER + 1024, 1 << 20),
          pauseChance: fc.constantFrom(0.05, 0.3),
          pauseMaxUs: fc.constantFrom(10, 200),
          syncUs: fc.constantFrom(0, 30, 150),
          seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        }),
        async (r) => assertSound(r, await runThreads(r)),
      ),
      { numRuns: 24 },
    );
  },
);

test('stress: 32 writers with tiny delays finish in every policy (no lost wake-up)', { timeout: 300_000 }, async () => {
  const all: GroupPolicy[] = [
    { kind: 'leader' },
    { kind: 'batch', batchSize: 8, batchNs: null, ack: 'after-sync' },
    { kind: 'batch', batchSize: 64, batchNs: 50_000n, ack: 'after-sync' },
    { kind: 'batch', batchSize: 16, batchNs: null, ack: 'before-sync' },
    { kind: 'delay', delayNs: 20_000, siblings: 4 },
    { kind: 'pipelined', parallelism: 1 },
    { kind: 'pipelined', parallelism: 4 },
    { kind: 'none' },
  ];
  for (const policy of all) {
    const r: Run = {
      writers: 32,
      commits: 150,
      policy,
      recordBytes: 48,
      segmentBytes: HEADER + 4096,
      pauseChance: 0.1,
      pauseMaxUs: 5,
      syncUs: 2,
      seed: 7,
    };
    assertSound(r, await runThreads(r));
  }
});

test(
  'exact counts: batch acked after its sync, batchSize = writers: one sync per round, each of every writer',
  { timeout: 120_000 },
  async () => {
    const r: Run = {
      writers: 4,
      commits: 25,
      policy: { kind: 'batch', batchSize: 4, batchNs: null, ack: 'after-sync' },
      recordBytes: 64,
      segmentBytes: 1 << 20,
      pauseChance: 0.2,
      pauseMaxUs: 100,
      syncUs: 50,
      seed: 3,
    };
    const o = await runThreads(r);
    assertSound(r, o);
    // Nobody writes a second record before its first is durable, and the leader waits for all four.
    assert.equal(o.syncs, 25);
    assert.deepEqual(
      o.results.flatMap((x) => x.groups),
      Array(25).fill(4),
    );
  },
);
