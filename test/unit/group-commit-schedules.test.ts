/**
 * Exact sync counts for fixed schedules of a shared log, through a null-style fake storage (no
 * files, every sync recorded): several writers' `GroupCommit`s on one memory, driven step by step
 * from one thread, so each schedule is exactly reproducible. (Real interleavings of real threads are
 * in test/group-commit-threads.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit, SharedLogFailed, type LogStorage, type Place } from '../../engines/shared-log/group-commit.js';
import { SEG_RING, SharedLogMemory, sharedLogBytes } from '../../engines/shared-log/memory.js';
import { groupPolicyOf, type GroupPolicy } from '../../engines/shared-log/policy.js';

const HEADER = 32;

class FakeStorage implements LogStorage {
  readonly writes: Place[] = [];
  readonly syncs: { from: number; to: number }[] = [];
  readonly segments: { seq: number; prevEndBytes: number }[] = [];
  failSync: Error | null = null;
  write(place: Place): void {
    this.writes.push(place);
  }
  sync(from: number, to: number): void {
    if (this.failSync) throw this.failSync;
    this.syncs.push({ from, to });
  }
  createSegment(seq: number, prevEndBytes: number): void {
    this.segments.push({ seq, prevEndBytes });
  }
}

interface Log {
  writers: GroupCommit[];
  storage: FakeStorage;
  groups: number[];
}

function openLog(n: number, policy: GroupPolicy, segmentBytes = 1 << 20): Log {
  const memory = new SharedLogMemory(new SharedArrayBuffer(sharedLogBytes(n)), n);
  GroupCommit.publishOpen(memory, { seq: 1, writePos: HEADER, segmentBytes, lastSeqs: [] });
  const storage = new FakeStorage();
  const groups: number[] = [];
  const writers = Array.from({ length: n }, (_, writer) => {
    const g = new GroupCommit(memory, storage, { writer, policy, segmentBytes, headerBytes: HEADER, onSync: (c) => groups.push(c) });
    g.join();
    return g;
  });
  return { writers, storage, groups };
}

const record = (bytes = 100): Uint8Array => new Uint8Array(bytes);

test('sync: a leader covers every record written before it synced; the others find theirs durable', () => {
  const {
    writers: [a, b, c],
    storage,
    groups,
  } = openLog(3, { kind: 'leader' });
  const ta = a!.append(record());
  const tb = b!.append(record());
  const tc = c!.append(record());
  a!.commit(ta);
  b!.commit(tb);
  c!.commit(tc);
  assert.equal(storage.syncs.length, 1);
  assert.deepEqual(groups, [3]);
  for (const w of [a!, b!, c!]) assert.deepEqual(w.claim()?.commits, 1);
});

test('sync: commits that arrive after a sync ride the next one together', () => {
  const {
    writers: [a, b, c],
    storage,
    groups,
  } = openLog(3, { kind: 'leader' });
  a!.commit(a!.append(record()));
  const tb = b!.append(record());
  const tc = c!.append(record());
  c!.commit(tc);
  b!.commit(tb);
  a!.commit(a!.append(record()));
  assert.equal(storage.syncs.length, 3);
  assert.deepEqual(groups, [1, 2, 1]);
  assert.equal(
    groups.reduce((x, y) => x + y),
    4,
    'every commit is counted in exactly one group',
  );
});

test('pipelined: a committer whose record a sync already covers issues none', () => {
  const {
    writers: [a, b],
    storage,
    groups,
  } = openLog(2, { kind: 'pipelined', parallelism: 2 });
  const ta = a!.append(record());
  const tb = b!.append(record());
  b!.commit(tb);
  a!.commit(ta);
  assert.equal(storage.syncs.length, 1);
  assert.deepEqual(groups, [2]);
});

test('batch acked on write: the commit that makes batchSize pending syncs, across writers', () => {
  const {
    writers: [a, b],
    storage,
    groups,
  } = openLog(2, { kind: 'batch', batchSize: 4, batchNs: null, ack: 'before-sync' });
  const synced: number[] = [];
  for (let i = 1; i <= 10; i++) {
    const w = i % 2 === 0 ? b! : a!;
    w.commit(w.append(record()));
    synced.push(storage.syncs.length);
  }
  assert.deepEqual(synced, [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]);
  assert.deepEqual(groups, [4, 4]);
  // a wrote commits 1, 3, 5, 7, 9: the first four of them are durable (up to commit 8).
  assert.equal(a!.claim()?.commits, 4);
  assert.equal(b!.claim()?.commits, 4);
  // A clean close makes the rest durable.
  a!.flush();
  assert.equal(storage.syncs.length, 3);
  assert.deepEqual(groups, [4, 4, 2]);
  assert.equal(a!.claim()?.commits, 5);
});

test('none: appends never sync, not even on flush', () => {
  const {
    writers: [a, b],
    storage,
  } = openLog(2, { kind: 'none' });
  for (let i = 0; i < 20; i++) (i % 2 ? a! : b!).commit((i % 2 ? a! : b!).append(record()));
  a!.flush();
  b!.flush();
  assert.equal(storage.syncs.length, 0);
  assert.equal(a!.claim(), null);
});

test('delay: the leader sleeps commit_delay only with at least commit_siblings other writers active', () => {
  for (const [siblings, delays] of [
    [1, 1],
    [2, 0],
  ] as const) {
    const {
      writers: [a, b],
      storage,
      groups,
    } = openLog(2, groupPolicyOf({ mode: 'delay', commitDelayUs: 200, commitSiblings: siblings }));
    const ta = a!.append(record());
    const tb = b!.append(record());
    a!.commit(ta);
    b!.commit(tb);
    assert.equal(storage.syncs.length, 1, `siblings ${siblings}`);
    assert.deepEqual(groups, [2]);
    assert.equal(a!.delays, delays, `siblings ${siblings}: 1 other writer active`);
  }
});

test('rotation: a record that does not fit starts a segment after the previous one’s last record; a sync covers both', () => {
  const segmentBytes = HEADER + 250;
  const {
    writers: [a, b],
    storage,
  } = openLog(2, { kind: 'batch', batchSize: 1000, batchNs: null, ack: 'before-sync' }, segmentBytes);
  const places: Place[] = [];
  for (let i = 0; i < 5; i++) places.push(a!.append(record()).place);
  // 100-byte records: two fit a 250-byte segment, the third starts the next one.
  assert.deepEqual(
    places.map((p) => [p.seq, p.offset]),
    [
      [1, HEADER],
      [1, HEADER + 100],
      [2, HEADER],
      [2, HEADER + 100],
      [3, HEADER],
    ],
  );
  assert.deepEqual(storage.segments, [
    { seq: 2, prevEndBytes: HEADER + 200 },
    { seq: 3, prevEndBytes: HEADER + 200 },
  ]);
  b!.append(record());
  a!.flush();
  assert.deepEqual(storage.syncs, [{ from: 1, to: 3 }], 'one sync, every segment with unsynced records');
  a!.append(record());
  a!.flush();
  assert.deepEqual(storage.syncs[1], { from: 3, to: 4 }, 'the next starts where the durable point is');
});

test('rotation: a sync is forced before a sync would have to span more segments than the ring keeps', () => {
  const segmentBytes = HEADER + 100;
  const {
    writers: [a],
    storage,
    groups,
  } = openLog(1, { kind: 'batch', batchSize: 1_000_000, batchNs: null, ack: 'before-sync' }, segmentBytes);
  for (let i = 0; i < SEG_RING + 5; i++) a!.commit(a!.append(record()));
  assert.equal(storage.segments.length, SEG_RING + 4);
  assert.equal(storage.syncs.length, 1, 'forced once, at the rotation into the ring’s last free slot');
  assert.equal(groups[0], SEG_RING, 'the records of the ring’s segments');
  assert.ok(storage.syncs[0]!.to - storage.syncs[0]!.from < SEG_RING);
});

test('a failed sync kills the log for every writer, with the first failure as the reason', () => {
  const {
    writers: [a, b],
    storage,
  } = openLog(2, { kind: 'leader' });
  const ta = a!.append(record());
  storage.failSync = Object.assign(new Error('input/output error'), { code: 'EIO' });
  assert.throws(() => a!.commit(ta), /input\/output error/);
  assert.throws(
    () => b!.append(record()),
    (e: unknown) => e instanceof SharedLogFailed && /failed in writer 0: EIO: input\/output error/.test(e.message),
  );
});

test('writer 0’s recovery failure reaches the writers waiting for it', () => {
  const memory = new SharedLogMemory(new SharedArrayBuffer(sharedLogBytes(2)), 2);
  GroupCommit.failOpen(memory, 0, 'EACCES: permission denied');
  assert.throws(() => GroupCommit.awaitOpen(memory), /writer 0 could not recover the shared log: EACCES: permission denied/);
});

test('recovered sequence numbers are handed to every writer', () => {
  const memory = new SharedLogMemory(new SharedArrayBuffer(sharedLogBytes(3)), 3);
  GroupCommit.publishOpen(memory, { seq: 7, writePos: 4096, segmentBytes: 1 << 20, lastSeqs: [12, 0, 5] });
  GroupCommit.awaitOpen(memory);
  const seqs = [0, 1, 2].map((writer) =>
    new GroupCommit(memory, new FakeStorage(), {
      writer,
      policy: { kind: 'leader' },
      segmentBytes: 1 << 20,
      headerBytes: HEADER,
    }).recoveredSeq(),
  );
  assert.deepEqual(seqs, [12, 0, 5]);
  const g = new GroupCommit(memory, new FakeStorage(), {
    writer: 1,
    policy: { kind: 'leader' },
    segmentBytes: 1 << 20,
    headerBytes: HEADER,
  });
  assert.deepEqual(g.append(record()).place, { seq: 7, offset: 4096, lsn: 4096n });
});
