/**
 * `durabench run --fs`: the whole matrix on a loop-mounted image of each filesystem, made in the
 * --dir with the crash lab's safe image code; the report and `compare --by fs` line them up;
 * nothing is left mounted, attached or on disk; without root one line and exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../model/run-report.js';
import { runCli, startCli } from './helpers/cli.js';
import { labResidue } from './helpers/crash-lab.js';
import { tempDir } from './helpers/tmp.js';
import { openDir, RUNUSER, unprivilegedBin } from './helpers/unprivileged.js';
import { fsImagesUnavailable } from '../coordinator/fs-targets.js';
import { parseFsSpecs } from '../model/fs-spec.js';

const root = process.getuid?.() === 0;
const why = root ? fsImagesUnavailable(parseFsSpecs(['ext4', 'xfs', 'btrfs'])) : 'needs root';
const skip = why ?? false;

function leftovers(dir: string): string[] {
  return [...labResidue(dir), ...fs.readdirSync(dir).filter((f) => f.startsWith('durabench-'))];
}

test('run --fs ext4,xfs:logbsize=256k,btrfs: one matrix on three images, lined up by compare --by fs', { skip }, async () => {
  const dir = tempDir('run-fs');
  const out = path.join(dir, 'out');
  const r = await runCli([
    'run',
    '--engine',
    'raw,null',
    '--mode',
    'sync',
    '--commits',
    '40',
    '--warmup',
    '0',
    '--repeat',
    '2',
    '--fs',
    'ext4,xfs:logbsize=256k,btrfs',
    '--image-mib',
    '300',
    '--dir',
    dir,
    '--out',
    out,
    '--format',
    'json,csv,md',
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  assert.deepEqual(
    rep.suite.filesystems!.map((f) => [f.spec, f.fs, f.mountOptions, f.imageMib]),
    [
      ['ext4', 'ext4', null, 300],
      ['xfs:logbsize=256k', 'xfs', 'logbsize=256k', 300],
      ['btrfs', 'btrfs', null, 300],
    ],
  );
  assert.deepEqual(
    rep.suite.targets,
    rep.suite.filesystems!.map((f) => f.target),
  );
  // Provenance of each target is the image's own filesystem on a loop device, with the options asked for.
  assert.deepEqual(
    rep.host.targets.map((t) => t.fsType.value),
    ['ext4', 'xfs', 'btrfs'],
  );
  assert.ok(
    rep.host.targets.every((t) => /^\/dev\/loop\d+$/.test(t.device.value ?? '')),
    JSON.stringify(rep.host.targets.map((t) => t.device)),
  );
  assert.match(rep.host.targets[1]!.mountOptions.value!, /logbsize=256k/);
  assert.equal(rep.cases.length, 6);
  assert.ok(
    rep.cases.every((c) => c.state === 'completed'),
    JSON.stringify(rep.cases.map((c) => (c.state === 'completed' ? c.id : `${c.id}: ${c.state}`))),
  );
  // The console table names the filesystem of each row.
  assert.match(r.stdout, /filesystem/);
  assert.match(r.stdout, /raw\s+sync .* xfs:logbsize=256k\s+2/);
  assert.deepEqual(leftovers(dir), [], 'no mount, loop device or scratch directory left');

  const c = await runCli(['compare', path.join(out, 'report.json'), '--by', 'fs', '--format', 'csv']);
  assert.equal(c.code, 0, c.stderr);
  const sides = new Set(
    c.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[2]),
  );
  assert.deepEqual([...sides], ['ext4', 'xfs:logbsize=256k', 'btrfs']);
  assert.ok(c.stdout.includes('raw/sync/w1/v128/unique,commit_p50_ns,btrfs,'));
});

test('run --fs ext4:data=journal mounts with the option; --crash power then cuts power on the same filesystem', { skip }, async () => {
  const dir = tempDir('run-fs-journal');
  const out = path.join(dir, 'out');
  const r = await runCli([
    'run',
    '--engine',
    'raw',
    '--mode',
    'sync',
    '--duration',
    '0.2',
    '--warmup',
    '0',
    '--fs',
    'ext4:data=journal',
    '--image-mib',
    '64',
    '--crash',
    'power',
    '--trials',
    '1',
    '--dir',
    dir,
    '--out',
    out,
    '--format',
    'json',
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  assert.match(rep.host.targets[0]!.mountOptions.value!, /data=journal/);
  const c = rep.cases[0]!;
  assert.equal(c.state, 'completed');
  if (c.state !== 'completed') return;
  assert.deepEqual([c.crash?.setting.kind, c.crash?.setting.filesystem, c.crash?.setting.mountOptions], ['power', 'ext4', 'data=journal']);
  assert.equal(c.crash?.trials.length, 1);
  assert.equal(c.crash?.lostMax, 0, 'raw in sync mode loses nothing acked');
  assert.deepEqual(leftovers(dir), []);
});

test('run --fs: bad specs and mount options are one line, exit 2, and leave nothing', { skip }, async () => {
  const dir = tempDir('run-fs-bad');
  for (const [args, re] of [
    [['--fs', 'zfs'], /--fs 'zfs' is not a supported filesystem; use ext4, xfs or btrfs, optionally with mount options/],
    [['--fs', 'ext4,ext4'], /--fs names ext4 twice/],
    [['--fs', 'xfs', '--image-mib', '64'], /--image-mib 64 is too small for xfs; use at least 300/],
    [
      ['--fs', 'ext4:nosuchoption=1', '--image-mib', '16'],
      /--fs ext4:nosuchoption=1: mounting it with -o nosuchoption=1 \(check the mount options\) failed/,
    ],
  ] as [string[], RegExp][]) {
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
      dir,
      '--quiet',
      '--out',
      path.join(dir, 'out'),
      ...args,
    ]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, re);
  }
  assert.deepEqual(leftovers(dir), []);
  // --crash power on a directory whose filesystem the lab cannot image: one line, pointing at --fs.
  if (fs.existsSync('/dev/shm') && fs.statfsSync('/dev/shm').type === 0x01021994) {
    const shm = await runCli([
      'run',
      '--engine',
      'null',
      '--mode',
      'sync',
      '--commits',
      '10',
      '--crash',
      'power',
      '--dir',
      '/dev/shm',
      '--quiet',
      '--out',
      path.join(dir, 'out'),
    ]);
    assert.equal(shm.code, 2, shm.stderr);
    assert.match(
      shm.stderr,
      /^durabench: --crash power cuts power on an image of the filesystem each case ran on, and --dir '\/dev\/shm' is on tmpfs; add --fs ext4,xfs,btrfs/,
    );
    assert.deepEqual(
      fs.readdirSync('/dev/shm').filter((f) => f.startsWith('durabench-')),
      [],
    );
  }
});

test('run --fs: SIGINT during the run unmounts and removes the images', { skip }, async () => {
  const dir = tempDir('run-fs-sigint');
  const out = path.join(dir, 'out');
  const { child, done } = startCli([
    'run',
    '--engine',
    'null',
    '--mode',
    'sync',
    '--null-sync-us',
    '50',
    '--duration',
    '30',
    '--warmup',
    '0',
    '--fs',
    'ext4',
    '--image-mib',
    '64',
    '--dir',
    dir,
    '--out',
    out,
    '--format',
    'json',
  ]);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  for (let i = 0; i < 400 && !/\[1\/1\]/.test(stderr); i++) await new Promise((res) => setTimeout(res, 50));
  assert.equal(labResidue(dir).length > 0, true, 'the image is mounted while the run goes on');
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  const rep = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as RunReport;
  assert.equal(rep.status, 'interrupted');
  assert.deepEqual(leftovers(dir), []);
});

const asNobody = root && fs.existsSync(RUNUSER) ? false : 'needs root and runuser to run the CLI as an unprivileged user';
test('run --fs without root: one line naming the fix, exit 2, nothing made', { skip: asNobody }, async () => {
  const bin = unprivilegedBin();
  const dir = openDir('run-fs-nobody');
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(
      RUNUSER,
      [
        '-u',
        'nobody',
        '--',
        process.execPath,
        bin,
        'run',
        '--engine',
        'null',
        '--fs',
        'ext4,xfs',
        '--dir',
        dir,
        '--out',
        path.join(dir, 'out'),
        '--quiet',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /^durabench: --fs needs root to attach loop devices and mount the images; run as root, or drop --fs and give --dir on a filesystem you mounted yourself$/m,
  );
  assert.deepEqual(fs.readdirSync(dir), []);
});
