import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCases } from '../../coordinator/plan.js';
import { caseId } from '../../model/case.js';
import { rawEngine } from '../../engines/raw.js';
import { nullEngine } from '../../engines/null.js';
import { walEngine } from '../../engines/wal/engine.js';
import type { EngineFactory } from '../../engines/types.js';
import { type ResolvedSuite } from '../../model/run-report.js';

const base: ResolvedSuite = {
  name: 't',
  engines: ['raw', 'null'],
  modes: ['sync', 'batch', 'none'],
  batchSizes: [4, 32],
  batchMs: null,
  writers: [1, 2],
  valueBytes: [128],
  workloads: ['unique'],
  targets: ['/a', '/b'],
  faults: [null],
  engineOptions: {},
  seed: 1,
  warmupMs: 0,
  durationMs: 100,
  commitsPerWriter: null,
  repeat: 1,
};

test('the matrix expands targets × engines × modes × batch sizes × writers', () => {
  const cases = planCases(base, [rawEngine, nullEngine]);
  // per target and engine: sync (1) + batch (2 sizes) + none (1) = 4 modes-settings, × 2 writer counts
  assert.equal(cases.length, 2 * 2 * 4 * 2);
  assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'ids are unique');
  assert.equal(cases[0]!.id, 'raw/sync/w1/v128/unique/t0');
  assert.ok(cases.some((c) => c.id === 'null/batch-32/w2/v128/unique/t1'));
  const batch = cases.flatMap((c) => (c.key.mode === 'batch' ? [c.key.batchSize] : []));
  assert.deepEqual([...new Set(batch)], [4, 32]);
  // Only batch keys carry batch settings: the durability union, not a batchSize of 1 or null.
  assert.ok(cases.filter((c) => c.key.mode !== 'batch').every((c) => !('batchSize' in c.key) && !('batchMs' in c.key)));
  assert.ok(cases.every((c) => c.skip === null));
  // engine defaults are filled in
  assert.equal(cases[0]!.engineOptions['sync-call'], 'fdatasync');
});

test('faults only combine with engines that have them', () => {
  const faulty: EngineFactory = { ...nullEngine, name: 'faulty', faults: [{ name: 'lie', describe: 'never syncs' }] };
  const cases = planCases({ ...base, engines: ['null', 'faulty'], targets: ['/a'], modes: ['sync'], writers: [1], faults: [null, 'lie'] }, [
    nullEngine,
    faulty,
  ]);
  assert.deepEqual(
    cases.map((c) => c.id),
    ['null/sync/w1/v128/unique/t0', 'faulty/sync/w1/v128/unique/t0', 'faulty+lie/sync/w1/v128/unique/t0'],
  );
});

test('a combination an engine cannot run is planned as skipped with the reason', () => {
  const syncOnly: EngineFactory = { ...nullEngine, name: 'synconly', modes: ['sync'] };
  const cases = planCases({ ...base, engines: ['synconly'], targets: ['/a'], writers: [1], batchSizes: [8] }, [syncOnly]);
  assert.deepEqual(
    cases.map((c) => c.skip === null),
    [true, false, false],
  );
  assert.match(cases[1]!.skip!, /does not support mode batch \(it supports sync\)/);
  const odsync = planCases(
    { ...base, engines: ['raw'], targets: ['/a'], writers: [1], batchSizes: [8], engineOptions: { 'sync-call': 'odsync' } },
    [rawEngine],
  );
  assert.deepEqual(
    odsync.map((c) => c.skip === null),
    [true, false, false],
  );
});

test('case ids name batch time limits and faults', () => {
  const key = {
    engine: 'wal',
    mode: 'batch' as const,
    batchSize: 32,
    batchMs: 5,
    writers: 4,
    valueBytes: 4096,
    workload: 'overwrite:100',
    target: '/x',
    fault: 'flush-no-fsync',
  };
  assert.equal(caseId(key, 2), 'wal+flush-no-fsync/batch-32-5ms/w4/v4096/overwrite:100/t2');
});

test('shares: per-writer and shared-log cases side by side, told apart by id and key; group modes and durable batches only on the shared log', () => {
  const cases = planCases(
    {
      ...base,
      engines: ['wal', 'raw'],
      targets: ['/a'],
      modes: ['sync', 'batch', 'delay', 'pipelined'],
      batchSizes: [8],
      writers: [8],
      shares: ['none', 'log'],
      ack: null,
      commitDelaysUs: [0, 100],
      commitSiblings: 5,
      syncParallelisms: [1, 4],
    },
    [walEngine, rawEngine],
  );
  const wal = cases.filter((c) => c.key.engine === 'wal').map((c) => [c.id, c.skip === null ? 'run' : c.skip]);
  assert.deepEqual(wal, [
    ['wal/sync/w8/v128/unique/t0', 'run'],
    ['wal/sync/w8-log/v128/unique/t0', 'run'],
    ['wal/batch-8/w8/v128/unique/t0', 'run'],
    // On a shared log a batch is acked after its sync unless --ack before-sync says otherwise.
    ['wal/batch-8-durable/w8-log/v128/unique/t0', 'run'],
    ['wal/delay-0us-s5/w8/v128/unique/t0', 'mode delay runs only on a shared log (--share log)'],
    ['wal/delay-0us-s5/w8-log/v128/unique/t0', 'run'],
    ['wal/delay-100us-s5/w8/v128/unique/t0', 'mode delay runs only on a shared log (--share log)'],
    ['wal/delay-100us-s5/w8-log/v128/unique/t0', 'run'],
    ['wal/pipelined-k1/w8/v128/unique/t0', 'mode pipelined runs only on a shared log (--share log)'],
    ['wal/pipelined-k1/w8-log/v128/unique/t0', 'run'],
    ['wal/pipelined-k4/w8/v128/unique/t0', 'mode pipelined runs only on a shared log (--share log)'],
    ['wal/pipelined-k4/w8-log/v128/unique/t0', 'run'],
  ]);
  const rawShared = cases.filter((c) => c.key.engine === 'raw' && c.key.share === 'log');
  assert.ok(rawShared.length > 0 && rawShared.every((c) => c.skip === 'raw does not run a shared log (--share log runs wal)'));
  // Per-writer keys stay what they were before shared logs: no share field, no ack field.
  const perWriter = cases.find((c) => c.id === 'wal/batch-8/w8/v128/unique/t0')!;
  assert.ok(!('share' in perWriter.key) && !('ack' in perWriter.key));
  const shared = cases.find((c) => c.id === 'wal/batch-8-durable/w8-log/v128/unique/t0')!;
  assert.equal(shared.key.share, 'log');
  assert.equal(shared.key.mode === 'batch' && shared.key.ack, 'after-sync');
});

test('--ack before-sync keeps a shared batch acked on write (the id of a single writer’s batch)', () => {
  const cases = planCases({ ...base, engines: ['wal'], targets: ['/a'], modes: ['batch'], batchSizes: [8], writers: [4], shares: ['log'], ack: 'before-sync' }, [walEngine]);
  assert.deepEqual(
    cases.map((c) => c.id),
    ['wal/batch-8/w4-log/v128/unique/t0'],
  );
});
