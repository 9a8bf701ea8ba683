/**
 * `durabench crash` end to end: the real binary, real writer children, real loop mounts. Bad input
 * exits 2 with one line naming the option; a small run writes its JSON and Markdown reports; SIGINT
 * during power trials writes the partial report and leaves no mount or loop device behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { powerUnavailable } from '../workspace/support.js';
import { type CrashReport } from '../model/crash-report.js';
import { runCli, startCli } from './helpers/cli.js';
import { openDir, RUNUSER, unprivilegedBin } from './helpers/unprivileged.js';
import { labResidue } from './helpers/crash-lab.js';
import { tempDir } from './helpers/tmp.js';

const bad: [string[], RegExp][] = [
  [['--kind', 'reboot'], /--kind 'reboot' is not a crash kind/],
  [['--kind', 'power', '--fs', 'zfs'], /--fs 'zfs' is not a supported filesystem; use ext4, xfs or btrfs/],
  [['--crash-at', 'op:0'], /--crash-at op:K needs K ≥ 1/],
  [['--crash-at', 'soon'], /--crash-at must be random, op:K/],
  [['--crash-sweep', 'marker:a'], /--crash-sweep must look like/],
  [['--trials', '0'], /--trials must be a whole number from 1 to 10000, got '0'/],
  [['--engine', 'nope'], /--engine: unknown engine 'nope'/],
  [['--mode', 'fast'], /--mode 'fast' is not a mode/],
  [['--fault', 'bogus'], /--fault 'bogus' is not a fault/],
  [['--kind', 'power', '--fs', 'xfs', '--image-mib', '64'], /--image-mib 64 is too small for xfs; use at least 300/],
  [['--dir', '/nonexistent/durabench'], /--dir '\/nonexistent\/durabench' does not exist/],
  [['--suite', 'default'], /--suite 'default' is not a crash suite/],
  [['--format', 'pdf'], /--format 'pdf' is not a format; use json, csv, md, html/],
  [['--workload', 'random'], /--workload 'random' is not a workload; use unique or overwrite:K/],
  [['--kind', 'power', '--device-cache', 'battery'], /--device-cache 'battery' is not a drive-cache model; use none, volatile or reorder/],
  [['--crash-window', '5..2'], /--crash-window 5\.\.2: the end must come after the start/],
  [['--crash-window', 'soon'], /--crash-window must look like A\.\.B/],
  [['--crash-window', '50%..100%', '--crash-at', 'op:3'], /--crash-window places random crash instants; drop it with --crash-at/],
  [['--crash-window', '1..5', '--duration', '2'], /--crash-window 1\.\.5 ends after the 2 s run/],
  [['--kind', 'power', '--reorder-states', '4'], /--reorder-states needs --device-cache reorder/],
  [['--crash-at', 'syscall:open:1'], /syscall 'open' is not one the lab stops at/],
  [['--crash-sweep', 'syscall:fsync:1..syscall:fdatasync:3'], /both ends must name the same/],
  [['--kind', 'power', '--device-cache', 'reorder', '--writeback', 'random'], /--writeback random applies to one crash state per instant/],
];

for (const [args, message] of bad) {
  test(`crash ${args.join(' ')} → exit 2 with one line`, async () => {
    const r = await runCli(['crash', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
}

test('a crash point that is never reached: inconclusive, never consistent, exit 3', async () => {
  const dir = tempDir('crash-cli');
  const out = path.join(dir, 'out');
  // --duration caps how long the writer may run to reach the point.
  const r = await runCli(['crash', '--engine', 'raw', '--mode', 'sync', '--trials', '2', '--crash-at', 'op:99999999', '--duration', '0.5', '--dir', dir, '--out', out, '--quiet']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /verdict\*?\*?: 1 inconclusive, 0 consistent of 1 case\(s\) — exit 3/);
  assert.match(r.stdout, /^inconclusive\s+raw sync\s+kill\s+op:99999999/m);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'crash-report.json'), 'utf8')) as CrashReport;
  const c = report.cases[0]!;
  assert.equal(c.state, 'completed');
  if (c.state === 'completed') {
    assert.equal(c.crash.verdict, 'inconclusive');
    assert.equal(c.crash.trialsErrored, 2);
    assert.equal(c.crash.trialsVerified, 0);
    assert.match(c.crash.verdictReason, /no crash state was verified: 2 of 2 errored \(crash point op:99999999 was not reached/);
  }
  assert.match(fs.readFileSync(path.join(out, 'crash-report.md'), 'utf8'), /\| errored \|/);
});

test('crash writes JSON and Markdown reports with the verdict', async () => {
  const dir = tempDir('crash-cli');
  const out = path.join(dir, 'out');
  const r = await runCli(['crash', '--engine', 'raw', '--mode', 'sync,none', '--trials', '2', '--dir', dir, '--out', out, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^consistent\s+raw sync\s+kill\s+random\s+2\s+2\s+0\s+0\/2/m);
  assert.match(r.stdout, /crash window\*?\*?: random instants 0%\.\.100% of each 1 s writer run/);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'crash-report.json'), 'utf8')) as CrashReport;
  assert.equal(report.kind, 'crash');
  assert.equal(report.status, 'completed');
  assert.equal(report.cases.length, 2);
  for (const c of report.cases) {
    assert.equal(c.state, 'completed');
    if (c.state === 'completed') {
      assert.equal(c.crash.trials.length, 2);
      assert.equal(c.crash.lostMax, 0);
      assert.equal(c.crash.verdict, 'consistent');
    }
  }
  assert.match(fs.readFileSync(path.join(out, 'crash-report.md'), 'utf8'), /## Which implementation loses what/);
  // The scratch directory is gone; only the reports remain.
  assert.deepEqual(fs.readdirSync(dir), ['out']);
});

test('SIGINT during power trials: partial report, exit 130, nothing left mounted', { skip: powerUnavailable('ext4') ?? false }, async () => {
  const dir = tempDir('crash-sigint');
  const out = path.join(dir, 'out');
  const { child, done } = startCli(['crash', '--engine', 'raw', '--mode', 'none', '--kind', 'power', '--fs', 'ext4', '--trials', '500', '--dir', dir, '--out', out]);
  // Interrupt once a trial finished: off a terminal the progress prints a line every 10 s (with the
  // trials' marks once one is done), so the case must outlast that — 500 trials do on any machine.
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/trial \d+\/\d+ [x.E]/.test(stderr)) resolve();
    });
  });
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'crash-report.json'), 'utf8')) as CrashReport;
  assert.equal(report.status, 'interrupted');
  const c = report.cases[0]!;
  assert.equal(c.state, 'completed');
  if (c.state === 'completed') assert.ok(c.crash.trials.length >= 1 && c.crash.trials.length < 500);
  assert.deepEqual(labResidue(dir), []);
  assert.deepEqual(fs.readdirSync(dir), ['out']);
});

const asNobody = process.getuid?.() === 0 && fs.existsSync(RUNUSER) ? false : 'needs root and runuser to run the CLI as an unprivileged user';
test('without root, power cases are skipped with the reason and kill still runs', { skip: asNobody }, async () => {
  // Wherever the checkout lives (even under a directory only root may enter).
  const bin = unprivilegedBin();
  const dir = openDir('crash-nobody');
  const out = path.join(dir, 'out');
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(RUNUSER, ['-u', 'nobody', '--', process.execPath, bin, 'crash', '--engine', 'raw', '--mode', 'sync', '--kind', 'kill,power', '--trials', '1', '--dir', dir, '--out', out, '--quiet'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  // The power case could not run here: the run is inconclusive, not consistent.
  assert.equal(r.code, 3, r.stderr);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'crash-report.json'), 'utf8')) as CrashReport;
  const [kill, power] = report.cases;
  assert.equal(kill!.state, 'completed');
  assert.equal(power!.state, 'skipped');
  if (power!.state === 'skipped') assert.match(power!.reason, /power crashes need root/);
});
