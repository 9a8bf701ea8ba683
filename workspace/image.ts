/**
 * Image files for power crashes: sparse files in the lab's scratch directory, formatted once per
 * filesystem as a template and copied (sparse) for every trial, so no trial pays for mkfs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { run } from './exec.js';
import { assertLabPath } from './workdir.js';

import { LAB_FILESYSTEMS, type LabFs } from '../model/crash-report.js';

export { LAB_FILESYSTEMS, type LabFs } from '../model/crash-report.js';

/** Default and minimum image sizes: xfs refuses filesystems under 300 MiB, btrfs needs more than 100 MiB. */
export const DEFAULT_IMAGE_MIB: Record<LabFs, number> = { ext4: 64, xfs: 300, btrfs: 128 };
export const MIN_IMAGE_MIB: Record<LabFs, number> = { ext4: 8, xfs: 300, btrfs: 110 };

export function isLabFs(s: string): s is LabFs {
  return (LAB_FILESYSTEMS as readonly string[]).includes(s);
}

/**
 * mkfs arguments. ext4 initialises its inode tables and journal now (lazy_*_init=0): otherwise the
 * kernel's ext4lazyinit thread writes to the device in the background and no snapshot would ever see
 * stable write counters.
 */
function mkfsArgs(fsType: LabFs, image: string): [string, string[]] {
  switch (fsType) {
    case 'ext4':
      return ['mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image]];
    case 'xfs':
      return ['mkfs.xfs', ['-q', '-f', image]];
    case 'btrfs':
      return ['mkfs.btrfs', ['-q', '-f', image]];
  }
}

/** Create a sparse file of `mib` MiB and format it. */
export function createImage(image: string, fsType: LabFs, mib: number): void {
  assertLabPath(image, 'format');
  const fd = fs.openSync(image, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
  try {
    fs.ftruncateSync(fd, mib * 1024 * 1024);
  } finally {
    fs.closeSync(fd);
  }
  const [program, args] = mkfsArgs(fsType, image);
  run(program, args, 120_000);
}

/** Sparse-aware copy (holes stay holes): `cp --sparse=always`, never through a shell. */
export function copySparse(from: string, to: string): void {
  assertLabPath(to, 'write');
  run('cp', ['--sparse=always', '--', from, to]);
}

export function removeImage(image: string): void {
  assertLabPath(image, 'delete');
  fs.rmSync(image, { force: true });
}

/** The template image of a filesystem in a scratch directory. */
export function templatePath(scratch: string, fsType: LabFs, mib: number): string {
  return path.join(scratch, `template-${fsType}-${mib}m.img`);
}
