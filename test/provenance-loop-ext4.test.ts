/**
 * Provenance of a loop-mounted ext4 image: filesystem type, mount options, and the loop device with
 * its backing file in the device chain. Needs root, losetup and mkfs.ext4; skipped otherwise.
 * Everything it creates is undone in `finally`, also when an assertion fails.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { collectHost, collectTarget } from '../provenance/host.js';
import { targetWarnings } from '../analysis/warnings.js';
import { tempDir } from './helpers/tmp.js';

function haveTools(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'needs root (losetup, mount)';
  for (const tool of ['losetup', 'mkfs.ext4', 'mount', 'umount']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      return `${tool} not installed`;
    }
  }
  return null;
}

const skip = haveTools();

test('provenance of a loop-mounted ext4 image shows ext4, its mount options and the loop device with its backing file', { skip: skip ?? false }, () => {
  const base = tempDir('durabench-loop');
  const image = path.join(base, 'image.ext4');
  const mnt = path.join(base, 'durabench-mnt');
  fs.mkdirSync(mnt);
  // 64 MiB sparse image.
  fs.writeFileSync(image, '');
  fs.truncateSync(image, 64 * 1024 * 1024);
  execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'ignore' });
  let loop: string | null = null;
  let mounted = false;
  try {
    loop = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
    execFileSync('mount', ['-o', 'noatime,data=ordered', loop, mnt], { stdio: 'ignore' });
    mounted = true;
    const t = collectTarget(mnt);
    assert.equal(t.fsType.value, 'ext4');
    assert.equal(t.mountPoint.value, mnt);
    assert.ok(t.mountOptions.value?.split(',').includes('noatime'), `mount options ${t.mountOptions.value}`);
    assert.ok(t.mountOptions.value?.split(',').includes('data=ordered'), `mount options ${t.mountOptions.value}`);
    assert.equal(t.device.value, loop);
    const chain = t.deviceChain.value;
    assert.ok(chain, `device chain: ${JSON.stringify(t.deviceChain)}`);
    assert.equal(chain[0], loop);
    assert.equal(chain[1], fs.realpathSync(image), `backing file in ${JSON.stringify(chain)}`);
    const loopInfo = t.devices?.[0];
    assert.equal(loopInfo?.kind, 'loop');
    assert.equal(loopInfo?.backingFile?.value, fs.realpathSync(image));
    // The backing file is on the repository's filesystem: its type is known and not a memory fs.
    assert.equal(typeof loopInfo?.backingFsType?.value, 'string');
    // Host provenance carries the same target.
    const host = collectHost([mnt]);
    assert.equal(host.targets[0]?.fsType.value, 'ext4');
    assert.ok(host.cpuCount > 0 && host.memoryBytes > 0);
    assert.ok(Array.isArray(targetWarnings(t)));
  } finally {
    if (mounted) execFileSync('umount', [mnt], { stdio: 'ignore' });
    if (loop) execFileSync('losetup', ['-d', loop], { stdio: 'ignore' });
  }
});
