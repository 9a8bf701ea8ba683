/**
 * The crash report in every view (console, Markdown, HTML, CSV) from a fixture built in memory: the
 * verdict first, the drive-cache model and crash window in the header, errored, corrupt and failed
 * recoveries named as such, the loss distribution, lost ranges as tail and gap, device truth.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CrashCaseResult, CrashReport, CrashSetting, CrashSummary } from '../../model/crash-report.js';
import { SCHEMA_VERSION } from '../../model/report.js';
import { parseReport } from '../../reports/read.js';
import { render } from '../../reports/formats.js';
import { crashSummaryOf, crashTrial, report } from '../helpers/report-builder.js';

const POWER: CrashSetting = { kind: 'power', filesystem: 'ext4', mountOptions: null, crashAt: 'random', writeback: 'none', deviceCache: 'reorder', torn: true, reorderStates: 3, crashWindow: '0%..100%', runMs: 2000 };
const KEY = { engine: 'wal', fault: null, writers: 1, valueBytes: 128, workload: 'unique', target: '/data', mode: 'sync' } as const;

function withDevice(s: CrashSummary): CrashSummary {
  return {
    ...s,
    device: { state: 'measured', device: 'loop7', approximate: false, delta: { writes: 300, sectorsWritten: 2400, flushes: 200, flushMs: 12 }, commits: 100, committedBytes: 14500, flushesPerCommit: 2, bytesPerCommittedByte: 84.7 },
    syscalls: { state: 'counted', runs: 1, commits: 100, calls: { fdatasync: 100, 'fsync-dir': 1 }, syncsPerCommit: 1.01 },
  };
}

function kase(id: string, crash: CrashSummary, extra: Partial<CrashCaseResult> = {}): CrashCaseResult {
  return { id, key: KEY, setting: crash.setting, params: { engineOptions: {}, seed: 1 }, startedAt: '2026-12-01T00:00:00Z', finishedAt: '2026-12-01T00:00:01Z', state: 'completed', crash, ...extra } as CrashCaseResult;
}

function fixture(): CrashReport {
  const base = report('host', []);
  const gaps = crashTrial({ instant: 1, image: 'reorder', acked: 450, declaredDurable: 450, lost: 4, lostDeclared: 4, lostTail: 0, lostGap: 4, lostRanges: [100, 200, 300, 400].map((n) => ({ writer: 0, from: n, to: n, where: 'gap' as const })), lostRangeCount: 4, lossWindowCommits: 0, lossWindowMs: 0 });
  const bug = withDevice(crashSummaryOf([crashTrial({ image: 'flushed' }), gaps], { mode: 'sync' }, POWER));
  const corrupt = crashSummaryOf([crashTrial({ image: 'torn', corrupt: 2 })], { mode: 'sync' }, POWER);
  const failed = crashSummaryOf([crashTrial({ outcome: 'recovery-failed', error: 'recovery failed: bad magic' })], { mode: 'sync' }, POWER);
  const errored = crashSummaryOf([crashTrial({ outcome: 'errored', error: 'crash point op:99999999 was not reached in 12 commits (1.0 s)' })], { mode: 'sync' }, { ...POWER, crashAt: 'op:99999999', crashWindow: null });
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'crash',
    tool: base.tool,
    host: base.host,
    warnings: [],
    startedAt: '2026-12-01T00:00:00Z',
    finishedAt: '2026-12-01T00:01:00Z',
    status: 'completed',
    suite: null,
    trialsPerCase: 2,
    cases: [kase('gaps', bug), kase('corrupt', corrupt), kase('failed', failed), kase('errored', errored), kase('caught', bug, { expect: 'durability-bug' })],
  };
}

test('the fixture is a valid crash report', () => {
  assert.doesNotThrow(() => parseReport(JSON.parse(JSON.stringify(fixture())), 'fixture', ['crash']));
});

for (const format of ['console', 'md', 'html'] as const) {
  test(`${format}: verdict first, then the drive-cache model and the crash window`, () => {
    const text = render('crash', format, fixture());
    const verdict = text.indexOf('verdict');
    assert.ok(verdict >= 0);
    assert.ok(verdict < text.indexOf('device cache'), 'the verdict comes before the header');
    assert.match(text, /device cache.{0,20}reorder \+ torn \(3 subsets per instant\)/s);
    assert.match(text, /crash window.{0,20}random instants 0%\.\.100% of each 2 s writer run; crash points op:99999999; 2 crash instant\(s\) per case/s);
    assert.match(text, /3 DURABILITY BUG.*1 DURABILITY BUG\(S\) caught as expected.*1 inconclusive.*0 consistent of 5 case\(s\) — exit 1/s);
    assert.match(text, /errored/);
    assert.match(text, /recovery failed/);
    assert.match(text, /never written \(corrupt\)/);
    assert.match(text, /DURABILITY BUG \(expected\)/);
  });
}

for (const format of ['md', 'html'] as const) {
  test(`${format}: the loss distribution, lost ranges as gaps, device truth`, () => {
    const text = render('crash', format, fixture());
    assert.match(text, /0: 1 · 4–7: 1/);
    assert.match(text, /lost 4 of 450 acked \(4 declared durable; exposure 0\): 100 \(gap\), 200 \(gap\), 300 \(gap\), 400 \(gap\)/);
    assert.match(text, /loop7/);
    assert.match(text, /84\.7/);
  });
}

test('csv: one row per case with the errored, recovery-failure, device and status columns', () => {
  const lines = render('crash', 'csv', fixture()).trim().split('\n');
  const header = lines[0]!.split(',');
  for (const col of ['trials_errored', 'recovery_failures', 'device_cache', 'crash_window', 'device_flushes_per_commit', 'syscall_syncs_per_commit', 'expected_verdict', 'status']) assert.ok(header.includes(col), col);
  assert.equal(lines.length, 6);
  const status = header.indexOf('status');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[status]), ['fail', 'fail', 'fail', 'inconclusive', 'pass']);
});

test('markdown: cases crashed at chosen points are listed state by state, errored ones with the reason', () => {
  const md = render('crash', 'md', fixture());
  assert.ok(md.includes('## Crash points'), 'a crash points section');
  const section = md.slice(md.indexOf('## Crash points'), md.indexOf('\n## ', md.indexOf('## Crash points') + 3));
  assert.match(section, /\| — \| page-cache \| 1000 \| 1000 \| — \| errored: crash point op:99999999 was not reached in 12 commits/);
  // Only the case crashed at op:99999999: cases with random instants are not listed.
  assert.equal(section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| case') && !l.startsWith('| ---')).length, 1, section);
});
