import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planCases } from '../../coordinator/plan.js';
import { caseId } from '../../model/case.js';
import { rawEngine } from '../../engines/raw.js';
import { nullEngine } from '../../engines/null.js';
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
