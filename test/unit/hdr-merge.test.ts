import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { fioPercentileKey, type EncodedLatency } from '../../model/latency.js';
import { createHistogram, encodeHistogram, histogramStats, LatencyRecorder, mergeEncoded } from '../../stats/hdr.js';
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

test('staged recording gives byte for byte the histogram that direct recording gives, edges included', () => {
  const edges = [
    0,
    1,
    2,
    1023,
    1024,
    2047,
    2048,
    2049,
    4095,
    4096,
    65_535,
    65_536,
    1e6,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 40,
    1.5e12,
  ];
  let x = 7;
  const rnd = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  const values = [...edges];
  for (let i = 0; i < 20_000; i++)
    values.push(rnd() % 2000, rnd() % 200_000, rnd() >>> (rnd() % 32), Math.floor((rnd() / 2 ** 32) * 2 ** 44));
  const staged = new LatencyRecorder();
  const direct = createHistogram();
  for (const v of values) {
    staged.record(v);
    direct.recordValue(v);
  }
  assert.equal(staged.encode().histogram, encodeHistogram(direct));
  assert.equal(staged.count, values.length);
  assert.equal(staged.min, 0);
  assert.equal(staged.max, Math.max(...values));
  // Reading flushes; recording after a read, a reset and an add keep agreeing.
  staged.record(12_345);
  direct.recordValue(12_345);
  assert.equal(staged.encode().histogram, encodeHistogram(direct));
  const other = new LatencyRecorder();
  other.record(777);
  other.record(3_000_000);
  staged.add(other);
  direct.recordValue(777);
  direct.recordValue(3_000_000);
  assert.equal(staged.encode().histogram, encodeHistogram(direct));
  staged.reset();
  direct.reset();
  staged.record(5);
  direct.recordValue(5);
  assert.equal(staged.encode().histogram, encodeHistogram(direct));
  for (const r of [staged, other]) r.destroy();
  direct.destroy();
});

test('histogramStats gives exactly the library getters: mean, standard deviation and every percentile', () => {
  let x = 11;
  const rnd = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  const percentiles = [0, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100];
  for (const [n, spread] of [
    [1, 1000],
    [7, 50],
    [1000, 5000],
    [50_000, 2 ** 30],
  ] as const) {
    const r = new LatencyRecorder();
    for (let i = 0; i < n; i++) r.record(rnd() % spread);
    // A decoded JS histogram, as the coordinator summarises them.
    const h = mergeEncoded([r.encode()]).histogram;
    const s = histogramStats(h, percentiles);
    assert.equal(s.mean, h.mean, `mean, ${n} values`);
    assert.equal(s.stdDeviation, h.stdDeviation, `stddev, ${n} values`);
    assert.deepEqual(
      s.valuesAtPercentiles,
      percentiles.map((p) => h.getValueAtPercentile(p)),
      `percentiles, ${n} values`,
    );
    r.destroy();
  }
  const empty = histogramStats(mergeEncoded([]).histogram, [50]);
  assert.deepEqual(empty, { mean: 0, stdDeviation: 0, valuesAtPercentiles: [0] });
});
