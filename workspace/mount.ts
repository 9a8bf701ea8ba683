/**
 * Mounting lab images. Mount points are directories inside the lab's scratch directory, created with
 * the owner marker before the mount (the marker is hidden while mounted); every mount is held by the
 * safety registry until it is unmounted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OWNER_MARKER } from './workdir.js';
import { run } from './exec.js';
import type { LabFs } from './image.js';
import { hold, release } from './registry.js';
import { assertLabPath, unescapeMount } from './workdir.js';

/** Create a marked mount point directory. */
export function createMountPoint(dir: string): void {
  assertLabPath(dir, 'create a mount point at');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, OWNER_MARKER), 'crash lab mount point\n');
}

/**
 * Mount `device` on `dir`. `copy` mounts a snapshot of a filesystem that is still mounted: xfs then
 * needs `nouuid` (it refuses a second filesystem with the same UUID); ext4 does not care; btrfs
 * (kernel ≥ 6.7) gives the clone a temporary fsid by itself.
 */
export function mountImage(device: string, dir: string, fsType: LabFs, options: string | null, copy: boolean): void {
  assertLabPath(dir, 'mount on');
  if (!fs.existsSync(path.join(dir, OWNER_MARKER))) throw new Error(`crash lab refuses to mount on '${dir}': it has no marker`);
  const opts = [options, copy && fsType === 'xfs' ? 'nouuid' : null].filter((o): o is string => o !== null && o !== '').join(',');
  run('mount', ['-t', fsType, ...(opts ? ['-o', opts] : []), device, dir]);
  hold({ kind: 'mount', path: dir });
}

/**
 * Mount a private tmpfs of at most `sizeMib` MiB on the marked mount point `dir`: the lab's medium
 * (the drive's platter) and crash images live there, in memory, never on the target's disk.
 */
export function mountTmpfs(dir: string, sizeMib: number): void {
  assertLabPath(dir, 'mount a tmpfs on');
  if (!fs.existsSync(path.join(dir, OWNER_MARKER))) throw new Error(`crash lab refuses to mount on '${dir}': it has no marker`);
  run('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(sizeMib)}m,mode=0700`, 'durabench-lab', dir]);
  hold({ kind: 'mount', path: dir });
}

/** Mount tracefs (the kernel's tracing filesystem) on the marked mount point `dir`. */
export function mountTracefs(dir: string): void {
  assertLabPath(dir, 'mount tracefs on');
  if (!fs.existsSync(path.join(dir, OWNER_MARKER))) throw new Error(`crash lab refuses to mount on '${dir}': it has no marker`);
  run('mount', ['-t', 'tracefs', 'durabench-trace', dir]);
  hold({ kind: 'mount', path: dir });
}

export function unmount(dir: string): void {
  run('umount', [dir]);
  release({ kind: 'mount', path: dir });
}

/** Is anything mounted exactly at `dir`? */
export function isMounted(dir: string): boolean {
  const abs = path.resolve(dir);
  return fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some((l) => unescapeMount(l.split(' ')[1] ?? '') === abs);
}

/** Remove a mount point directory the lab created, never while something is mounted on it. */
export function removeMountPoint(dir: string): void {
  if (!fs.existsSync(dir) || isMounted(dir)) return;
  assertLabPath(dir, 'remove');
  fs.rmSync(path.join(dir, OWNER_MARKER), { force: true });
  fs.rmdirSync(dir);
}
