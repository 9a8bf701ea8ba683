/**
 * Every probe method runs on a temporary directory (the repository's filesystem) and on /dev/shm
 * (tmpfs), and yields a completed result or a clearly unsupported one. Very short runs; no timing
 * thresholds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { allMethods, methodIds } from '../probe/methods.js';
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
    'fdatasync', 'fsync', 'o_dsync', 'o_sync', 'o_direct_dsync',
    'fdatasync-2w', 'fsync-2w', 'o_dsync-2w', 'o_sync-2w', 'o_direct_dsync-2w',
    'o_sync-1x16k', 'o_sync-2x8k', 'o_sync-4x4k', 'o_sync-8x2k', 'o_sync-16x1k',
    'write-fsync-close', 'write-close-reopen-fsync', 'append-fdatasync',
    'dirfsync-after-create', 'dirfsync-after-rename', 'write-nosync',
  ]) assert.ok(ids.includes(id), id);
  // Two block sizes: the block-size methods twice, the fixed ones once.
  const two = allMethods([4096, 8192]);
  assert.equal(two.filter((m) => m.info.id === 'fdatasync').length, 2);
  assert.equal(two.filter((m) => m.info.id === 'o_sync-4x4k').length, 1);
  assert.equal(two.find((m) => m.info.id === 'o_sync-16x1k')?.info.bytesPerOp, 16384);
});

for (const [label, dirOf] of [
  ['a temporary directory on the repository disk', () => tempDir('probe-methods')],
  ['/dev/shm (tmpfs)', () => (fs.existsSync('/dev/shm') ? fs.mkdtempSync('/dev/shm/durabench-test-') : null)],
] as const) {
  test(`every probe method completes or is clearly unsupported on ${label}`, (t) => {
    const dir = dirOf();
    if (dir === null) return t.skip('no /dev/shm');
    try {
      for (const method of allMethods([8192])) {
        const scratch = fs.mkdtempSync(path.join(dir, 'm-'));
        const r = measureMethod(method, dir, scratch, OPTS);
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
  assert.deepEqual(report.results.map((r) => r.method.id), ['fdatasync', 'write-nosync']);
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
