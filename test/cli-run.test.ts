import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, startCli } from './helpers/cli.js';
import { repoRoot, tempDir } from './helpers/tmp.js';
import { SCHEMA_VERSION } from '../model/report.js';
import { type CompletedCase, type RunReport } from '../model/run-report.js';

function readReport(out: string): RunReport {
  return JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
}

test('run: raw in all three modes, reports in every format, sync calls as each mode implies', async () => {
  const dir = tempDir('run');
  const out = path.join(dir, 'out');
  const r = await runCli([
    'run',
    '--engine',
    'raw',
    '--mode',
    'sync,batch,none',
    '--batch-size',
    '16',
    '--commits',
    '320',
    '--warmup',
    '0',
    '--dir',
    dir,
    '--out',
    out,
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /commits\/s/);
  assert.match(r.stdout, /3 cases: 3 completed, 0 errored, 0 skipped/);

  const report = readReport(out);
  assert.equal(report.schemaVersion, SCHEMA_VERSION);
  assert.equal(report.tool.name, 'durabench');
  assert.equal(report.status, 'completed');
  assert.equal(report.host.targets[0]!.dir, dir);
  assert.ok(report.host.targets[0]!.fsType.value !== undefined);
  assert.equal(report.cases.length, 3);
  const byMode = Object.fromEntries(report.cases.map((c) => [c.key.mode, c as CompletedCase]));
  for (const c of Object.values(byMode)) {
    assert.equal(c.state, 'completed');
    const m = c.metrics;
    assert.equal(m.commits, 320);
    assert.equal(m.commitLatency.count, 320);
    for (const field of ['p50Ns', 'p99Ns', 'p999Ns', 'maxNs'] as const) assert.equal(typeof m.commitLatency[field], 'number');
    assert.equal(Object.keys(m.commitLatency.percentilesNs).length, 17);
    assert.ok(m.commitLatency.histogram.length > 0);
    assert.ok(m.commitsPerSec > 0);
  }
  // sync: one fdatasync per commit; batch 16: 320/16 = 20; none: no sync at all during measurement.
  assert.equal(byMode.sync!.metrics.syncsByKind.fdatasync, 320);
  assert.equal(byMode.sync!.metrics.syncsPerCommit, 1);
  assert.equal(byMode.sync!.metrics.exposure.maxCommits, 0);
  assert.equal(byMode.batch!.metrics.syncsByKind.fdatasync, 20);
  assert.equal(byMode.batch!.metrics.exposure.maxCommits, 15);
  assert.equal(byMode.batch!.metrics.commitsPerSync!.max, 16);
  assert.equal(byMode.none!.metrics.syncs, 0);
  assert.equal(byMode.none!.metrics.exposure.unbounded, true);
  assert.equal(byMode.none!.metrics.exposure.p99Ns, null);

  const csv = fs.readFileSync(path.join(out, 'report.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, 4);
  assert.match(csv[0]!, /^host,run_id,id,state,engine,fault,mode,batch_size/);
  const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  assert.match(md, /\| engine \| mode \| setting \|/);
  // The work directory was created inside the target and removed.
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.startsWith('durabench-')),
    [],
  );
});

test('run --keep leaves the marked work directory with one subdirectory per writer', async () => {
  const dir = tempDir('keep');
  const r = await runCli([
    'run',
    '--engine',
    'raw',
    '--mode',
    'sync',
    '--writers',
    '2',
    '--commits',
    '10',
    '--warmup',
    '0',
    '--dir',
    dir,
    '--out',
    path.join(dir, 'out'),
    '--keep',
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const work = fs.readdirSync(dir).filter((f) => f.startsWith('durabench-'));
  assert.equal(work.length, 1);
  assert.ok(fs.existsSync(path.join(dir, work[0]!, '.durabench-owned')));
  const caseDir = fs.readdirSync(path.join(dir, work[0]!)).find((f) => f.startsWith('001-'))!;
  assert.deepEqual(fs.readdirSync(path.join(dir, work[0]!, caseDir)).sort(), ['w0', 'w1']);
  assert.ok(fs.statSync(path.join(dir, work[0]!, caseDir, 'w0', 'data.raw')).size > 0);
});

test('several writers: commits and histograms add up across threads', async () => {
  const dir = tempDir('writers');
  const out = path.join(dir, 'out');
  const r = await runCli([
    'run',
    '--engine',
    'null',
    '--mode',
    'batch',
    '--batch-size',
    '10',
    '--writers',
    '3',
    '--commits',
    '1000',
    '--warmup',
    '0',
    '--dir',
    dir,
    '--out',
    out,
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const c = readReport(out).cases[0] as CompletedCase;
  assert.equal(c.metrics.commits, 3000);
  assert.equal(c.metrics.commitLatency.count, 3000);
  assert.equal(c.metrics.commitsPerSync!.count, 300);
  assert.equal(
    c.metrics.timeline.reduce((a, p) => a + p.commits, 0),
    3000,
  );
});

test('a skipped combination is reported with its reason and the run goes on', async () => {
  const dir = tempDir('skip');
  const out = path.join(dir, 'out');
  const r = await runCli([
    'run',
    '--engine',
    'raw',
    '--mode',
    'sync,batch',
    '--sync-call',
    'odsync',
    '--commits',
    '20',
    '--warmup',
    '0',
    '--dir',
    dir,
    '--out',
    out,
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const report = readReport(out);
  assert.deepEqual(
    report.cases.map((c) => c.state),
    ['completed', 'skipped'],
  );
  assert.equal((report.cases[0] as CompletedCase).metrics.syncsByKind['odsync-write'], 20);
  assert.match(r.stdout, /SKIPPED: --sync-call odsync/);
});

test('SIGINT writes the partial report, removes the work directory and exits 130', async () => {
  const dir = tempDir('sigint');
  const out = path.join(dir, 'out');
  const { child, done } = startCli([
    'run',
    '--engine',
    'null',
    '--mode',
    'sync,none',
    '--duration',
    '30',
    '--warmup',
    '0',
    '--dir',
    dir,
    '--out',
    out,
    '--quiet',
  ]);
  // Wait until the run has started (its first report is on disk and the work dir exists).
  for (
    let i = 0;
    i < 200 && !(fs.existsSync(path.join(out, 'report.json')) && fs.readdirSync(dir).some((f) => f.startsWith('durabench-')));
    i++
  ) {
    await new Promise((res) => setTimeout(res, 50));
  }
  await new Promise((res) => setTimeout(res, 300));
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  const report = readReport(out);
  assert.equal(report.status, 'interrupted');
  assert.equal(report.cases.length, 1);
  assert.equal(report.cases[0]!.state, 'errored');
  assert.match((report.cases[0] as { reason: string }).reason, /interrupted/);
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.startsWith('durabench-')),
    [],
  );
});

test(
  'ENOSPC in one case makes it errored with the reason; the other cases still run',
  { skip: process.getuid?.() !== 0 ? 'needs root to mount a small tmpfs' : false },
  async () => {
    const dir = tempDir('enospc');
    const small = path.join(dir, 'durabench-small-fs');
    fs.mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'durabench-test', small]);
    try {
      const out = path.join(dir, 'out');
      const r = await runCli([
        'run',
        '--engine',
        'raw,null',
        '--mode',
        'none',
        '--value-bytes',
        '65536',
        '--commits',
        '100',
        '--warmup',
        '0',
        '--dir',
        small,
        '--out',
        out,
        '--quiet',
      ]);
      // Exit 1: a case errored, and the report is complete.
      assert.equal(r.code, 1, r.stderr);
      const report = readReport(out);
      assert.equal(report.status, 'completed');
      assert.deepEqual(
        report.cases.map((c) => c.state),
        ['errored', 'completed'],
      );
      const errored = report.cases[0]!;
      assert.equal(errored.state === 'errored' && errored.code, 'ENOSPC');
      assert.match(errored.state === 'errored' ? errored.reason : '', /ENOSPC|no space/i);
      assert.ok(
        errored.state === 'errored' && errored.partialMetrics !== null && errored.partialMetrics.commits > 0,
        'what was measured before the failure is kept',
      );
      assert.deepEqual(fs.readdirSync(small), []);
    } finally {
      execFileSync('umount', [small]);
    }
  },
);

test('a target on a memory filesystem gets a warning in the report and on stderr', async () => {
  const dir = tempDir('shm-out');
  const out = path.join(dir, 'out');
  const r = await runCli([
    'run',
    '--engine',
    'null',
    '--mode',
    'sync',
    '--commits',
    '10',
    '--warmup',
    '0',
    '--dir',
    '/dev/shm',
    '--out',
    out,
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const report = readReport(out);
  assert.ok(
    report.warnings.some((w) => w.code === 'memory-filesystem'),
    JSON.stringify(report.warnings),
  );
  assert.match(r.stderr, /durabench: warning \[memory-filesystem\]: \/dev\/shm \(tmpfs\) is a memory filesystem/);
  assert.match(r.stdout, /1 warning \(on stderr and in the report\)/);
});

test('--version is durabench’s own, wherever it runs from (not a package.json found from the working directory)', async () => {
  const dir = tempDir('version-cwd');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'someone-else', version: '9.9.9' }));
  const own = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const r = await runCli(['--version'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), own);
});
