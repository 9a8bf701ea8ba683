/**
 * Leftovers of dead runs, made for real: a child process creates what durabench creates (a marked
 * work directory and its run record; as root also a scratch directory with an image, a loop device
 * and a mount) through durabench's own workspace functions, then SIGKILLs itself. The next command
 * says so in one line; `durabench clean --dry-run` lists it all and removes nothing; `durabench clean`
 * removes exactly that — never a live run's directory, an unmarked `durabench-*` directory or one
 * kept with --keep (unless --kept). As root also the crash lab's drive (stacked loop devices on a
 * tmpfs) and its tracing instance, found without the run record.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createWorkDir, newRunId, OWNER_MARKER, removeWorkDir } from '../workspace/workdir.js';
import { loopDevices, mountPoints } from '../workspace/leftovers.js';
import { runCli } from './helpers/cli.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const dist = (p: string): string => JSON.stringify(path.join(repoRoot, 'dist', p));

/** Run `body` (ES module code) in a child that ends with SIGKILL, as a killed durabench would. */
function dieWith(body: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `${body}\nprocess.kill(process.pid, 'SIGKILL');`], { env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
}

test('a SIGKILLed run: the next command says so in one line; clean --dry-run lists, clean removes only what is marked and dead', async () => {
  const dir = tempDir('leftovers');
  const state = path.join(dir, 'state');
  const env = { DURABENCH_STATE_DIR: state };
  dieWith(`const w = await import(${dist('workspace/workdir.js')}); const d = w.createWorkDir(${JSON.stringify(dir)}, 'dead-run'); (await import('node:fs')).writeFileSync(d + '/engine.dat', 'x'.repeat(4096));`, env);
  const dead = path.join(dir, 'durabench-dead-run');
  assert.ok(fs.existsSync(path.join(dead, OWNER_MARKER)));
  // A live run's directory (this process), an unmarked one, and one kept on purpose by a dead run.
  const live = createWorkDir(dir, newRunId());
  const unmarked = path.join(dir, 'durabench-not-ours');
  fs.mkdirSync(unmarked);
  dieWith(`const w = await import(${dist('workspace/workdir.js')}); w.keepWorkDir(w.createWorkDir(${JSON.stringify(dir)}, 'kept-run'));`, env);
  const kept = path.join(dir, 'durabench-kept-run');
  try {
    const notice = await runCli(['env', '--dir', dir, '--format', 'json'], { env });
    assert.equal(notice.code, 0, notice.stderr);
    assert.deepEqual(
      notice.stderr.split('\n').filter((l) => l.includes('dead durabench run')),
      ['durabench: a dead durabench run left 1 directory behind: durabench clean removes it (durabench clean --dry-run lists it)'],
    );

    const dry = await runCli(['clean', '--dir', dir, '--dry-run'], { env });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`would remove work directory ${dead}\\n`));
    assert.match(dry.stdout, /would remove run record /);
    assert.match(dry.stdout, new RegExp(`kept on purpose \\(--keep\\), not removed \\(durabench clean --kept removes them\\): ${kept}`));
    assert.doesNotMatch(dry.stdout, new RegExp(`${live}|durabench-not-ours`));
    assert.ok(fs.existsSync(dead), 'a dry run removes nothing');

    const clean = await runCli(['clean', '--dir', dir], { env });
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, new RegExp(`^dead run: pid \\d+, started .*\\n  removed work directory ${dead}\\n  removed run record .*\\n`, 'm'));
    assert.ok(!fs.existsSync(dead));
    assert.ok(fs.existsSync(live) && fs.existsSync(unmarked) && fs.existsSync(kept), 'live, unmarked and kept directories stay');
    assert.deepEqual(fs.existsSync(path.join(state, 'runs')) ? fs.readdirSync(path.join(state, 'runs')) : [], []);

    const again = await runCli(['clean', '--dir', dir, '--kept'], { env });
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, new RegExp(`removed kept work directory ${kept}`));
    assert.ok(!fs.existsSync(kept));
    const nothing = await runCli(['clean', '--dir', dir], { env });
    assert.match(nothing.stdout, /^nothing to clean: no leftovers of dead durabench runs/);
  } finally {
    removeWorkDir(live);
    fs.rmdirSync(unmarked);
  }
});

test(
  'as root: a SIGKILLed crash lab leaves an image on a loop device, mounted in its scratch directory; clean unmounts, detaches and deletes',
  { skip: process.getuid?.() !== 0 || !fs.existsSync('/dev/loop-control') ? 'needs root and loop devices' : false },
  async () => {
    const dir = tempDir('leftovers-lab');
    const state = path.join(dir, 'state');
    const env = { DURABENCH_STATE_DIR: state };
    dieWith(
      `const w = await import(${dist('workspace/workdir.js')});
       const img = await import(${dist('workspace/image.js')});
       const loop = await import(${dist('workspace/loop-device.js')});
       const mnt = await import(${dist('workspace/mount.js')});
       const s = w.createScratchDir(${JSON.stringify(dir)}, 'dead-lab');
       img.createImage(s + '/trial-0.img', 'ext4', 16);
       const dev = loop.attachLoop(s + '/trial-0.img');
       mnt.createMountPoint(s + '/trial-0-mnt');
       mnt.mountImage(dev, s + '/trial-0-mnt', 'ext4', null, false);
       (await import('node:fs')).writeFileSync(s + '/trial-0-mnt/held', 'x');`,
      env,
    );
    const scratch = path.join(dir, 'durabench-crash-dead-lab');
    const mounted = mountPoints().filter((m) => m.startsWith(scratch));
    const loops = loopDevices().filter((l) => l.backingFile.startsWith(scratch));
    assert.equal(mounted.length, 1, 'the dead lab left its mount');
    assert.equal(loops.length, 1, 'and its loop device');
    const clean = await runCli(['clean', '--dir', dir], { env });
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, new RegExp(`  unmounted mount ${scratch}/trial-0-mnt\\n`));
    assert.match(clean.stdout, new RegExp(`  detached loop device ${loops[0]!.device} \\(${scratch}/trial-0.img\\)\\n`));
    assert.match(clean.stdout, new RegExp(`  removed crash-lab scratch directory ${scratch}\\n`));
    assert.deepEqual(mountPoints().filter((m) => m.startsWith(dir)), []);
    assert.deepEqual(loopDevices().filter((l) => l.backingFile.startsWith(dir)), []);
    assert.ok(!fs.existsSync(scratch));
  },
);

test(
  "as root: a SIGKILLed power lab leaves its drive (a loop device stacked on a loop device on a tmpfs), a tracefs with a tracing instance and the mounts; with the run record lost, clean still finds and removes all of it",
  { skip: process.getuid?.() !== 0 || !fs.existsSync('/dev/loop-control') ? 'needs root and loop devices' : false },
  async () => {
    const dir = tempDir('leftovers-drive');
    const state = path.join(dir, 'state');
    const env = { DURABENCH_STATE_DIR: state };
    dieWith(
      `const w = await import(${dist('workspace/workdir.js')});
       const img = await import(${dist('workspace/image.js')});
       const dc = await import(${dist('workspace/device-cache.js')});
       const mnt = await import(${dist('workspace/mount.js')});
       const pr = await import(${dist('lab/power-run.js')});
       const s = w.createScratchDir(${JSON.stringify(dir)}, 'dead-drive');
       const lab = pr.openPowerLab(s, 'ext4', 16, null);
       img.copySparse(lab.template, lab.tmpfs + '/run-0.img');
       const d = dc.attachCachedDevice(lab.tmpfs + '/run-0.img');
       mnt.createMountPoint(s + '/run-0-mnt');
       mnt.mountImage(d.inner, s + '/run-0-mnt', 'ext4', null, false);
       lab.watch?.watch(dc.bdiName(d.outer));
       (await import('node:fs')).writeFileSync(s + '/run-0-mnt/held', 'x');`,
      env,
    );
    const scratch = path.join(dir, 'durabench-crash-dead-drive');
    const outer = loopDevices().filter((l) => l.backingFile.startsWith(scratch));
    assert.equal(outer.length, 1, 'the outer device of the drive is left');
    const inner = loopDevices().filter((l) => l.backingFile === outer[0]!.device);
    assert.equal(inner.length, 1, 'and the inner one, stacked on it');
    const mounted = mountPoints().filter((m) => m.startsWith(scratch));
    assert.ok(mounted.length >= 2, `the tmpfs and the filesystem are left mounted: ${mounted.join(', ')}`);
    const traced = fs.existsSync(path.join(scratch, 'tracefs', 'instances'));
    const instances = traced ? fs.readdirSync(path.join(scratch, 'tracefs', 'instances')).filter((n) => n.startsWith('durabench-')) : [];
    // Only the markers and the kernel's own lists remain to find it by.
    fs.rmSync(path.join(state, 'runs'), { recursive: true, force: true });
    const clean = await runCli(['clean', '--dir', dir], { env });
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, new RegExp(`  detached loop device ${inner[0]!.device} \\(${outer[0]!.device}\\)\\n`));
    assert.match(clean.stdout, new RegExp(`  detached loop device ${outer[0]!.device} \\(${scratch}/media/run-0.img\\)\\n`));
    for (const n of instances) assert.match(clean.stdout, new RegExp(`  removed tracing instance ${scratch}/tracefs/instances/${n}\\n`));
    assert.match(clean.stdout, new RegExp(`  removed crash-lab scratch directory ${scratch}\\n`));
    assert.deepEqual(mountPoints().filter((m) => m.startsWith(dir)), []);
    assert.deepEqual(loopDevices().filter((l) => l.backingFile.startsWith(dir) || l.device === inner[0]!.device || l.backingFile === outer[0]!.device), []);
    assert.ok(!fs.existsSync(scratch));
    if (instances.length > 0) {
      // Instances belong to the kernel, not the mount: look through a tracefs of our own.
      const look = fs.mkdtempSync(path.join(dir, 'tracefs-'));
      spawnSync('mount', ['-t', 'tracefs', 'nodev', look]);
      try {
        const still = fs.readdirSync(path.join(look, 'instances')).filter((n) => instances.includes(n));
        assert.deepEqual(still, [], 'the tracing instance is gone');
      } finally {
        spawnSync('umount', [look]);
        fs.rmdirSync(look);
      }
    }
  },
);
