/**
 * The block device under a filesystem and the chain below it, read from sysfs (Linux):
 * partition → disk (`/sys/class/block/<part>/..`), loop → backing file
 * (`/sys/block/loopN/loop/backing_file`), device-mapper and md → their slaves
 * (`/sys/class/block/<dev>/slaves/`). Per device: model, rotational, write cache and I/O scheduler.
 * Whatever sysfs does not say is `{ value: null, reason }`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type BlockDeviceInfo, type BlockDeviceKind, type Known } from '../model/provenance.js';

/** Where sysfs is mounted (a parameter so tests could point it at a fixture tree). */
export const SYS_ROOT = '/sys';

function unknown<T>(reason: string): Known<T> {
  return { value: null, reason };
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ?? e.message ?? String(err);
}

/** Read a one-line sysfs attribute, trimmed; Known with the errno as reason when unreadable. */
function readAttr(file: string): Known<string> {
  try {
    return { value: fs.readFileSync(file, 'utf8').trim() };
  } catch (err) {
    return unknown(`cannot read ${file}: ${errText(err)}`);
  }
}

/** `none [mq-deadline] kyber` → `mq-deadline`; a single word stays as it is. Pure. */
export function activeScheduler(text: string): string {
  const m = /\[([^\]]+)\]/.exec(text);
  return m ? m[1]! : text.trim();
}

/**
 * The sysfs name (`vda1`, `loop3`, `dm-0`) of the block device with device number `majorMinor`,
 * via /sys/dev/block/<major:minor>; else from a `/dev/...` mount source. Major 0 is an anonymous
 * device (tmpfs, nfs, overlay, btrfs subvolumes): then only the source can name a block device.
 */
export function blockDeviceName(majorMinor: string, source: string, fsType: string, sysRoot = SYS_ROOT): Known<string> {
  if (!majorMinor.startsWith('0:')) {
    try {
      return { value: path.basename(fs.realpathSync(path.join(sysRoot, 'dev', 'block', majorMinor))) };
    } catch {
      /* fall through to the mount source */
    }
  }
  if (source.startsWith('/dev/')) {
    try {
      const name = path.basename(fs.realpathSync(source));
      if (fs.existsSync(path.join(sysRoot, 'class', 'block', name))) return { value: name };
      return unknown(`mount source ${source} is not in ${sysRoot}/class/block`);
    } catch (err) {
      return unknown(`mount source ${source}: ${errText(err)}`);
    }
  }
  return unknown(`${fsType} is not on a block device (device ${majorMinor}, source '${source}')`);
}

function classDir(name: string, sysRoot: string): string {
  return path.join(sysRoot, 'class', 'block', name);
}

/** What kind of block device `name` is. Memory-backed: zram and the ram disk driver (brd). */
export function deviceKind(name: string, sysRoot = SYS_ROOT): BlockDeviceKind {
  const dir = classDir(name, sysRoot);
  if (fs.existsSync(path.join(dir, 'partition'))) return 'partition';
  if (fs.existsSync(path.join(dir, 'loop')) || /^loop\d+$/.test(name)) return 'loop';
  if (fs.existsSync(path.join(dir, 'dm'))) return 'dm';
  if (fs.existsSync(path.join(dir, 'md')) || /^md\d+/.test(name)) return 'md';
  if (/^(zram|ram)\d+$/.test(name)) return 'memory';
  if (fs.existsSync(path.join(dir, 'device'))) return 'disk';
  return 'other';
}

/** The devices `name` sits on: a partition's disk, the slaves of dm/md devices. */
function parentsOf(name: string, kind: BlockDeviceKind, sysRoot: string): string[] {
  const dir = classDir(name, sysRoot);
  if (kind === 'partition') {
    try {
      return [path.basename(path.dirname(fs.realpathSync(dir)))];
    } catch {
      return [];
    }
  }
  try {
    return fs.readdirSync(path.join(dir, 'slaves')).sort();
  } catch {
    return [];
  }
}

function modelOf(name: string, kind: BlockDeviceKind, sysRoot: string): Known<string> {
  const dir = classDir(name, sysRoot);
  if (kind === 'loop') return unknown('a loop device has no model: a file is behind it (see its backing file)');
  if (kind === 'memory') return unknown(`${name} is a memory-backed block device (no hardware)`);
  if (kind === 'dm') {
    const dmName = readAttr(path.join(dir, 'dm', 'name'));
    return unknown(`device-mapper device${dmName.value ? ` '${dmName.value}'` : ''}: see its parents`);
  }
  if (kind === 'md') return unknown('software RAID (md): see its parents');
  const model = readAttr(path.join(dir, 'device', 'model'));
  if (model.value) return model;
  let driver = 'unknown driver';
  try {
    driver = path.basename(fs.realpathSync(path.join(dir, 'device', 'driver')));
  } catch {
    try {
      driver = path.basename(fs.realpathSync(path.join(dir, 'device', 'device', 'driver')));
    } catch {
      /* keep 'unknown driver' */
    }
  }
  return unknown(`sysfs has no model for ${name} (driver ${driver}; virtio disks have none)`);
}

/** Read a device's queue attributes; a partition shares its disk's queue. */
function queueAttrs(queueOwner: string, sysRoot: string): Pick<BlockDeviceInfo, 'rotational' | 'writeCache' | 'scheduler'> {
  const q = path.join(classDir(queueOwner, sysRoot), 'queue');
  const rot = readAttr(path.join(q, 'rotational'));
  const wc = readAttr(path.join(q, 'write_cache'));
  const sched = readAttr(path.join(q, 'scheduler'));
  return {
    rotational: rot.value === null ? rot : rot.value === '1' || rot.value === '0' ? { value: rot.value === '1' } : unknown(`unexpected rotational '${rot.value}'`),
    writeCache: wc,
    scheduler: sched.value === null ? sched : { value: activeScheduler(sched.value) },
  };
}

/** Everything sysfs says about one block device (not following its parents). */
export function describeDevice(name: string, sysRoot = SYS_ROOT): BlockDeviceInfo {
  const kind = deviceKind(name, sysRoot);
  const parents = parentsOf(name, kind, sysRoot);
  const queueOwner = kind === 'partition' && parents[0] ? parents[0] : name;
  const dev = readAttr(path.join(classDir(name, sysRoot), 'dev'));
  const info: BlockDeviceInfo = {
    name,
    path: `/dev/${name}`,
    kind,
    majorMinor: dev,
    model: modelOf(queueOwner, kind === 'partition' ? deviceKind(queueOwner, sysRoot) : kind, sysRoot),
    ...queueAttrs(queueOwner, sysRoot),
    parents,
  };
  if (kind === 'loop') {
    const backing = readAttr(path.join(classDir(name, sysRoot), 'loop', 'backing_file'));
    info.backingFile = backing.value === null ? unknown(`${name} has no backing file (not attached?): ${backing.reason}`) : backing;
  }
  return info;
}

/** Where a loop device's backing file lives: its filesystem type and the block device under it. */
export interface BackingLocation {
  fsType: Known<string>;
  /** The block device under the backing file's filesystem (null with reason when there is none). */
  device: Known<string>;
}

/**
 * Walk from `start` down to the disks: partitions to their disk, dm/md to their slaves, and a loop
 * device through its backing file to the device of the filesystem that holds it (`locate` answers
 * that; it is given by the caller, who knows the mounts). Depth-first, each device once.
 */
export function walkDeviceChain(
  start: string,
  locate: (file: string) => BackingLocation,
  sysRoot = SYS_ROOT,
): BlockDeviceInfo[] {
  const out: BlockDeviceInfo[] = [];
  const seen = new Set<string>();
  const visit = (name: string, depth: number): void => {
    if (seen.has(name) || depth > 16) return;
    seen.add(name);
    const info = describeDevice(name, sysRoot);
    out.push(info);
    if (info.kind === 'loop' && info.backingFile?.value) {
      const file = info.backingFile.value.replace(/ \(deleted\)$/, '');
      const where = locate(file);
      info.backingFsType = where.fsType;
      if (where.device.value) {
        info.parents = [where.device.value];
      }
    }
    for (const p of info.parents) visit(p, depth + 1);
  };
  visit(start, 0);
  return out;
}

/**
 * The device chain as paths, top to bottom: `/dev/loop3`, its backing file, `/dev/vda`;
 * `/dev/vda1`, `/dev/vda`. Pure.
 */
export function chainPaths(devices: readonly BlockDeviceInfo[]): string[] {
  const out: string[] = [];
  for (const d of devices) {
    out.push(d.path);
    if (d.kind === 'loop' && d.backingFile?.value) out.push(d.backingFile.value);
  }
  return out;
}

/**
 * The device whose cache and medium decide durability: the first device in the chain that has no
 * block-device parent (the disk under partitions, dm and loop files). Pure.
 */
export function bottomDevice(devices: readonly BlockDeviceInfo[]): BlockDeviceInfo | null {
  const names = new Set(devices.map((d) => d.name));
  for (const d of devices) if (!d.parents.some((p) => names.has(p))) return d;
  return devices[devices.length - 1] ?? null;
}
