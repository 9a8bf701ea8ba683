/**
 * Loop devices: attach an image file, detach it, and read the block layer's counters the snapshot
 * needs (`/sys/block/loopN/inflight`, `/sys/block/loopN/stat`). Every attach is held by the safety
 * registry until it is detached.
 */
import fs from 'node:fs';
import path from 'node:path';
import { run } from './exec.js';
import { hold, release } from './registry.js';
import { assertLabPath } from './workdir.js';

/** Attach `image` to a free loop device; returns `/dev/loopN`. */
export function attachLoop(image: string): string {
  assertLabPath(image, 'attach');
  const device = run('losetup', ['--find', '--show', image]).trim();
  if (!/^\/dev\/loop\d+$/.test(device)) throw new Error(`losetup returned '${device}' for ${image}`);
  hold({ kind: 'loop', device });
  return device;
}

export function detachLoop(device: string): void {
  run('losetup', ['-d', device]);
  release({ kind: 'loop', device });
}

function sysDir(device: string): string {
  return path.join('/sys/block', path.basename(device));
}

/** Requests in flight: [reads, writes]. */
export function inflight(device: string): [number, number] {
  const [r, w] = fs.readFileSync(path.join(sysDir(device), 'inflight'), 'latin1').trim().split(/\s+/).map(Number);
  return [r ?? 0, w ?? 0];
}

/**
 * The write-side counters of /sys/block/<dev>/stat (Documentation/block/stat.rst): writes completed,
 * writes merged, sectors written, and (kernels ≥ 5.5) flushes completed. If any of them moves, the
 * device's content changed.
 */
export function writeCounters(device: string): string {
  const f = fs.readFileSync(path.join(sysDir(device), 'stat'), 'latin1').trim().split(/\s+/);
  return [f[4], f[5], f[6], f[15] ?? '-'].join(' ');
}
