import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EncodedCounts, EncodedLatency } from '../../model/latency.js';
import { CountRecorder, LatencyRecorder } from '../../stats/hdr.js';
import { mergeWriterMeasurements } from '../../stats/case-metrics.js';
import { renderCsv } from '../../reports/render/csv.js';
import { render } from '../../reports/formats.js';
import { caseFromOutcomes } from '../../coordinator/run-case.js';
import { planCases } from '../../coordinator/plan.js';
import { nullEngine } from '../../engines/null.js';
import { SCHEMA_VERSION } from '../../model/report.js';
import { type RunReport, type ResolvedSuite } from '../../model/run-report.js';
import type { WriterMeasurement } from '../../workers/messages.js';
import { emptyRecovery } from '../../engines/types.js';

function enc(values: number[]): EncodedLatency {
  const r = new LatencyRecorder();
  for (const v of values) r.record(v);
  const e = r.encode();
  r.destroy();
  return e;
}

const none = enc([]);

function counts(values: number[]): EncodedCounts {
  const r = new CountRecorder();
  for (const v of values) r.record(v);
  const e = r.encode();
  r.destroy();
  return e;
}

/** A writer that made `commits` commits of 1 µs each in 1 ms, with one fdatasync of 100 µs per 10 commits. */
function writer(w: number, commits: number): WriterMeasurement {
  const syncs = commits / 10;
  return {
    writer: w,
    commits,
    bytes: commits * 100,
    durationNs: 1_000_000,
    commitLatency: enc(Array(commits).fill(1000)),
    commitLatencyDuringPhase: none,
    commitLatencyOutsidePhase: enc(Array(commits).fill(1000)),
    syncLatency: { fdatasync: enc(Array(syncs).fill(100_000)), fsync: none, dirfsync: none, 'odsync-write': none },
    commitsPerSync: counts(Array(syncs).fill(10)),
    exposure: { unbounded: false, maxCommits: 9, latency: enc([...Array(syncs * 9).fill(5000), ...Array(syncs).fill(0)]) },
    phases: {},
    timeline: [{ commit: enc(Array(commits).fill(1000)), sync: enc(Array(syncs).fill(100_000)) }],
    timelineIntervalMs: 1000,
    phaseSpans: [],
    phaseSpansDropped: 0,
    engineStats: { flushes: 1 },
    ioBytesWritten: commits * 120,
    recovery: emptyRecovery(),
  };
}

const suite: ResolvedSuite = {
  name: 'fixture',
  engines: ['null'],
  modes: ['batch'],
  batchSizes: [10],
  batchMs: null,
  writers: [2],
  valueBytes: [100],
  workloads: ['unique'],
  targets: ['/data'],
  faults: [null],
  engineOptions: {},
  seed: 1,
  warmupMs: 0,
  durationMs: 1,
  commitsPerWriter: null,
  repeat: 1,
};

test('writer measurements merge into exact case metrics', () => {
  const m = mergeWriterMeasurements([writer(0, 100), writer(1, 300)], 1000);
  assert.equal(m.commits, 400);
  assert.equal(m.commitsPerSec, 400_000);
  assert.equal(m.bytesPerSec, 40_000_000);
  assert.equal(m.syncs, 40);
  assert.equal(m.syncsByKind.fdatasync, 40);
  assert.equal(m.syncsPerCommit, 0.1);
  assert.equal(m.commitLatency.count, 400);
  assert.equal(m.commitLatency.minNs, 1000);
  assert.equal(m.commitLatency.maxNs, 1000);
  assert.equal(m.syncLatency.count, 40);
  assert.deepEqual(Object.keys(m.syncLatencyByKind), ['fdatasync']);
  assert.equal(m.commitsPerSync!.max, 10);
  assert.equal(m.exposure.maxCommits, 9);
  assert.equal(m.exposure.maxNs, 5000);
  assert.equal(m.exposure.unbounded, false);
  assert.equal(m.engineStats['flushes'], 2);
  assert.equal(m.ioBytesWritten, 400 * 120);
  assert.equal(m.timeline.length, 1);
  assert.equal(m.timeline[0]!.commits, 400);
  assert.equal(m.timeline[0]!.syncs, 40);
  assert.equal(m.timeline[0]!.syncP99Ns, m.syncLatency.p99Ns);
  assert.equal(m.commitLatencyDuringPhase, null);
});

function fixtureReport(): RunReport {
  const [planned] = planCases(suite, [nullEngine]);
  const times = { startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' };
  const ok = caseFromOutcomes(
    planned!,
    [
      { state: 'completed', writer: 0, measurement: writer(0, 100) },
      { state: 'completed', writer: 1, measurement: writer(1, 300) },
    ],
    times,
    1000,
    false,
  );
  const failed = caseFromOutcomes(
    planned!,
    [
      {
        state: 'errored',
        writer: 0,
        stage: 'measure',
        reason: 'writer 0 failed during measure: ENOSPC: no space left on device',
        code: 'ENOSPC',
        measurement: writer(0, 100),
      },
      { state: 'aborted', writer: 1, measurement: null },
    ],
    times,
    1000,
    false,
  );
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run',
    tool: { name: 'durabench', version: '0.0.0', gitSha: null },
    host: {
      hostname: 'h',
      os: 'Linux',
      kernel: '6',
      arch: 'x64',
      cpuModel: 'cpu',
      cpuCount: 2,
      memoryBytes: 2 ** 30,
      nodeVersion: 'v20',
      uvThreadpoolSize: null,
      targets: [],
    },
    suite,
    startedAt: times.startedAt,
    finishedAt: times.finishedAt,
    status: 'completed',
    cases: [ok, failed],
    warnings: [],
  };
}

test('outcomes: all completed → completed; one errored → errored with its reason and partial metrics', () => {
  const [ok, failed] = fixtureReport().cases;
  assert.equal(ok!.state, 'completed');
  assert.equal(failed!.state, 'errored');
  if (failed!.state !== 'errored') return;
  assert.equal(failed!.code, 'ENOSPC');
  assert.match(failed!.reason, /ENOSPC/);
  assert.equal(failed!.partialMetrics!.commits, 100);
});

test('console table: exact cells for a completed and an errored case', () => {
  const text = render('run', 'console', fixtureReport());
  const lines = text.split('\n');
  assert.match(lines[0]!, /^engine\s+mode\s+setting\s+writers\s+value\s+commits\/s\s+commit p50/);
  assert.match(
    lines[2]!,
    /^null\s+batch\s+10\s+2\s+100 B\s+400,000\s+1\.00 µs\s+1\.00 µs\s+1\.00 µs\s+100 µs\s+100 µs\s+0\.100\s+≤ 9 commits, p99 5\.00 µs$/,
  );
  assert.match(lines[3]!, /ERRORED: writer 0 failed during measure: ENOSPC/);
  assert.match(text, /2 cases: 1 completed, 1 errored, 0 skipped/);
});

test('CSV: header with units in the names, one row per case, partial metrics for errored cases', () => {
  const rows = renderCsv(fixtureReport()).trim().split('\n');
  assert.equal(rows.length, 3);
  const header = rows[0]!.split(',');
  const row = Object.fromEntries(header.map((h, i) => [h, rows[1]!.split(',')[i]]));
  assert.equal(row['commits_per_sec'], '400000');
  assert.equal(row['syncs_per_commit'], '0.1');
  assert.equal(row['commit_p99_ns'], '1000');
  assert.equal(row['exposure_max_commits'], '9');
  assert.equal(row['exposure_unbounded'], 'false');
  const errored = Object.fromEntries(header.map((h, i) => [h, rows[2]!.split(',')[i]]));
  assert.equal(errored['state'], 'errored');
  assert.equal(errored['commits'], '100');
});

test('Markdown: table, sync kinds and the errored case', () => {
  const md = render('run', 'md', fixtureReport());
  assert.match(md, /^# durabench report — fixture/);
  assert.match(md, /\| null \| batch \| 10 \| 2 \| 100 B \| 400,000 \|/);
  assert.match(md, /\| null\/batch-10\/w2\/v100\/unique\/t0 \| fdatasync \| 40 \| 100 µs \|/);
  assert.match(md, /## Errored and skipped cases/);
});

test('console tables: a column of numbers is right-aligned as a whole, a column with words is left-aligned; ASCII rules', async () => {
  const { textTable } = await import('../../reports/document/text.js');
  const rows = [
    ['engine', 'batch', 'exposure'],
    ['raw', '—', '0'],
    ['raw', '16', '≤ 15 commits'],
  ];
  assert.equal(textTable(rows), ['engine  batch  exposure', '──────  ─────  ────────────', 'raw         —  0', 'raw        16  ≤ 15 commits'].join('\n'));
  assert.equal(textTable(rows, { ascii: true }).split('\n')[1], '------  -----  ------------');
});
