/**
 * `wal --share log` on real files: the CLI with several writer threads in every policy (exact sync
 * and group accounting, declared exposure, rotation with directory fsyncs), and recovery of shared
 * logs (every writer's sequence numbers checked, a hole or a gap keeps only the prefix before it,
 * sequence numbers continue after a reopen).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { frameKvWithOrigin, scanFrames } from '../engines/framing.js';
import { sharedLogBytes } from '../engines/shared-log/memory.js';
import type { EngineFactory } from '../engines/types.js';
import { walEngine } from '../engines/wal/engine.js';
import { WalLog } from '../engines/wal/log.js';
import { SEGMENT_HEADER_BYTES, segmentPath, segmentSeqs } from '../engines/wal/segment.js';
import { Io } from '../io/io.js';
import type { RunReport } from '../model/run-report.js';
import { Workload } from '../workers/workload.js';
import { runCli } from './helpers/cli.js';
import { openEngine } from './helpers/engine.js';
import { tempDir } from './helpers/tmp.js';

/** The wal factory as writer `writer` of a shared log of `writers` on `memory`. */
function sharedFactory(memory: SharedArrayBuffer, writer: number, writers: number): EngineFactory {
  return {
    ...walEngine,
    create: (ctx) => walEngine.create({ ...ctx, share: { kind: 'log', memory, writer, writers, recordGroup: () => undefined } }),
  };
}

function readReport(out: string): RunReport {
  return JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
}

/** The kept shared-log directory of the case whose id contains `id`. */
function keptLog(target: string, id: string): string {
  const run = fs.readdirSync(target).find((d) => d.startsWith('durabench-'))!;
  const safe = id.replace(/[^A-Za-z0-9._+-]+/g, '_');
  const caseDir = fs.readdirSync(path.join(target, run)).find((d) => d.includes(safe))!;
  return path.join(target, run, caseDir, 'log');
}

test(
  'run --share log: 4 writers on one log in every policy; syncs, group sizes and exposure add up exactly',
  { timeout: 180_000 },
  async () => {
    const dir = tempDir('shared-run');
    const out = path.join(dir, 'out');
    const commits = 120;
    const r = await runCli([
      'run',
      '--engine',
      'wal',
      '--share',
      'log',
      '--writers',
      '4',
      '--mode',
      'sync,batch,delay,pipelined,none',
      '--batch-size',
      '4',
      '--commit-delay-us',
      '50',
      '--commit-siblings',
      '1',
      '--sync-parallelism',
      '2',
      '--commits',
      String(commits),
      '--warmup',
      '0',
      '--dir',
      dir,
      '--out',
      out,
      '--format',
      'json,csv,md',
      '--keep',
      '--quiet',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const report = readReport(out);
    assert.deepEqual(
      report.cases.map((c) => c.id),
      [
        'wal/sync/w4-log/v128/unique/t0',
        'wal/batch-16-durable/w4-log/v128/unique/t0',
        'wal/delay-50us-s1/w4-log/v128/unique/t0',
        'wal/pipelined-k2/w4-log/v128/unique/t0',
        'wal/none/w4-log/v128/unique/t0',
      ].map((id) => id.replace('batch-16', 'batch-4')),
    );
    for (const c of report.cases) {
      assert.equal(c.state, 'completed', c.id);
      if (c.state !== 'completed') continue;
      const m = c.metrics;
      assert.equal(c.key.share, 'log');
      assert.equal(m.commits, 4 * commits, c.id);
      if (c.key.mode === 'none') {
        assert.equal(m.syncsByKind.fdatasync, 0);
        assert.equal(m.exposure.unbounded, true);
        continue;
      }
      // Every commit acked after its sync: each fdatasync is one group, and the groups are the commits.
      assert.equal(m.commitsPerSync!.count, m.syncsByKind.fdatasync, `${c.id}: one group per sync`);
      assert.equal(Math.round(m.commitsPerSync!.mean * m.commitsPerSync!.count), m.commits, `${c.id}: the groups add up to the commits`);
      assert.ok(m.commitsPerSync!.max <= 4, `${c.id}: a group holds at most one commit per writer`);
      assert.equal(m.leaderWaitLatency!.count, m.commitsPerSync!.count);
      assert.equal(m.exposure.maxCommits, 0, `${c.id}: nothing acked before its sync`);
      assert.equal(m.exposure.maxNs, 0);
    }
    const csv = fs.readFileSync(path.join(out, 'report.csv'), 'utf8').split('\n');
    assert.match(csv[0]!, /,writers,share,/);
    assert.match(csv[1]!, /,4,log,/);
    assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /\| wal \| sync \| — \| 4 \(log\) \|/);

    // Every writer's records are in the log, contiguous, readable by every key.
    for (const id of ['wal/sync/w4-log', 'wal/pipelined-k2/w4-log']) {
      const log = keptLog(dir, id);
      const e = await openEngine(sharedFactory(new SharedArrayBuffer(sharedLogBytes(1)), 0, 1), log);
      assert.equal(e.recovery.recordsRecovered, 4 * commits);
      assert.ok(
        e.recovery.notes.includes(
          `4 writer(s), every writer's records contiguous from 1 (writer 0: 1..${commits}, writer 1: 1..${commits}, writer 2: 1..${commits}, writer 3: 1..${commits})`,
        ),
        e.recovery.notes.join('; '),
      );
      for (let w = 0; w < 4; w++) {
        const wl = new Workload({ seed: 1, writer: w, valueBytes: 128, workload: 'unique' });
        for (const i of [1, commits >> 1, commits]) assert.deepEqual(await e.get(wl.key(i)), wl.value(i), `${id} writer ${w} commit ${i}`);
      }
      await e.close();
    }
  },
);

test(
  'run --share log with small segments: rotations by any writer, each new segment fsynced with its directory; recovery finds every record',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir('shared-rotate');
    const out = path.join(dir, 'out');
    const r = await runCli([
      'run',
      '--engine',
      'wal',
      '--share',
      'log',
      '--writers',
      '4',
      '--mode',
      'batch',
      '--ack',
      'before-sync',
      '--batch-size',
      '8',
      '--segment-bytes',
      '4096',
      '--commits',
      '300',
      '--warmup',
      '0',
      '--dir',
      dir,
      '--out',
      out,
      '--format',
      'json',
      '--keep',
      '--quiet',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const c = readReport(out).cases[0]!;
    assert.equal(c.state, 'completed');
    if (c.state !== 'completed') return;
    assert.equal(c.id, 'wal/batch-8/w4-log/v128/unique/t0');
    const rotations = c.metrics.engineStats['rotations']!;
    assert.ok(rotations > 20, `rotations ${rotations}`);
    // One file fsync and one directory fsync per new segment (the first segment was created at open, before measuring).
    assert.equal(c.metrics.syncsByKind.fsync, rotations);
    assert.equal(c.metrics.syncsByKind.dirfsync, rotations);
    assert.ok(c.metrics.exposure.maxCommits > 0, 'acked before the sync: declared exposure');
    const log = keptLog(dir, 'wal/batch-8/w4-log');
    assert.equal(segmentSeqs(fs.readdirSync(log)).length, rotations + 1);
    const e = await openEngine(sharedFactory(new SharedArrayBuffer(sharedLogBytes(1)), 0, 1), log);
    assert.equal(e.recovery.recordsRecovered, 1200);
    assert.equal(e.recovery.discardedBytes, 0);
    assert.match(e.recovery.notes.join('; '), /4 writer\(s\), every writer's records contiguous from 1 \(writer 0: 1\.\.300,/);
    await e.close();
  },
);

/** A log whose records are written by hand: `records` as (writer, seq) in log order; `hole` zeroes one. */
function handWrittenLog(records: readonly [number, number][], hole: number | null = null): string {
  const dir = tempDir('shared-hand');
  const log = new WalLog({ io: new Io(), dir, segmentBytes: 1 << 20, preallocate: false });
  log.open();
  const offsets: number[] = [];
  for (const [writer, seq] of records)
    offsets.push(log.appendFramed(frameKvWithOrigin({ writer, seq }, Buffer.from(`w${writer}-${seq}`), Buffer.from('value'))).offset);
  log.sync();
  log.close();
  if (hole !== null) {
    const fd = fs.openSync(segmentPath(dir, 1), 'r+');
    const size = (offsets[hole + 1] ?? fs.fstatSync(fd).size) - offsets[hole]!;
    fs.writeSync(fd, Buffer.alloc(size), 0, size, offsets[hole]!);
    fs.closeSync(fd);
  }
  return dir;
}

async function recover(dir: string, writers = 2) {
  return openEngine(sharedFactory(new SharedArrayBuffer(sharedLogBytes(writers)), 0, writers), dir);
}

test('recovery of a shared log stops before a record that breaks its writer’s sequence, keeping the prefix', async () => {
  const dir = handWrittenLog([
    [0, 1],
    [1, 1],
    [0, 2],
    [1, 2],
    [1, 4],
    [0, 3],
  ]);
  const e = await recover(dir);
  assert.equal(e.recovery.recordsRecovered, 4);
  assert.ok(
    e.recovery.notes.some((n) => /rejected \(writer 1's record 4 follows its record 2\)/.test(n)),
    e.recovery.notes.join('; '),
  );
  assert.ok(e.recovery.discardedBytes > 0);
  assert.deepEqual(await e.get(Buffer.from('w0-2')), Buffer.from('value'));
  assert.equal(await e.get(Buffer.from('w0-3')), undefined, 'a record after the stop never comes back');
  await e.close();
});

test('a record never written (a hole left by a writer in flight) ends the log there, though later records are intact', async () => {
  const dir = handWrittenLog(
    [
      [0, 1],
      [1, 1],
      [0, 2],
      [1, 2],
    ],
    1,
  );
  const e = await recover(dir);
  assert.equal(e.recovery.recordsRecovered, 1);
  assert.equal(await e.get(Buffer.from('w0-2')), undefined);
  await e.close();
  // What comes next is appended right after the last intact record, by the next run's writers.
  const size = fs.statSync(segmentPath(dir, 1)).size;
  assert.equal(size, SEGMENT_HEADER_BYTES + frameKvWithOrigin({ writer: 0, seq: 1 }, Buffer.from('w0-1'), Buffer.from('value')).length);
});

test('after a reopen every writer continues its own sequence numbers', async () => {
  const dir = tempDir('shared-reopen');
  for (let round = 0; round < 2; round++) {
    const memory = new SharedArrayBuffer(sharedLogBytes(2));
    // Writer 0 recovers first; writer 1's open waits for it (here it is already done).
    const a = await openEngine(sharedFactory(memory, 0, 2), dir);
    const b = await openEngine(sharedFactory(memory, 1, 2), dir);
    for (let i = 0; i < 3; i++) {
      await a.put(Buffer.from(`a${round}-${i}`), Buffer.from('x'));
      await b.put(Buffer.from(`b${round}-${i}`), Buffer.from('y'));
    }
    assert.equal(a.durable(), 3, 'sync mode: every commit declared durable before its ack');
    await a.close();
    await b.close();
  }
  const frames = scanFrames(fs.readFileSync(segmentPath(dir, 1)), SEGMENT_HEADER_BYTES).frames;
  assert.deepEqual(
    frames.map((f) => `${f.origin!.writer}:${f.origin!.seq}`),
    ['0:1', '1:1', '0:2', '1:2', '0:3', '1:3', '0:4', '1:4', '0:5', '1:5', '0:6', '1:6'],
  );
});
