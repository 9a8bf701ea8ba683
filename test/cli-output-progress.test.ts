/**
 * The real CLI: `--out -` writes the report (json, csv, md) to stdout and everything for people to
 * stderr; the progress lines with percentage, elapsed and ETA and the closing line with the total
 * time; the run id in the report names its output directory; the adaptive timeline (a 1 s case
 * draws ≥ 50 points) and `--interval-ms`; the ASCII fallback when the locale is not UTF-8.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { ProbeReport } from '../model/probe-report.js';
import type { CompletedCase, RunReport } from '../model/run-report.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const UTF8 = { LANG: 'C.UTF-8', LC_ALL: '', LC_CTYPE: '' };

test('run --format json --out -: the report on stdout, progress and the table on stderr, a 1 s case draws ≥ 50 points', async () => {
  const dir = tempDir('stdout');
  const r = await runCli(['run', '--engine', 'null', '--mode', 'sync,none', '--duration', '1', '--warmup', '0', '--dir', dir, '--format', 'json', '--out', '-'], { cwd: dir, env: UTF8 });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as RunReport;
  assert.equal(typeof (report.cases[0] as CompletedCase).metrics.commitsPerSec, 'number');
  assert.ok((report.cases[0] as CompletedCase).metrics.commitsPerSec > 0);
  assert.equal(report.status, 'completed');
  assert.match(report.runId ?? '', /^\d{8}-\d{6}-\d+-[0-9a-f]{4}$/);
  // Progress (not a TTY: one plain line per case), the table and the closing line: all on stderr.
  assert.match(r.stderr, /^\[1\/2 50\.0%\] null\/sync\/w1\/v128\/unique\/t0 {2}[\d,]+ commits\/s \(elapsed \d\dm:\d\ds, eta \d\dm:\d\ds\)$/m);
  assert.match(r.stderr, /^\[2\/2 100\.0%\] null\/none/m);
  assert.match(r.stderr, /^engine +mode +setting/m);
  assert.match(r.stderr, /^durabench run: 2 cases in [\d.]+ s$/m);
  assert.doesNotMatch(r.stderr, /reports: /, 'no files were written');
  assert.deepEqual(fs.readdirSync(dir), [], 'no output directory, no work directory left');
  for (const c of report.cases as CompletedCase[]) {
    assert.equal(c.metrics.timelineIntervalMs, 10, 'a 1 s case: 10 ms intervals');
    assert.ok(c.metrics.timeline.length >= 50 && c.metrics.timeline.length <= 201, `${c.id}: ${c.metrics.timeline.length} points`);
    assert.equal(
      c.metrics.timeline.reduce((a, p) => a + p.commits, 0),
      c.metrics.commits,
      'every commit is in exactly one interval',
    );
  }
  const sync = report.cases[0] as CompletedCase;
  assert.equal(
    sync.metrics.timeline.reduce((a, p) => a + (p.syncs ?? 0), 0),
    sync.metrics.syncs,
    'every sync is in exactly one interval',
  );
});

test('--out - also takes csv and md; one format only', async () => {
  const dir = tempDir('stdout');
  const base = ['run', '--engine', 'null', '--mode', 'sync', '--duration', '0.2', '--warmup', '0', '--dir', dir, '--quiet', '--out', '-'];
  const csv = await runCli([...base, '--format', 'csv'], { cwd: dir });
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, /^host,run_id,id,state,engine,/);
  assert.equal(csv.stdout.trim().split('\n').length, 2);
  const md = await runCli([...base, '--format', 'md'], { cwd: dir });
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^# durabench report — default/);
  const two = await runCli([...base, '--format', 'json,csv'], { cwd: dir });
  assert.equal(two.code, 2);
  assert.equal(two.stdout, '');
  assert.equal(two.stderr.trim().split('\n').length, 1);
  assert.match(two.stderr, /--out - writes one format to standard output \(got json, csv\); give one --format/);
});

test('without --out the reports go to durabench-out/<run id>, the run id of the report', async () => {
  const dir = tempDir('runid');
  const r = await runCli(['run', '--engine', 'null', '--mode', 'none', '--duration', '0.2', '--warmup', '0', '--dir', dir, '--format', 'json', '--quiet'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const [id] = fs.readdirSync(path.join(dir, 'durabench-out'));
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'durabench-out', id!, 'report.json'), 'utf8')) as RunReport;
  assert.equal(report.runId, id);
});

test('--interval-ms fixes the timeline interval; below 10 ms is refused with one line', async () => {
  const dir = tempDir('interval');
  const out = path.join(dir, 'out');
  const r = await runCli(['run', '--engine', 'null', '--mode', 'sync', '--duration', '1', '--warmup', '0', '--dir', dir, '--interval-ms', '50', '--format', 'json', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const c = (JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport).cases[0] as CompletedCase;
  assert.equal(c.metrics.timelineIntervalMs, 50);
  assert.ok(c.metrics.timeline.length >= 20 && c.metrics.timeline.length <= 21, String(c.metrics.timeline.length));
  const bad = await runCli(['run', '--engine', 'null', '--interval-ms', '5', '--dir', dir]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^durabench: --interval-ms must be a number from 10 to 3600000, got '5'/);
});

test('a locale that is not UTF-8: progress, table and closing line in ASCII', async () => {
  const dir = tempDir('ascii');
  const r = await runCli(['run', '--engine', 'null', '--mode', 'sync,batch', '--duration', '0.2', '--warmup', '0', '--dir', dir, '--format', 'json', '--out', path.join(dir, 'out')], {
    cwd: dir,
    env: { LANG: 'C', LC_ALL: '', LC_CTYPE: '' },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /[^\x00-\x7f]/, 'only ASCII');
  assert.match(r.stdout, /^------ +-----/m, 'table rules drawn with dashes');
  assert.match(r.stdout, / us\b/, 'µs spelled us');
  assert.match(r.stderr, /^durabench run: 2 cases in /m);
});

test('probe --format json --out -: the probe report on stdout, one progress line per method and pass', async () => {
  const dir = tempDir('probe');
  const r = await runCli(['probe', '--dir', dir, '--method', 'fdatasync,write-nosync', '--duration', '0.1', '--passes', '2', '--format', 'json', '--out', '-'], { cwd: dir, env: UTF8 });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as ProbeReport;
  assert.equal(report.kind, 'probe');
  assert.equal(report.results.length, 2);
  // Two methods × two round-robin passes: four slots, the methods taking turns.
  assert.match(r.stderr, /^\[1\/4 25\.0%\] fdatasync {2}[\d,.]+ ops\/s, p99 /m);
  assert.match(r.stderr, /^\[2\/4 50\.0%\] write-nosync {2}/m);
  assert.match(r.stderr, /^\[3\/4 75\.0%\] fdatasync {2}/m);
  assert.match(r.stderr, /^durabench probe: 2 methods in /m);
});

test('report --out -: a saved report re-rendered to stdout', async () => {
  const dir = tempDir('rerender');
  const out = path.join(dir, 'out');
  const r = await runCli(['run', '--engine', 'null', '--mode', 'none', '--duration', '0.2', '--warmup', '0', '--dir', dir, '--format', 'json', '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const md = await runCli(['report', path.join(out, 'report.json'), '--format', 'md', '--out', '-']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^# durabench report/);
  assert.deepEqual(fs.readdirSync(out), ['report.json']);
});
