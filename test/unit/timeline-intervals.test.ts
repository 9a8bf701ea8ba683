/**
 * The timeline: the adaptive interval (80–200 points, at least 10 ms), a writer's intervals closed
 * on a fake clock with real histograms, the pairwise merge past the point limit, phase spans, and
 * timelines of different intervals merged exactly at the coarsest one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptiveIntervalMs, TIMELINE } from '../../coordinator/defaults.js';
import { LatencyRecorder, compressSnapshot, decodeHistogram, mergeSnapshots } from '../../stats/hdr.js';
import { mergeTimelines } from '../../stats/timeline.js';
import { WriterRecorders } from '../../workers/recorders.js';
import { WriterTimeline } from '../../workers/timeline.js';
import { histogramBuckets } from '../helpers/histogram.js';
import type { EncodedLatency } from '../../model/latency.js';

const MS = 1_000_000n;

test('the adaptive interval gives 80–200 points and never less than 10 ms', () => {
  assert.equal(adaptiveIntervalMs(1000), 10);
  assert.equal(adaptiveIntervalMs(5000), 50);
  assert.equal(adaptiveIntervalMs(60_000), 500);
  assert.equal(adaptiveIntervalMs(3_600_000), 20_000);
  assert.equal(adaptiveIntervalMs(200), 10, 'a 0.2 s case: 20 points of 10 ms');
  assert.equal(adaptiveIntervalMs(null), TIMELINE.minIntervalMs);
  for (let d = 800; d <= 10_000_000; d = Math.round(d * 1.37)) {
    const points = Math.ceil(d / adaptiveIntervalMs(d));
    assert.ok(points >= TIMELINE.targetPoints && points <= TIMELINE.maxPoints, `${d} ms → ${points} points`);
  }
});

test('raw snapshots round-trip and merge exactly', () => {
  const a = new LatencyRecorder();
  const b = new LatencyRecorder();
  for (let i = 1; i <= 100; i++) a.record(i * 1000);
  for (let i = 1; i <= 50; i++) b.record(i * 7000);
  const sa = a.snapshotAndReset();
  const sb = b.snapshotAndReset();
  assert.equal(a.count, 0, 'the snapshot resets the recorder');
  const merged = compressSnapshot(mergeSnapshots([sa, sb], 'ns'));
  assert.equal(merged.count, 150);
  assert.equal(merged.min, 1000);
  assert.equal(merged.max, 350_000);
  const total = new LatencyRecorder();
  total.addSnapshot(sa);
  total.addSnapshot(sb);
  assert.equal(total.encode().histogram, merged.histogram, 'adding snapshots into a recorder gives the same histogram');
  for (const r of [a, b, total]) r.destroy();
});

test('snapshots merged and compressed give the histogram of recording everything at once, values past 2^32 included', () => {
  const parts = [new LatencyRecorder(), new LatencyRecorder(), new LatencyRecorder()];
  const all = new LatencyRecorder();
  const values = [0, 1, 2047, 2048, 123_456, 2 ** 32 - 1, 2 ** 32, 7 * 2 ** 33 + 5, 999_999_999];
  values.forEach((v, i) => {
    for (let k = 0; k <= i; k++) {
      parts[(i + k) % parts.length]!.record(v);
      all.record(v);
    }
  });
  const snaps = parts.map((p) => p.snapshotAndReset());
  assert.ok(
    snaps.some((s) => s.bytes.length > 0),
    'a value past 2^32 is recorded directly, not staged',
  );
  for (const p of parts) assert.equal(p.count, 0);
  const merged = compressSnapshot(mergeSnapshots([snaps[0]!, mergeSnapshots([snaps[1]!, snaps[2]!], 'ns')], 'ns'));
  const whole = all.encode();
  assert.deepEqual([merged.count, merged.min, merged.max], [whole.count, whole.min, whole.max]);
  // Bucket for bucket (the encodings' headers may differ: how far an auto-resizing histogram grew
  // depends on the order values arrived in).
  assert.deepEqual(histogramBuckets(decodeHistogram(merged.histogram)), histogramBuckets(decodeHistogram(whole.histogram)));
  // A recorder is reusable after its snapshot: the next interval starts empty.
  parts[0]!.record(5000);
  const next = parts[0]!.snapshotAndReset();
  assert.deepEqual([next.count, next.min, next.max, next.bytes.length], [1, 5000, 5000, 0]);
  for (const r of [...parts, all]) r.destroy();
});

test('a writer timeline closes one interval per elapsed interval, empty ones included', () => {
  const t = new WriterTimeline(10, null);
  t.start(0n);
  t.commit.record(1000);
  t.roll(5n * MS); // still the first interval
  t.commit.record(2000);
  t.sync.record(50_000);
  t.roll(10n * MS); // closes [0, 10)
  t.roll(35n * MS); // closes [10, 20), [20, 30): both empty
  t.commit.record(3000);
  t.finish(); // the open [30, 40)
  const e = t.encode();
  assert.equal(e.intervalMs, 10);
  assert.deepEqual(
    e.intervals.map((i) => [i.commit.count, i.sync.count]),
    [
      [2, 1],
      [0, 0],
      [0, 0],
      [1, 0],
    ],
  );
  t.destroy();
});

test('past the point limit adjacent intervals merge and the interval doubles', () => {
  const t = new WriterTimeline(10, 4);
  t.start(0n);
  // One commit per interval for 23 intervals, each with its own latency.
  for (let i = 0; i < 23; i++) {
    t.commit.record((i + 1) * 1000);
    t.roll(BigInt(i + 1) * 10n * MS);
  }
  t.finish();
  const e = t.encode();
  // 230 ms of 1 commit per 10 ms: at most 4 points, so 80 ms intervals (10 → 20 → 40 → 80).
  assert.equal(e.intervalMs, 80);
  assert.deepEqual(
    e.intervals.map((i) => i.commit.count),
    [8, 8, 7],
  );
  assert.deepEqual(
    e.intervals.map((i) => [i.commit.min, i.commit.max]),
    [
      [1000, 8000],
      [9000, 16_000],
      [17_000, 23_000],
    ],
  );
  t.destroy();
});

test('a writer total is the sum of its intervals; phases become spans relative to the start', () => {
  const rec = new WriterRecorders({}, { intervalMs: 10, maxPoints: null });
  rec.startMeasuring(100n * MS);
  rec.recordCommit(1000, false);
  rec.timeline.roll(115n * MS);
  rec.recordCommit(3000, true);
  rec.onSync('fdatasync', 40_000);
  // A phase of 4 ms that ended now: recorded once, as a span.
  rec.recordPhase('flush', 4_000_000);
  rec.finish();
  assert.equal(rec.commit.count, 2);
  assert.equal(rec.commit.max, 3000);
  const e = rec.timeline.encode();
  assert.equal(e.phaseSpans.length, 1);
  assert.equal(e.phaseSpans[0]!.phase, 'flush');
  assert.ok(Math.abs(e.phaseSpans[0]!.durationMs - 4) < 1e-9);
  assert.ok(e.phaseSpans[0]!.startMs >= 0);
  assert.deepEqual(
    e.intervals.map((i) => [i.commit.count, i.sync.count]),
    [
      [1, 0],
      [1, 1],
    ],
  );
  rec.destroy();
});

function enc(values: number[]): EncodedLatency {
  const r = new LatencyRecorder();
  for (const v of values) r.record(v);
  const e = r.encode();
  r.destroy();
  return e;
}

test('timelines of 10 ms and 20 ms intervals merge at 20 ms, exactly', () => {
  const fine = { intervalMs: 10, intervals: [1, 2, 3, 4].map((k) => ({ commit: enc([k * 1000]), sync: enc([]) })) };
  const coarse = { intervalMs: 20, intervals: [5, 6].map((k) => ({ commit: enc([k * 1000, k * 1000]), sync: enc([k * 10_000]) })) };
  const m = mergeTimelines([fine, coarse]);
  assert.equal(m.intervalMs, 20);
  assert.deepEqual(
    m.points.map((p) => [p.startMs, p.commits, p.maxNs, p.syncs]),
    [
      [0, 4, 5000, 1],
      [20, 4, 6000, 1],
    ],
  );
});
