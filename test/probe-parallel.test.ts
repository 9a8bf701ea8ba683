/**
 * The sync-parallelism probe methods: K real threads writing and fdatasyncing real files at once,
 * each its own file and all one file; aggregate counts merged exactly; the section that reads the
 * curve. Very short runs; no timing thresholds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { type ProbeReport } from '../model/probe-report.js';
import { measureParallel, parallelMethodIds, parallelMethods } from '../probe/parallel.js';
import { parallelTables, readScaling } from '../reports/render/probe-parallel.js';
import { tempDir } from './helpers/tmp.js';

test(
  'K threads sync at once, each its own file and all one file: every operation counted once, latencies merged',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir('probe-parallel');
    const methods = parallelMethods([4096], [1, 3]);
    assert.deepEqual(
      methods.map((m) => m.info.id),
      ['fdatasync-own-files-k1', 'fdatasync-own-files-k3', 'fdatasync-one-file-k1', 'fdatasync-one-file-k3'],
    );
    assert.deepEqual(
      parallelMethodIds([1, 3]),
      methods.map((m) => m.info.id),
    );
    const results = [];
    let idle = 0;
    for (const m of methods) {
      const scratch = fs.mkdtempSync(path.join(dir, 'm'));
      const r = await measureParallel(m, dir, scratch, { seconds: 0.1, warmupSeconds: 0.02 });
      // A thread whose first sync outlasts the window measured nothing: the method says so instead of a rate.
      if (r.state === 'errored' && /completed no write \+ fdatasync inside the 0\.1 s window/.test(r.reason)) {
        assert.deepEqual(fs.readdirSync(scratch), []);
        idle += 1;
        continue;
      }
      assert.equal(r.state, 'completed', r.state !== 'completed' ? r.reason : '');
      if (r.state !== 'completed') continue;
      assert.equal(r.method.threads, m.threads);
      assert.equal(r.metrics.latency.count, r.metrics.samples);
      assert.ok(r.metrics.samples >= m.threads, `${m.info.id}: every thread synced at least once`);
      assert.equal(r.metrics.sliceOpsPerSec.length, 5);
      assert.ok(r.metrics.latency.p50Ns <= r.metrics.latency.p99Ns && r.metrics.latency.p99Ns <= r.metrics.latency.maxNs);
      // Every file is removed after the method: the probe's scratch directory is empty again.
      assert.deepEqual(fs.readdirSync(scratch), []);
      results.push(r);
    }
    // The tables need every method measured (a machine too loaded for 0.1 s windows has told us so above).
    if (idle > 0) return;
    const report = {
      settings: { targets: [dir], blockBytes: [4096], seconds: 0.1, warmupSeconds: 0.02, threads: [1, 3] },
      results,
    } as unknown as ProbeReport;
    const tables = parallelTables(report);
    assert.deepEqual(
      tables.map((t) => [t.group, t.rows.length]),
      [
        ['concurrent syncs, each thread its own file', 3],
        ['concurrent syncs, all threads one file', 3],
      ],
    );
    assert.equal(tables[0]!.rows[1]![2], '×1.00');
    assert.match(tables[0]!.reading, /^1 → 3 threads: ×/);
  },
);

test('reading the curve: overlap, partial overlap, serialization', () => {
  assert.equal(readScaling(5.2, 1, 16), '1 → 16 threads: ×5.20 the syncs/s of one thread (concurrent syncs overlap here)');
  assert.match(readScaling(1.5, 1, 16), /overlap partly/);
  assert.match(readScaling(1.02, 1, 16), /serialize here: one stream of syncs is as fast/);
  assert.match(readScaling(0.7, 2, 8), /^2 → 8 threads: ×0\.700 the syncs\/s of 2 threads \(concurrent syncs serialize/);
});
