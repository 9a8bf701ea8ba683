import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { fioPercentileKey, type EncodedLatency } from '../../model/latency.js';
import { LatencyRecorder, mergeEncoded } from '../../stats/hdr.js';
import { summarizeLatency } from '../../stats/summary.js';

/** Record values in a real worker thread (its own WebAssembly instance) and return the encoding. */
function recordInThread(values: number[]): Promise<EncodedLatency> {
  const hdrUrl = new URL('../../stats/hdr.js', import.meta.url).href;
  const src = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.hdrUrl).then(({ LatencyRecorder }) => {
      const r = new LatencyRecorder();
      for (const v of workerData.values) r.record(v);
      parentPort.postMessage(r.encode());
      r.destroy();
    });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(src, { eval: true, workerData: { values, hdrUrl } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

test('histograms recorded on different threads merge to exactly the summed counts', async () => {
  const a = Array.from({ length: 1000 }, (_, i) => 1000 + i * 7);
  const b = Array.from({ length: 2500 }, (_, i) => 50_000 + i * 13);
  const c: number[] = [];
  const [ea, eb, ec] = await Promise.all([recordInThread(a), recordInThread(b), recordInThread(c)]);
  const merged = mergeEncoded([ea, eb, ec]);
  assert.equal(merged.count, 3500);
  assert.equal(merged.histogram.totalCount, 3500);
  assert.equal(merged.min, 1000);
  assert.equal(merged.max, 50_000 + 2499 * 13);

  // The merge is exact bucket by bucket: same as recording everything in one histogram.
  const single = new LatencyRecorder();
  for (const v of [...a, ...b]) single.record(v);
  for (const p of [1, 50, 90, 99, 99.9]) {
    assert.equal(merged.histogram.getValueAtPercentile(p), single.histogram.getValueAtPercentile(p), `p${p}`);
  }
  single.destroy();
});

test('summaries carry fio percentile keys and the exact extremes', async () => {
  const values = Array.from({ length: 100 }, (_, i) => (i + 1) * 1000); // 1 µs .. 100 µs
  const s = summarizeLatency([await recordInThread(values)]);
  assert.equal(s.count, 100);
  assert.equal(s.minNs, 1000);
  assert.equal(s.maxNs, 100_000);
  assert.ok(Object.hasOwn(s.percentilesNs, '99.000000'));
  assert.ok(Object.hasOwn(s.percentilesNs, '99.990000'));
  assert.equal(fioPercentileKey(99.95), '99.950000');
  // HDR with 3 significant digits: within 0.1 % of the true value.
  assert.ok(Math.abs(s.p50Ns - 50_000) <= 50, `p50 ${s.p50Ns}`);
  assert.ok(Math.abs(s.p99Ns - 99_000) <= 99, `p99 ${s.p99Ns}`);
});

test('an empty merge summarises to zeros, not NaN', () => {
  const s = summarizeLatency([]);
  assert.equal(s.count, 0);
  assert.equal(s.p99Ns, 0);
  assert.equal(s.meanNs, 0);
});
