/**
 * The conformance suite: every engine in `builtinEngines()` must pass it (docs/engine-conformance.md).
 * Engines are found through the registry, so a newly registered engine is covered automatically.
 * The suite is run by three test files, each for a share of the engines
 * (test/engine-conformance*.test.ts), so the parallel test runner can balance them.
 *
 * Crashes are simulated as `kill` crashes: the engine's directory is copied while the engine is still
 * open (see test/helpers/engine.ts), then damaged (torn tail, garbage, zeros, a flipped checksum),
 * then a new instance recovers from the copy. Files are found without knowing the engine's layout:
 * the io layer records which file and byte range each commit wrote.
 *
 * Sync calls are counted through the io layer (`Io.syncCounts`, per-file from the numbered ops), never
 * timed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import fc from 'fast-check';
import { builtinEngines, engineAvailability, loadEngine } from '../../engines/registry.js';
import { sharedLogBytes } from '../../engines/shared-log/memory.js';
import { walEngine } from '../../engines/wal/engine.js';
import type { EngineFactory, Mode, RecoveryReport } from '../../engines/types.js';
import type { IoOp } from '../../io/io.js';
import { keyOf, killSnapshot, listFiles, openEngine, rebase, valueOf, type OpenSpec, type TestEngine, type WriteRecord } from './engine.js';
import { tempDir } from './tmp.js';
import { USER_ENGINES } from './user-engines.js';

/**
 * Engines with an optional native library (sqlite, leveldb, lmdb) may be unavailable here: their
 * tests are skipped with the reason. Awaiting availability() also loads the library for create().
 */
const unavailable = new Map<string, string | null>();
for (const f of builtinEngines()) unavailable.set(f.name, await engineAvailability(f));

/** `CONFORMANCE_ENGINES=bitcask,btree` runs the suite for those engines only. */
const only = process.env['CONFORMANCE_ENGINES']?.split(',').filter(Boolean) ?? null;
/** User engine modules (test/helpers/user-engines.ts: the example engine) run the same suite. */
const userEngines = await Promise.all(USER_ENGINES.map((p) => loadEngine(p)));
/**
 * The wal's shared log with a single writer runs the same suite: with one writer it must behave
 * exactly as a write-ahead log (batch without --ack is acked before its sync, as a single writer's).
 */
const sharedWal: EngineFactory = {
  ...walEngine,
  name: 'wal-shared-log',
  create: (ctx) => walEngine.create({ ...ctx, share: { kind: 'log', memory: new SharedArrayBuffer(sharedLogBytes(1)), writer: 0, writers: 1, recordGroup: () => undefined } }),
};
/**
 * Server engines (redis, postgres, mariadb, etcd) are clients of a database server the coordinator
 * starts; their contract is exercised against real servers in test/servers-*.test.ts.
 */
const allEngines = [...builtinEngines(), sharedWal, ...userEngines].filter((f) => f.server === undefined && (only === null || only.includes(f.name)));

/** Each engine is in exactly one shard: a named share, or `rest` for every engine no share names. */
export const SHARDS = { logs: ['null', 'raw', 'wal', 'sqlite'], trees: ['lsm', 'btree', 'bitcask', 'lmdb'] } as const;
export type Shard = keyof typeof SHARDS | 'rest';

function inShard(name: string, shard: Shard): boolean {
  if (shard !== 'rest') return (SHARDS[shard] as readonly string[]).includes(name);
  return !Object.values(SHARDS).some((names) => (names as readonly string[]).includes(name));
}

/** Declare the conformance tests for the engines of one shard. */
export function conformanceSuite(shard: Shard): void {
  const engines = allEngines.filter((f) => inShard(f.name, shard));
  declareSuite(engines);
}

/** Does the engine keep anything on disk? (`null` does not: its persistence cases are skipped.) */
const persistsCache = new Map<string, boolean>();
/** Does the engine write its files through the io layer? (Real engines' libraries do their own I/O.) */
const ioVisibleCache = new Map<string, boolean>();
async function persists(factory: EngineFactory): Promise<boolean> {
  const known = persistsCache.get(factory.name);
  if (known !== undefined) return known;
  const dir = tempDir(`${factory.name}-probe`);
  const e = await openEngine(factory, dir);
  await e.put(keyOf(0), valueOf(0));
  await e.close();
  const result = listFiles(dir).some((f) => f.bytes > 0);
  persistsCache.set(factory.name, result);
  ioVisibleCache.set(factory.name, e.io.writes.length > 0);
  return result;
}

/**
 * The damage cases locate "the bytes a commit wrote" through the io layer and assume durabench's own
 * framing; an engine whose library does its own file I/O and recovery (sqlite, leveldb, lmdb) is
 * measured by the crash lab instead.
 */
async function skipUnlessIoVisible(t: TestContext, factory: EngineFactory): Promise<boolean> {
  if (skipUnlessPersistent(t, factory, await persists(factory))) return true;
  if (ioVisibleCache.get(factory.name)) return false;
  t.skip(`${factory.name} does its own file I/O (not through ctx.io): damage cases need the io layer; the crash lab measures its recovery`);
  return true;
}

function skipUnlessPersistent(t: TestContext, factory: EngineFactory, ok: boolean): boolean {
  if (!ok) t.skip(`${factory.name} keeps no files (nothing to reopen, tear or corrupt)`);
  return !ok;
}

async function putRange(e: TestEngine, from: number, to: number, round = 0, bytes = 32): Promise<void> {
  for (let i = from; i < to; i++) await e.put(keyOf(i), valueOf(i, round, bytes));
}

async function expectRange(e: TestEngine, from: number, to: number, round = 0, bytes = 32, what = ''): Promise<void> {
  for (let i = from; i < to; i++) {
    const got = await e.get(keyOf(i));
    assert.ok(got !== undefined, `${what} key ${i} missing`);
    assert.ok(got.equals(valueOf(i, round, bytes)), `${what} key ${i} has a wrong value`);
  }
}

/** Every key in [from, to) is either missing or exactly its written value: never a wrong value. */
async function expectNeverWrong(e: TestEngine, from: number, to: number, round = 0, bytes = 32): Promise<void> {
  for (let i = from; i < to; i++) {
    const got = await e.get(keyOf(i));
    if (got !== undefined) assert.ok(got.equals(valueOf(i, round, bytes)), `key ${i} has a value that was never written`);
  }
}

function noticedDamage(r: RecoveryReport): boolean {
  return r.tornTail || r.discardedBytes > 0 || r.crcFailures > 0 || r.notes.length > 0;
}

/**
 * Put `n` keys in sync mode, take a kill snapshot while the engine is open, close the original.
 * Returns the snapshot's directory and, per commit, the writes it made (paths rebased to the snapshot).
 */
async function crashAfter(factory: EngineFactory, n: number, spec: OpenSpec = {}) {
  const dir = tempDir(factory.name);
  const e = await openEngine(factory, dir, { mode: 'sync', ...spec });
  const perCommit: WriteRecord[][] = [];
  for (let i = 0; i < n; i++) {
    const mark = e.io.writes.length;
    await e.put(keyOf(i), valueOf(i));
    perCommit.push(e.io.writes.slice(mark));
  }
  const snap = killSnapshot(dir);
  await e.close();
  const moved = perCommit.map((ws) => ws.map((w) => ({ ...w, path: rebase(w.path, dir, snap) })));
  const last = moved[n - 1]!.at(-1);
  assert.ok(last, `${factory.name}: the last commit wrote nothing through the io layer`);
  return { snap, perCommit: moved, last };
}

/** Overwrite bytes of a file at `position` (extending it when needed). */
function patch(file: string, position: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, position);
  } finally {
    fs.closeSync(fd);
  }
}

/** After recovery the engine must keep working: new commits survive another clean reopen. */
async function expectKeepsWorking(factory: EngineFactory, e: TestEngine, keep: number, fresh: number): Promise<void> {
  await putRange(e, fresh, fresh + 5, 3);
  await e.close();
  const again = await openEngine(factory, e.dir);
  try {
    await expectRange(again, 0, keep, 0, 32, 'after a second reopen:');
    await expectRange(again, fresh, fresh + 5, 3, 32, 'written after recovery:');
  } finally {
    await again.close();
  }
}

/** How each known fault must show in the io layer's counts, compared with the same run without it. */
const FAULT_EFFECT: Record<string, 'fewer-syncs' | 'reordered'> = {
  'flush-no-fsync': 'fewer-syncs',
  'no-dir-fsync': 'fewer-syncs',
  'sstable-no-fsync': 'fewer-syncs',
  'btree-no-wal-fsync': 'fewer-syncs',
  'truncate-before-durable': 'reordered',
};

/** Sync calls per (file name, kind) from the numbered ops. */
function syncsByFile(ops: readonly IoOp[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const op of ops) {
    if (op.kind !== 'sync') continue;
    const k = `${path.basename(op.path)}:${op.syncKind}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function opSequence(ops: readonly IoOp[]): string {
  return ops.map((op) => `${op.kind}:${op.syncKind ?? ''}:${path.basename(op.path)}`).join('\n');
}

async function faultRun(factory: EngineFactory, faults: readonly string[], commits: number) {
  const dir = tempDir(`${factory.name}-fault`);
  const e = await openEngine(factory, dir, { mode: 'sync', faults, small: true });
  for (let i = 0; i < commits; i++) await e.put(keyOf(i), valueOf(i, 0, 200));
  const durable = e.durable();
  await e.close();
  return { ops: e.io.ops, durable };
}

function declareSuite(engines: readonly EngineFactory[]): void {
  for (const factory of engines) {
    const reason = unavailable.get(factory.name) ?? null;
    describe(`conformance: ${factory.name}`, { skip: reason === null ? false : `${factory.name} is unavailable: ${reason}` }, () => {
      test('put/get round trip', async () => {
        const e = await openEngine(factory, tempDir(factory.name));
        await putRange(e, 0, 50);
        await expectRange(e, 0, 50);
        assert.equal(await e.get(Buffer.from('never-written')), undefined);
        await e.close();
      });

      test('reopen after a clean close keeps every commit', async (t) => {
        if (skipUnlessPersistent(t, factory, await persists(factory))) return;
        const dir = tempDir(factory.name);
        const e = await openEngine(factory, dir);
        await putRange(e, 0, 50);
        await e.close();
        const again = await openEngine(factory, dir);
        assert.equal(again.recovery.crcFailures, 0);
        assert.equal(again.recovery.tornTail, false);
        await expectRange(again, 0, 50);
        await expectKeepsWorking(factory, again, 50, 1000);
      });

      test('latest acked value wins on overwrite, before and after reopen', async (t) => {
        const dir = tempDir(factory.name);
        const e = await openEngine(factory, dir, { small: true });
        for (let round = 0; round < 4; round++) await putRange(e, 0, 20, round, 100);
        await expectRange(e, 0, 20, 3, 100);
        await e.close();
        if (!(await persists(factory))) return t.skip(`${factory.name} keeps no files: reopen part skipped`);
        const again = await openEngine(factory, dir, { small: true });
        await expectRange(again, 0, 20, 3, 100, 'after reopen:');
        await again.close();
      });

      test('empty and 1 MiB values', async (t) => {
        const dir = tempDir(factory.name);
        const e = await openEngine(factory, dir);
        const big = Buffer.alloc(1 << 20);
        for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
        await e.put(Buffer.from('empty'), Buffer.alloc(0));
        await e.put(Buffer.from('big'), big);
        await e.put(Buffer.from('after'), Buffer.from('small'));
        const check = async (x: TestEngine) => {
          assert.deepEqual(await x.get(Buffer.from('empty')), Buffer.alloc(0));
          assert.ok((await x.get(Buffer.from('big')))?.equals(big), '1 MiB value differs');
          assert.deepEqual(await x.get(Buffer.from('after')), Buffer.from('small'));
        };
        await check(e);
        await e.close();
        if (!(await persists(factory))) return t.skip(`${factory.name} keeps no files: reopen part skipped`);
        const again = await openEngine(factory, dir);
        await check(again);
        await again.close();
      });

      test('100,000 keys (mode none)', async (t) => {
        const n = 100_000;
        const dir = tempDir(factory.name);
        const e = await openEngine(factory, dir, { mode: 'none' });
        await putRange(e, 0, n, 0, 16);
        // Every key once: all of them after the reopen, or now for an engine that keeps no files.
        const persistent = await persists(factory);
        for (let i = 0; i < n; i += persistent ? 101 : 1) await expectRange(e, i, i + 1, 0, 16);
        await e.close();
        if (!persistent) return t.skip(`${factory.name} keeps no files: reopen part skipped`);
        const again = await openEngine(factory, dir, { mode: 'none' });
        assert.equal(again.recovery.crcFailures, 0);
        await expectRange(again, 0, n, 0, 16, 'after reopen:');
        await again.close();
      });

      describe('recovery from a damaged log (kill crash snapshot)', () => {
        const n = 20;

        test('torn last record: everything before it survives', async (t) => {
          if (await skipUnlessIoVisible(t, factory)) return;
          const { snap, last } = await crashAfter(factory, n);
          assert.ok(last.bytes >= 2, 'the last write is too small to tear');
          fs.truncateSync(last.path, last.start + Math.floor(last.bytes / 2));
          const e = await openEngine(factory, snap);
          assert.ok(noticedDamage(e.recovery), `recovery did not report the torn tail: ${JSON.stringify(e.recovery)}`);
          await expectRange(e, 0, n - 1);
          await expectNeverWrong(e, n - 1, n);
          await expectKeepsWorking(factory, e, n - 1, 1000);
        });

        test('garbage appended after the last record: every commit survives', async (t) => {
          if (await skipUnlessIoVisible(t, factory)) return;
          const { snap, last } = await crashAfter(factory, n);
          const garbage = Buffer.alloc(100);
          for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 73 + 41) & 0xff;
          patch(last.path, last.start + last.bytes, garbage);
          const e = await openEngine(factory, snap);
          assert.ok(noticedDamage(e.recovery), `recovery did not report the garbage: ${JSON.stringify(e.recovery)}`);
          await expectRange(e, 0, n);
          await expectKeepsWorking(factory, e, n, 1000);
        });

        test('zero-filled tail: every commit survives', async (t) => {
          if (await skipUnlessIoVisible(t, factory)) return;
          const { snap, last } = await crashAfter(factory, n);
          patch(last.path, last.start + last.bytes, Buffer.alloc(8192));
          const e = await openEngine(factory, snap);
          await expectRange(e, 0, n);
          await expectKeepsWorking(factory, e, n, 1000);
        });

        test('flipped checksum in the middle: what is before it survives, nothing is wrong', async (t) => {
          if (await skipUnlessIoVisible(t, factory)) return;
          const { snap, perCommit, last } = await crashAfter(factory, n);
          const mid = Math.floor(n / 2);
          const target = perCommit[mid]!.find((w) => w.path === last.path);
          assert.ok(target, `commit ${mid} did not write to the file of the last commit (${last.path})`);
          // Byte 4 of a frame is its CRC32C (engines/framing.ts); flip it, or the first byte of a short write.
          const at = target.start + (target.bytes > 4 ? 4 : 0);
          const b = Buffer.alloc(1);
          const fd = fs.openSync(target.path, 'r+');
          fs.readSync(fd, b, 0, 1, at);
          b[0]! ^= 0xff;
          fs.writeSync(fd, b, 0, 1, at);
          fs.closeSync(fd);
          const e = await openEngine(factory, snap);
          assert.ok(noticedDamage(e.recovery), `recovery did not report the checksum failure: ${JSON.stringify(e.recovery)}`);
          await expectRange(e, 0, mid);
          await expectNeverWrong(e, mid, n);
          await expectKeepsWorking(factory, e, mid, 1000);
        });
      });

      describe('sync calls per commit, counted through the io layer', () => {
        const commits = 64;
        const batch = 8;

        async function countDuringPuts(mode: Mode) {
          const e = await openEngine(factory, tempDir(factory.name), { mode, batchSize: batch });
          const before = e.io.dataSyncs;
          await putRange(e, 0, commits);
          const syncs = e.io.dataSyncs - before;
          const durable = e.durable();
          await e.close();
          return { syncs, durable, wroteFiles: e.io.writes.length > 0 };
        }

        test('sync: every commit is declared durable before its ack, with ≥ 1 data sync each', async () => {
          const r = await countDuringPuts('sync');
          assert.equal(r.durable, commits);
          if (r.wroteFiles) assert.ok(r.syncs >= commits, `${r.syncs} data syncs for ${commits} commits`);
        });

        test(`batch ${batch}: about commits/${batch} data syncs`, async () => {
          const r = await countDuringPuts('batch');
          assert.equal(r.durable, commits, 'every full batch is declared durable');
          if (r.wroteFiles) {
            assert.ok(r.syncs >= commits / batch, `${r.syncs} data syncs for ${commits} commits`);
            assert.ok(r.syncs <= (2 * commits) / batch, `${r.syncs} data syncs for ${commits} commits: more than about 1 per batch`);
          }
        });

        test('none: no data sync and no durability claim during puts', async () => {
          const r = await countDuringPuts('none');
          assert.equal(r.syncs, 0);
          assert.equal(r.durable, 0);
        });
      });

      describe('fault switches', () => {
        if (factory.faults.length === 0) {
          test('no fault switches', (t) => t.skip(`${factory.name} declares no fault switches`));
          return;
        }
        for (const fault of factory.faults) {
          test(`${fault.name} changes the io it should and keeps claiming sync durability`, async () => {
            const commits = 60;
            const clean = await faultRun(factory, [], commits);
            const faulted = await faultRun(factory, [fault.name], commits);
            assert.equal(faulted.durable, commits, 'a faulted engine still claims its mode');
            assert.notEqual(opSequence(faulted.ops), opSequence(clean.ops), 'the fault changed no io operation');
            if (FAULT_EFFECT[fault.name] === 'fewer-syncs') {
              const a = syncsByFile(clean.ops);
              const b = syncsByFile(faulted.ops);
              const fewer = [...a].filter(([k, v]) => (b.get(k) ?? 0) < v);
              assert.ok(
                fewer.length > 0,
                `no file got fewer sync calls: clean ${JSON.stringify([...a])} faulted ${JSON.stringify([...b])}`,
              );
            }
          });
        }
      });

      test('property: random puts + random truncation or corruption of any file never yield an unwritten value', async (t) => {
        if (await skipUnlessIoVisible(t, factory)) return;
        const damage = fc.record({
          fileIndex: fc.nat(),
          kind: fc.constantFrom('truncate', 'flip', 'garbage', 'zeros'),
          at: fc.double({ min: 0, max: 1, noNaN: true }),
          len: fc.integer({ min: 1, max: 600 }),
          seed: fc.nat(255),
        });
        const put = fc.record({ key: fc.integer({ min: 0, max: 15 }), valueBytes: fc.integer({ min: 0, max: 700 }), seed: fc.nat(255) });
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(put, { minLength: 1, maxLength: 60 }),
            fc.array(damage, { minLength: 1, maxLength: 3 }),
            async (puts, damages) => {
              run += 1;
              const dir = tempDir(`${factory.name}-prop${run}`);
              const written = new Map<number, Buffer[]>();
              const e = await openEngine(factory, dir, { mode: 'batch', batchSize: 4, small: true });
              for (const p of puts) {
                const v = Buffer.alloc(p.valueBytes, p.seed);
                if (v.length >= 4) v.writeUInt32LE(written.get(p.key)?.length ?? 0, 0);
                await e.put(keyOf(p.key), v);
                written.set(p.key, [...(written.get(p.key) ?? []), v]);
              }
              const snap = killSnapshot(dir);
              await e.close();
              const files = listFiles(snap);
              for (const d of damages) {
                if (files.length === 0) break;
                const f = files[d.fileIndex % files.length]!;
                const size = fs.statSync(f.path).size;
                const pos = Math.floor(d.at * size);
                if (d.kind === 'truncate') fs.truncateSync(f.path, pos);
                else if (d.kind === 'flip' && size > 0) {
                  const b = fs.readFileSync(f.path);
                  b[Math.min(pos, size - 1)]! ^= 1 << (d.seed % 8);
                  fs.writeFileSync(f.path, b);
                } else if (d.kind === 'garbage')
                  patch(f.path, pos, Buffer.from(Array.from({ length: d.len }, (_, i) => (i * 131 + d.seed) & 0xff)));
                else if (d.kind === 'zeros') patch(f.path, pos, Buffer.alloc(d.len));
              }
              const r = await openEngine(factory, snap, { mode: 'batch', batchSize: 4, small: true });
              try {
                for (let k = 0; k < 16; k++) {
                  const got = await r.get(keyOf(k));
                  if (got === undefined) continue;
                  const history = written.get(k) ?? [];
                  assert.ok(
                    history.some((v) => v.equals(got)),
                    `key ${k}: recovered a value that was never written (${got.length} bytes)`,
                  );
                }
              } finally {
                await r.close();
              }
              fs.rmSync(snap, { recursive: true, force: true });
              fs.rmSync(dir, { recursive: true, force: true });
            },
          ),
          { numRuns: 20, seed: 20240601 },
        );
      });
    });
  }
}
