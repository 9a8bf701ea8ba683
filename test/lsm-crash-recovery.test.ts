import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { IoObserver } from '../io/io.js';
import { lsmEngine } from '../engines/lsm/engine.js';
import { MANIFEST_FILE } from '../engines/lsm/manifest.js';
import type { Mode, RecoveryReport } from '../engines/types.js';
import { harness, kv, SimulatedCrash } from './helpers/engine-harness.js';
import { tempDir } from './helpers/tmp.js';

const options = { 'memtable-bytes': 4096, 'segment-bytes': 4096 };
const DISTINCT = 40;
const COMMITS = 400;
const commit = (i: number) => kv(i, DISTINCT, 100);

interface CrashRun {
  readonly dir: string;
  /** Commits whose put returned (acked). */
  readonly acked: number;
  /** Commits the engine declared durable before the crash. */
  readonly durable: number;
  readonly crashed: boolean;
}

/** Run COMMITS puts, crashing (an exception out of the io layer, nothing after it runs) where `crashHere` says. */
function runUntilCrash(
  mode: Mode,
  crashHere: (observer: { marker?: [string, number]; op?: number }) => boolean,
  faults: string[] = [],
): CrashRun {
  const dir = tempDir('lsm-crash');
  let crashed = false;
  const observer: IoObserver = {
    onMarker(name, occurrence) {
      if (!crashed && crashHere({ marker: [name, occurrence] })) {
        crashed = true;
        throw new SimulatedCrash(`at ${name}:${occurrence}`);
      }
    },
    afterOp(op) {
      if (!crashed && crashHere({ op: op.seq })) {
        crashed = true;
        throw new SimulatedCrash(`after op ${op.seq} (${op.kind} ${path.basename(op.path)})`);
      }
    },
  };
  const h = harness(lsmEngine, dir, { mode, batchSize: 8, options, faults, observer });
  h.engine.open();
  let acked = 0;
  try {
    for (let i = 1; i <= COMMITS; i++) {
      h.engine.put(commit(i).key, commit(i).value);
      acked = i;
    }
    h.engine.close();
  } catch (err) {
    if (!(err instanceof SimulatedCrash)) throw err;
  }
  // The crashed engine is abandoned as it is (its descriptors stay open, as in a killed process).
  return { dir, acked, durable: h.claim.durable, crashed };
}

/**
 * Reopen and check: every key holds a value written by a commit no older than the key's last commit
 * declared durable, and no newer than the last commit attempted. Returns the lost durable commits.
 */
function verify(run: CrashRun): { lostDurable: number; report: RecoveryReport } {
  const h = harness(lsmEngine, run.dir, { mode: 'sync', options });
  const report = h.engine.open() as RecoveryReport;
  const attempted = run.crashed ? run.acked + 1 : run.acked;
  let lostDurable = 0;
  for (let k = 1; k <= DISTINCT; k++) {
    const key = commit(k).key;
    const writes: number[] = [];
    for (let i = k; i <= attempted; i += DISTINCT) writes.push(i);
    const got = h.engine.get(key) as Buffer | undefined;
    const from = got === undefined ? -1 : writes.findIndex((i) => commit(i).value.equals(got));
    assert.ok(got === undefined || from >= 0, `key ${k}: a value that was never written`);
    const lastDurable = writes.filter((i) => i <= run.durable).at(-1);
    if (lastDurable !== undefined && (from < 0 || writes[from]! < lastDurable)) lostDurable += 1;
  }
  h.engine.close();
  return { lostDurable, report };
}

const FLUSH_MARKERS = ['flush-start', 'segment-rotated', 'sstable-synced', 'manifest-synced', 'wal-truncated', 'compaction-done'];

for (const mode of ['sync', 'batch'] as const) {
  test(`${mode} mode: a crash at every phase marker of the first flushes and compactions loses nothing declared durable`, () => {
    let trials = 0;
    for (const name of FLUSH_MARKERS) {
      for (const occurrence of name === 'compaction-done' ? [1, 2, 3] : [1, 2, 3, 5]) {
        const run = runUntilCrash(mode, (at) => at.marker?.[0] === name && at.marker[1] === occurrence);
        assert.ok(run.crashed, `${name}:${occurrence} never happened`);
        const { lostDurable } = verify(run);
        assert.equal(lostDurable, 0, `${mode}: crash at ${name}:${occurrence} lost durable commits`);
        trials += 1;
      }
    }
    assert.equal(trials, FLUSH_MARKERS.length * 4 - 1);
  });
}

test('sync mode: a crash after every io operation of a flush followed by a compaction loses nothing declared durable', () => {
  // Find the op window from the 4th flush-start (which ends in the first compaction) to compaction-done.
  let first = 0;
  let last = 0;
  let ops = 0;
  runUntilCrash('sync', (at) => {
    if (at.op !== undefined) ops = at.op;
    if (at.marker?.[0] === 'flush-start' && at.marker[1] === 4) first = ops + 1;
    if (at.marker?.[0] === 'compaction-done' && at.marker[1] === 1) last = ops;
    return false;
  });
  assert.ok(first > 0 && last > first + 20, `window ${first}..${last}`);
  for (let k = first; k <= last; k++) {
    const run = runUntilCrash('sync', (at) => at.op === k);
    assert.ok(run.crashed);
    assert.equal(verify(run).lostDurable, 0, `crash after op ${k}`);
  }
});

test('the fault truncate-before-durable loses commits declared durable when the crash hits between truncation and manifest', () => {
  const run = runUntilCrash('sync', (at) => at.marker?.[0] === 'wal-truncated' && at.marker[1] === 1, ['truncate-before-durable']);
  assert.ok(run.crashed);
  const { lostDurable } = verify(run);
  assert.ok(lostDurable > 0, 'the defect should lose durable commits under a process crash');
});

test('a damaged manifest: no throw, SSTables ignored (not deleted), the WAL replayed, never a wrong value', () => {
  const run = runUntilCrash('sync', () => false);
  const m = path.join(run.dir, MANIFEST_FILE);
  const buf = fs.readFileSync(m);
  buf[buf.length - 3]! ^= 0x40;
  fs.writeFileSync(m, buf);
  const tablesBefore = fs.readdirSync(run.dir).filter((f) => f.endsWith('.sst'));
  const { report } = verify(run);
  assert.match(report.notes.join('\n'), /MANIFEST/);
  assert.ok(report.crcFailures >= 1);
  for (const t of tablesBefore) assert.ok(fs.existsSync(path.join(run.dir, t)), `${t} kept`);
});

test('a damaged SSTable is left out and reported; an SSTable no manifest names is deleted', () => {
  const run = runUntilCrash('sync', () => false);
  const tables = fs
    .readdirSync(run.dir)
    .filter((f) => f.endsWith('.sst'))
    .sort();
  assert.ok(tables.length >= 1);
  const victim = path.join(run.dir, tables[0]!);
  const buf = fs.readFileSync(victim);
  buf[10]! ^= 0x01;
  fs.writeFileSync(victim, buf);
  fs.writeFileSync(path.join(run.dir, 'sst-0000000000009999.sst'), 'leftover of an interrupted flush');
  const { report } = verify(run);
  assert.ok(report.crcFailures >= 1);
  assert.match(report.notes.join('\n'), new RegExp(`${tables[0]}: data block 0 checksum fails`));
  assert.equal(fs.existsSync(path.join(run.dir, 'sst-0000000000009999.sst')), false);
});
