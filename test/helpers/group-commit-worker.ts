/**
 * One writer thread of the shared-log protocol tests: a `GroupCommit` over shared memory with a fake
 * storage that writes into a shared "disk" (in two halves, with a pause between them) and a fake sync
 * that checks, when it is issued, that every record before the position it makes durable is fully
 * written. Random pauses at the protocol's interleaving points shuffle the threads. The thread runs
 * one writer per message it gets, so a test reuses its threads from run to run.
 */
import { parentPort } from 'node:worker_threads';
import { GroupCommit, type ChaosPoint, type LogStorage, type Place } from '../../engines/shared-log/group-commit.js';
import { lsnOf, SharedLogMemory } from '../../engines/shared-log/memory.js';
import type { GroupPolicy } from '../../engines/shared-log/policy.js';

export interface GroupCommitWorkerData {
  readonly memory: SharedArrayBuffer;
  readonly writers: number;
  readonly writer: number;
  readonly policy: GroupPolicy;
  readonly commits: number;
  readonly recordBytes: number;
  readonly segmentBytes: number;
  readonly headerBytes: number;
  /** Pause probability (0–1) at each interleaving point, and the longest pause in µs. */
  readonly pauseChance: number;
  readonly pauseMaxUs: number;
  /** The fake sync's duration, µs (0: none). */
  readonly syncUs: number;
  readonly seed: number;
  /** LSN-addressed bytes every writer writes into. */
  readonly disk: SharedArrayBuffer;
  /** Per record (writer × commit): state (0 none, 1 writing, 2 written) as Int32, start and end LSN as BigInt64. */
  readonly states: SharedArrayBuffer;
  readonly spans: SharedArrayBuffer;
  /** [0] violations found by a sync, [1] acks before the covering sync returned, [2] syncs; [3..5] the first violation's detail; [6] the start barrier. */
  readonly checks: SharedArrayBuffer;
  /** [0] the highest position a fake sync has finished making durable. */
  readonly synced: SharedArrayBuffer;
}

export interface GroupCommitWorkerResult {
  readonly groups: number[];
  readonly syncsIssued: number;
  readonly claimed: number;
  readonly error: string | null;
}

/** One writer's run; a thread runs one after another (starting 32 threads costs seconds here). */
function runWriter(d: GroupCommitWorkerData): GroupCommitWorkerResult {
  const disk = new Uint8Array(d.disk);
  const states = new Int32Array(d.states);
  const spans = new BigInt64Array(d.spans);
  const checks = new Int32Array(d.checks);
  const synced = new BigInt64Array(d.synced);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));

  // xorshift32: a reproducible stream per writer.
  let x = (d.seed ^ Math.imul(d.writer + 1, 0x9e3779b1)) >>> 0 || 1;
  function random(): number {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  }

  function pause(maxUs: number): void {
    const us = random() * maxUs;
    if (us < 20) {
      // A short spin: Atomics.wait cannot sleep less than the scheduler's tick.
      const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000));
      while (process.hrtime.bigint() < end);
    } else {
      Atomics.wait(sleeper, 0, 0, us / 1000);
    }
  }

  function chaos(_point: ChaosPoint): void {
    if (random() < d.pauseChance) pause(d.pauseMaxUs);
  }

  const M = d.commits;
  const ix = (writer: number, seq: number): number => writer * M + (seq - 1);

  function violation(code: number, a: bigint, b: bigint): void {
    if (Atomics.add(checks, 0, 1) === 0) {
      checks[3] = code;
      checks[4] = Number(a);
      checks[5] = Number(b);
    }
  }

  /** Every record that starts before `upTo` must be fully written, and together they must tile the log. */
  function check(upTo: bigint): void {
    const below: { start: bigint; end: bigint; state: number }[] = [];
    for (let w = 0; w < d.writers; w++) {
      for (let s = 1; s <= M; s++) {
        const i = ix(w, s);
        const state = Atomics.load(states, i);
        if (state === 0) continue;
        const start = Atomics.load(spans, 2 * i);
        if (start < upTo) below.push({ start, end: Atomics.load(spans, 2 * i + 1), state });
      }
    }
    below.sort((a, b) => (a.start < b.start ? -1 : 1));
    let at = BigInt(d.headerBytes);
    for (const r of below) {
      if (r.state !== 2) return violation(1, r.start, upTo);
      // A record not yet marked is a hole; a rotation skips exactly one byte.
      if (r.start !== at && r.start !== at + 1n) return violation(2, at, r.start);
      at = r.end;
    }
    if (at < upTo && upTo - at > 1n) violation(3, at, upTo);
  }

  const storage: LogStorage = {
    write(place: Place, data: Uint8Array): void {
      const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const writer = view.readUInt32LE(0);
      const seq = view.readUInt32LE(4);
      const i = ix(writer, seq);
      Atomics.store(spans, 2 * i, place.lsn);
      Atomics.store(spans, 2 * i + 1, place.lsn + BigInt(data.byteLength));
      Atomics.store(states, i, 1);
      const at = Number(place.lsn);
      const half = data.byteLength >> 1;
      disk.set(data.subarray(0, half), at);
      chaos('written');
      disk.set(data.subarray(half), at + half);
      Atomics.store(states, i, 2);
    },
    sync(_from: number, _to: number, upTo: bigint): void {
      Atomics.add(checks, 2, 1);
      check(lsnOf(upTo));
      if (d.syncUs > 0) pause(d.syncUs);
      for (;;) {
        const cur = Atomics.load(synced, 0);
        if (cur >= BigInt.asIntN(64, lsnOf(upTo)) || Atomics.compareExchange(synced, 0, cur, lsnOf(upTo)) === cur) break;
      }
    },
    createSegment(): void {
      chaos('reserved');
    },
  };

  const groups: number[] = [];
  let error: string | null = null;
  const memory = new SharedLogMemory(d.memory, d.writers);
  const log = new GroupCommit(memory, storage, {
    writer: d.writer,
    policy: d.policy,
    segmentBytes: d.segmentBytes,
    headerBytes: d.headerBytes,
    onSync: (commits) => groups.push(commits),
    chaos,
  });
  try {
    GroupCommit.awaitOpen(memory);
    log.join();
    // Start together, as the coordinator's barrier makes real writers do (every writer joined first).
    Atomics.add(checks, 6, 1);
    Atomics.notify(checks, 6);
    for (let n = Atomics.load(checks, 6); n < d.writers; n = Atomics.load(checks, 6)) Atomics.wait(checks, 6, n);
    const rec = Buffer.alloc(d.recordBytes, d.writer + 1);
    for (let seq = 1; seq <= M; seq++) {
      rec.writeUInt32LE(d.writer, 0);
      rec.writeUInt32LE(seq, 4);
      const t = log.append(rec);
      log.commit(t);
      if (log.acksAfterSync && Atomics.load(synced, 0) < lsnOf(t.end)) Atomics.add(checks, 1, 1);
      log.claim();
    }
    log.flush();
    log.claim();
    log.leave();
  } catch (err) {
    error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  return { groups, syncsIssued: log.syncsIssued, claimed: log.durableCommits, error };
}

parentPort!.on('message', (d: GroupCommitWorkerData) => parentPort!.postMessage(runWriter(d)));
