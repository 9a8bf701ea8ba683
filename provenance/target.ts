/**
 * Provenance of one target directory: the filesystem it is on, its mount options, the block device
 * chain down to the disk, and what a sync means on this platform. Never a guess: whatever cannot be
 * read is `{ value: null, reason }`.
 */
import fs from 'node:fs';
import { type BlockDeviceInfo, type Known, type TargetInfo } from '../model/provenance.js';
import { blockDeviceName, bottomDevice, chainPaths, walkDeviceChain, type BackingLocation } from './block-device.js';
import { isMemoryFilesystem } from './filesystems.js';
import { findMount, mergedOptions, readMountinfo, type MountEntry } from './mountinfo.js';

function unknown<T>(reason: string): Known<T> {
  return { value: null, reason };
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}` : String(e.message ?? err);
}

/**
 * What fsync and fdatasync do here. On macOS libuv implements `fs.fsync` and `fs.fdatasync` with
 * fcntl(F_FULLFSYNC), falling back to F_BARRIERFSYNC and then fsync(2) when the filesystem refuses
 * (libuv src/unix/fs.c, uv__fs_fsync). On Linux they are the syscalls; the filesystem sends a cache
 * flush (or FUA) to the device unless barriers are turned off with a mount option.
 */
export function syncSemantics(platform: NodeJS.Platform, mountOptions: string | null, fsType: string | null = null): string {
  if (fsType !== null && isMemoryFilesystem(fsType)) return `fsync/fdatasync return at once: ${fsType} keeps everything in memory only`;
  switch (platform) {
    case 'darwin':
      return 'fsync/fdatasync: libuv uses fcntl(F_FULLFSYNC) (drive cache flushed), falling back to F_BARRIERFSYNC, then fsync(2)';
    case 'win32':
      return 'fsync/fdatasync: FlushFileBuffers (libuv)';
    case 'linux': {
      const opts = (mountOptions ?? '').split(',');
      const noBarrier = opts.includes('nobarrier') || opts.includes('barrier=0');
      return noBarrier
        ? 'fsync(2)/fdatasync(2), but the filesystem is mounted without barriers: the device cache is NOT flushed'
        : 'fsync(2)/fdatasync(2): data to the device and a cache flush (or FUA) unless the device reports write through';
    }
    default:
      return `fsync(2)/fdatasync(2) as ${platform} implements them`;
  }
}

/** The mount that holds `realPath`, or the reason it cannot be found. */
function mountFor(realPath: string, mounts: MountEntry[] | string): { entry: MountEntry } | { reason: string } {
  if (typeof mounts === 'string') return { reason: mounts };
  const entry = findMount(mounts, realPath);
  return entry ? { entry } : { reason: `no mount in /proc/self/mountinfo holds ${realPath}` };
}

function loadMounts(): MountEntry[] | string {
  try {
    return readMountinfo();
  } catch (err) {
    return `cannot read /proc/self/mountinfo (${process.platform}): ${errText(err)}`;
  }
}

/** Collect the provenance of one target directory. Throws only if `dir` does not exist. */
export function collectTarget(dir: string): TargetInfo {
  const realPath = fs.realpathSync(dir);
  const mounts = loadMounts();
  const found = mountFor(realPath, mounts);
  const semantics = (opts: string | null, fsType: string | null = null): string => syncSemantics(process.platform, opts, fsType);
  if ('reason' in found) {
    const r = found.reason;
    return {
      dir,
      realPath,
      fsType: unknown(r),
      mountPoint: unknown(r),
      mountOptions: unknown(r),
      device: unknown(r),
      deviceChain: unknown(r),
      model: unknown(r),
      rotational: unknown(r),
      writeCache: unknown(r),
      scheduler: unknown(r),
      syncSemantics: semantics(null),
      mountSource: unknown(r),
      devices: [],
    };
  }
  const m = found.entry;
  const options = mergedOptions(m);
  const devName = blockDeviceName(m.majorMinor, m.source, m.fsType);
  const locate = (file: string): BackingLocation => {
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch (err) {
      const r = `backing file ${file}: ${errText(err)}`;
      return { fsType: unknown(r), device: unknown(r) };
    }
    const f = mountFor(real, mounts);
    if ('reason' in f) return { fsType: unknown(f.reason), device: unknown(f.reason) };
    return { fsType: { value: f.entry.fsType }, device: blockDeviceName(f.entry.majorMinor, f.entry.source, f.entry.fsType) };
  };
  let devices: BlockDeviceInfo[] = [];
  if (devName.value !== null) devices = walkDeviceChain(devName.value, locate);
  const bottom = bottomDevice(devices);
  const noDevice = devName.value === null ? devName.reason : 'no block device found';
  return {
    dir,
    realPath,
    fsType: { value: m.fsType },
    mountPoint: { value: m.mountPoint },
    mountOptions: { value: options },
    device: devName.value !== null ? { value: `/dev/${devName.value}` } : unknown(devName.reason),
    deviceChain: devices.length > 0 ? { value: chainPaths(devices) } : unknown(noDevice),
    model: bottom ? bottom.model : unknown(noDevice),
    rotational: bottom ? bottom.rotational : unknown(noDevice),
    writeCache: bottom ? bottom.writeCache : unknown(noDevice),
    scheduler: bottom ? bottom.scheduler : unknown(noDevice),
    syncSemantics: semantics(options, m.fsType),
    mountSource: { value: m.source },
    devices,
  };
}

