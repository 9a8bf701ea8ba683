/**
 * Every probe method runs on a temporary directory (the repository's filesystem) and on /dev/shm
 * (tmpfs), and yields a completed result or a clearly unsupported one. Very short runs; no timing
 * thresholds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { allMethods, methodIds, standaloneContext } from '../probe/methods.js';
import { Io } from '../io/io.js';
import { measureMethod } from '../probe/measure.js';
import { probeForTest } from './helpers/session.js';
import { OWNER_MARKER } from '../workspace/workdir.js';
import { type ProbeResult } from '../model/probe-report.js';
import { tempDir } from './helpers/tmp.js';

const OPTS = { seconds: 0.02, warmupSeconds: 0.005, minIterations: 2 };

function checkResult(r: ProbeResult, id: string): void {
  assert.ok(r.state === 'completed' || r.state === 'unsupported', `${id}: ${r.state}${r.state !== 'completed' ? `: ${r.reason}` : ''}`);
  if (r.state === 'completed') {
    const m = r.metrics;
    assert.ok(m.samples >= 2, `${id}: ${m.samples} samples`);
    assert.equal(m.latency.count, m.samples);
    assert.ok(m.opsPerSec > 0);
    assert.ok(m.latency.p50Ns <= m.latency.p99Ns && m.latency.p99Ns <= m.latency.p999Ns && m.latency.p999Ns <= m.latency.maxNs, id);
    assert.ok(m.latency.histogram.length > 0);
    assert.equal(m.sliceOpsPerSec.length, 5);
  } else {
    assert.ok(r.reason.length > 10, `${id}: unsupported needs a reason`);
  }
}

test('the method list covers every comparison pg_test_fsync makes', () => {
  const ids = methodIds();
  for (const id of [
    'fdatasync',
    'fsync',
    'o_dsync',
    'o_sync',
    'o_direct_dsync',
    'o_direct_sync',
    'fdatasync-2w',
    'fsync-2w',
    'o_dsync-2w',
    'o_sync-2w',
    'o_direct_dsync-2w',
    'o_direct_sync-2w',
    'o_sync-1x16k',
    'o_sync-2x8k',
    'o_sync-4x4k',
    'o_sync-8x2k',
    'o_sync-16x1k',
    'o_direct_sync-1x16k',
    'o_direct_sync-2x8k',
    'o_direct_sync-4x4k',
    'o_direct_sync-8x2k',
    'o_direct_sync-16x1k',
    'write-fsync-close',
    'write-close-reopen-fsync',
    'append-fdatasync',
    'dirfsync-after-create',
    'dirfsync-after-rename',
    'write-nosync',
  ])
    assert.ok(ids.includes(id), id);
  // Two block sizes: the block-size methods twice, the fixed ones once.
  const two = allMethods([4096, 8192]);
  assert.equal(two.filter((m) => m.info.id === 'fdatasync').length, 2);
  assert.equal(two.filter((m) => m.info.id === 'o_sync-4x4k').length, 1);
  assert.equal(two.find((m) => m.info.id === 'o_sync-16x1k')?.info.bytesPerOp, 16384);
});

for (const [label, dirOf, patterns] of [
  ['a temporary directory on the repository disk', () => tempDir('probe-methods'), ['rewrite']],
  ['/dev/shm (tmpfs)', () => (fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/durabench-test-') : null), ['rewrite', 'sequential']],
] as const) {
  test(`every probe method completes or is clearly unsupported on ${label}`, (t) => {
    const dir = dirOf();
    if (dir === null) return t.skip('no /dev/shm');
    try {
      // One random-filled data file for every method of the directory, as the probe shares it.
      const ctx = standaloneContext(dir, new Io());
      for (const method of allMethods([8192], patterns)) {
        const scratch = fs.mkdtempSync(path.join(dir, 'm-'));
        const r = measureMethod(method, dir, scratch, OPTS, ctx);
        checkResult(r, method.info.id);
        if (r.state === 'completed' && method.info.id === 'o_direct_dsync') assert.match(r.metrics.notes.join(' '), /O_DIRECT buffer/);
      }
    } finally {
      if (dir.startsWith('/dev/shm/')) fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('O_DIRECT with a write size that is not a multiple of the logical block size is unsupported, with the reason', () => {
  const dir = tempDir('probe-odirect');
  const method = allMethods([1000]).find((m) => m.info.id === 'o_direct_dsync')!;
  const r = measureMethod(method, dir, dir, OPTS);
  // ext4 on a block device refuses misaligned sizes; a filesystem that accepts them completes.
  if (r.state === 'unsupported') {
    assert.equal(r.code, 'EINVAL');
    assert.match(r.reason, /O_DIRECT/);
  } else assert.equal(r.state, 'completed');
});

test('runProbe works inside a marked work directory per target and removes it afterwards', async () => {
  const dir = tempDir('probe-run');
  const seen: string[] = [];
  const report = await probeForTest({
    targets: [dir],
    seconds: 0.02,
    warmupSeconds: 0,
    blockBytes: [4096],
    methods: ['fdatasync', 'write-nosync'],
    runId: 'test',
    onResult: () => {
      const entries = fs.readdirSync(dir);
      assert.deepEqual(entries, ['durabench-probe-test']);
      assert.ok(fs.existsSync(path.join(dir, entries[0]!, OWNER_MARKER)));
      seen.push(entries[0]!);
    },
  });
  assert.equal(seen.length, 2);
  assert.deepEqual(fs.readdirSync(dir), [], 'work directory removed');
  assert.equal(report.status, 'completed');
  assert.deepEqual(
    report.results.map((r) => r.method.id),
    ['fdatasync', 'write-nosync'],
  );
  assert.equal(report.results[0]?.method.blockBytes, 4096);
});

test('runProbe stops between methods when the stop signal fires and says so', async () => {
  const dir = tempDir('probe-stop');
  const stop = new AbortController();
  const report = await probeForTest(
    {
      targets: [dir],
      seconds: 0.01,
      warmupSeconds: 0,
      blockBytes: [4096],
      methods: ['fdatasync', 'fsync', 'write-nosync'],
      runId: 'stop',
      onResult: () => stop.abort('SIGINT'),
    },
    stop.signal,
  );
  assert.equal(report.stopSignal, 'SIGINT');
  assert.equal(report.status, 'interrupted');
  assert.equal(report.results.length, 1);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('the rewrite pattern writes the same block at offset 0 every operation; sequential steps through the data file', () => {
  for (const [pattern, id, changedBlocks] of [
    ['rewrite', 'fdatasync', [0]],
    ['rewrite', 'fdatasync-2w', [0, 1]],
    ['sequential', 'fdatasync', [0, 1, 2, 3, 4]],
    ['rewrite', 'write-nosync', [0]],
    ['sequential', 'o_sync-2x8k', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
  ] as const) {
    const dir = tempDir(`probe-pattern-${pattern}`);
    const io = new Io();
    const ctx = standaloneContext(dir, io);
    const method = allMethods([8192], [pattern]).find((m) => m.info.id === id)!;
    assert.equal(method.info.pattern, pattern);
    const run = method.prepare(dir, io, ctx);
    const file = ctx.dataFile(16 * 1024 * 1024);
    const before = fs.readFileSync(file);
    // Random prefill (pg_test_fsync's): not zeros.
    assert.ok(before.subarray(0, 65536).some((b) => b !== 0));
    for (let i = 0; i < 5; i++) run.op();
    run.close();
    const after = fs.readFileSync(file);
    assert.equal(after.length, before.length, `${pattern} ${id}: the data file keeps its size`);
    const changed: number[] = [];
    for (let b = 0; b * 8192 < after.length; b++)
      if (!after.subarray(b * 8192, (b + 1) * 8192).equals(before.subarray(b * 8192, (b + 1) * 8192))) changed.push(b);
    assert.deepEqual(changed, changedBlocks, `${pattern} ${id}`);
  }
});

test('round-robin passes: every method runs once per pass, the passes are its slices and its samples add up', async () => {
  const dir = tempDir('probe-passes');
  const order: string[] = [];
  const report = await probeForTest({
    targets: [dir],
    seconds: 0.03,
    warmupSeconds: 0,
    blockBytes: [4096],
    patterns: ['rewrite', 'sequential'],
    passes: 3,
    methods: ['fdatasync', 'write-nosync', 'append-fdatasync'],
    runId: 'passes',
    onResult: (r) => order.push(`${r.method.id}/${r.method.pattern ?? '-'}`),
  });
  assert.equal(report.status, 'completed');
  assert.deepEqual(report.settings.patterns, ['rewrite', 'sequential']);
  assert.equal(report.settings.passes, 3);
  // fdatasync and write-nosync once per pattern, append once: 5 cells, in turn, 3 times.
  const cells = ['fdatasync/rewrite', 'fdatasync/sequential', 'append-fdatasync/-', 'write-nosync/rewrite', 'write-nosync/sequential'];
  assert.deepEqual(order, [...cells, ...cells, ...cells]);
  for (const r of report.results) {
    assert.equal(r.state, 'completed', r.method.id);
    if (r.state !== 'completed') continue;
    assert.equal(r.metrics.sliceOpsPerSec.length, 3);
    assert.equal(r.metrics.latency.count, r.metrics.samples);
    assert.ok(
      r.metrics.wallOpsPerSec! > 0 && r.metrics.wallOpsPerSec! <= r.metrics.opsPerSec * 1.0001,
      `${r.method.id}: wall ops/s ≤ timed ops/s`,
    );
  }
  assert.deepEqual(fs.readdirSync(dir), [], 'work directory removed');
});
