import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSuite, resolveSuite } from '../coordinator/resolve.js';
import { UsageError } from '../model/errors.js';
import { tempDir } from './helpers/tmp.js';

test('the bundled default suite resolves: raw and wal, all three modes, a short duration', async () => {
  const s = loadSuite('default');
  assert.deepEqual(s.engines, ['raw', 'wal']);
  assert.deepEqual(s.modes, ['sync', 'batch', 'none']);
  assert.ok((s.durationMs ?? 0) <= 2000, 'the default suite is quick');
});

test('flags resolve with defaults filled in', async () => {
  const dir = tempDir('resolve');
  const s = await resolveSuite(
    { engines: ['null'], modes: ['batch'], batchSizes: [8, 8, 16], targets: [dir] },
    new Set(['engines', 'modes', 'batchSizes', 'targets']),
  );
  assert.deepEqual(s.batchSizes, [8, 16], 'duplicates removed');
  assert.equal(s.writers[0], 1);
  assert.equal(s.durationMs, 1000);
  assert.equal(s.commitsPerWriter, null);
});

test('--commits replaces the default duration', async () => {
  const dir = tempDir('resolve');
  const s = await resolveSuite(
    { engines: ['null'], targets: [dir], commitsPerWriter: 10, durationMs: null },
    new Set(['commitsPerWriter']),
  );
  assert.equal(s.commitsPerWriter, 10);
  assert.equal(s.durationMs, null);
});

test('usage errors are UsageError instances with one line', async () => {
  await assert.rejects(
    resolveSuite({ engines: ['null'], writers: [-1] }),
    (e: unknown) => e instanceof UsageError && !e.message.includes('\n'),
  );
  await assert.rejects(resolveSuite({ engines: ['null'], batchMs: 0, modes: ['batch'] }), /--batch-ms must be a number > 0 and ≤ 3600000, got '0'/);
});
