/**
 * The sqlite engine's durability claims follow what SQLite promises per journal mode
 * (docs/real-engines.md): WAL + NORMAL (batch) claims commits only after an engine-run checkpoint,
 * timed as the `checkpoint` phase; DELETE + NORMAL claims every commit; FULL claims every commit;
 * OFF claims nothing. Skipped, with the reason, when better-sqlite3 is unavailable.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { engineAvailability } from '../engines/registry.js';
import { sqliteEngine } from '../engines/sqlite/index.js';
import { keyOf, openEngine, valueOf } from './helpers/engine.js';
import { tempDir } from './helpers/tmp.js';

const unavailable = await engineAvailability(sqliteEngine);
const skip = unavailable === null ? false : `sqlite is unavailable: ${unavailable}`;

test('WAL + batch: nothing is claimed until the checkpoint every batchSize commits', { skip }, async () => {
  const e = await openEngine(sqliteEngine, tempDir('sqlite'), { mode: 'batch', batchSize: 8, options: { journal: 'wal' } });
  for (let i = 0; i < 7; i++) await e.put(keyOf(i), valueOf(i));
  assert.equal(e.durable(), 0, 'NORMAL does not sync WAL commits');
  await e.put(keyOf(7), valueOf(7));
  assert.equal(e.durable(), 8, 'the checkpoint synced the WAL');
  assert.ok((e.phases.get('checkpoint') ?? 0) > 0, 'the checkpoint is recorded as a phase');
  for (let i = 8; i < 11; i++) await e.put(keyOf(i), valueOf(i));
  assert.equal(e.durable(), 8);
  await e.close();
  assert.equal(e.durable(), 11, 'close checkpoints the partial batch');
  assert.equal((e.engine.stats?.() ?? {})['checkpoints'], 2);
});

test('DELETE + batch: NORMAL syncs every commit in rollback mode, so every commit is claimed', { skip }, async () => {
  const dir = tempDir('sqlite');
  const e = await openEngine(sqliteEngine, dir, { mode: 'batch', batchSize: 8, options: { journal: 'delete' } });
  for (let i = 0; i < 5; i++) {
    await e.put(keyOf(i), valueOf(i));
    assert.equal(e.durable(), i + 1);
  }
  assert.equal(fs.existsSync(`${dir}/kv.sqlite-wal`), false, 'no WAL in rollback mode');
  await e.close();
});

for (const journal of ['wal', 'delete']) {
  test(`${journal}: sync claims every commit, none claims nothing`, { skip }, async () => {
    const s = await openEngine(sqliteEngine, tempDir('sqlite'), { mode: 'sync', options: { journal } });
    for (let i = 0; i < 3; i++) await s.put(keyOf(i), valueOf(i));
    assert.equal(s.durable(), 3);
    await s.close();
    const n = await openEngine(sqliteEngine, tempDir('sqlite'), { mode: 'none', options: { journal } });
    for (let i = 0; i < 3; i++) await n.put(keyOf(i), valueOf(i));
    await n.close();
    assert.equal(n.durable(), 0);
  });
}

test('WAL sync/none: checkpoints every --sqlite-checkpoint-commits commits are timed phases', { skip }, async () => {
  const e = await openEngine(sqliteEngine, tempDir('sqlite'), { mode: 'none', options: { journal: 'wal', 'sqlite-checkpoint-commits': 10 } });
  for (let i = 0; i < 25; i++) await e.put(keyOf(i), valueOf(i));
  assert.equal((e.engine.stats?.() ?? {})['checkpoints'], 2);
  assert.ok((e.phases.get('checkpoint') ?? 0) > 0);
  await e.close();
});

test('reopen reports the rows recovered', { skip }, async () => {
  const dir = tempDir('sqlite');
  const e = await openEngine(sqliteEngine, dir, { mode: 'sync' });
  for (let i = 0; i < 12; i++) await e.put(keyOf(i), valueOf(i));
  await e.close();
  const again = await openEngine(sqliteEngine, dir, { mode: 'sync' });
  assert.equal(again.recovery.recordsRecovered, 12);
  assert.equal(again.recovery.crcFailures, 0);
  await again.close();
});
