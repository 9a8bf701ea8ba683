/**
 * Loop devices: attach an image file (or, for the drive-cache model, another loop device), detach,
 * and read the block layer's counters (`/sys/block/loopN/inflight`, `/sys/block/loopN/stat`) and
 * attributes (`loop/dio`, `loop/backing_file`, `queue/write_cache`). Every attach is held by the
 * safety registry until it is detached.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DeviceCounters } from '../model/device.js';
import { run } from './exec.js';
import { hold, release } from './registry.js';
import { assertLabPath } from './workdir.js';

export interface AttachOptions {
  /** `off`: the device writes through the backing file's page cache (util-linux `--direct-io=off`). */
  readonly directIo?: 'on' | 'off';
}

function attach(backing: string, opts: AttachOptions): string {
  const device = run('losetup', ['--find', '--show', ...(opts.directIo ? [`--direct-io=${opts.directIo}`] : []), backing]).trim();
  if (!/^\/dev\/loop\d+$/.test(device)) throw new Error(`losetup returned '${device}' for ${backing}`);
  hold({ kind: 'loop', device });
  return device;
}

/** Attach `image` (inside a lab scratch directory) to a free loop device; returns `/dev/loopN`. */
export function attachLoop(image: string, opts: AttachOptions = {}): string {
  assertLabPath(image, 'attach');
  return attach(image, opts);
}

/**
 * Attach a loop device on top of another loop device `outer` that backs a lab image: the stacked
 * device of the drive-cache model. Refuses any other block device.
 */
export function attachLoopOnLoop(outer: string, opts: AttachOptions = {}): string {
  if (!/^\/dev\/loop\d+$/.test(outer)) throw new Error(`crash lab refuses to stack a loop device on '${outer}': not a loop device`);
  const backing = loopAttribute(outer, 'loop/backing_file');
  assertLabPath(backing, `stack a loop device on ${outer}, backed by`);
  return attach(outer, opts);
}

export function detachLoop(device: string): void {
  run('losetup', ['-d', device]);
  release({ kind: 'loop', device });
}

function sysDir(device: string): string {
  return path.join('/sys/block', path.basename(device));
}

/** A sysfs attribute of a block device, e.g. `loop/dio`, `queue/write_cache`, `dev`. */
export function loopAttribute(device: string, attribute: string): string {
  return fs.readFileSync(path.join(sysDir(device), attribute), 'latin1').trim();
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

/** Parse one `stat` line (Documentation/block/stat.rst: fields 5, 7, 16, 17). Pure. */
export function parseStatLine(line: string): DeviceCounters {
  const f = line.trim().split(/\s+/).map(Number);
  const at = (i: number): number => (Number.isFinite(f[i]) ? f[i]! : 0);
  return { writes: at(4), sectorsWritten: at(6), flushes: at(15), flushMs: at(16) };
}

/** The counters of a block device by its sysfs name or /dev path (`loop5`, `/dev/loop5`, `vda`, `vda1`). */
export function deviceCounters(device: string): DeviceCounters {
  return parseStatLine(fs.readFileSync(path.join('/sys/class/block', path.basename(device), 'stat'), 'latin1'));
}
