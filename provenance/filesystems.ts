/**
 * What kind of filesystem a target is on, from provenance alone: in memory (nothing survives a power
 * cut, fsync is a no-op), on the network (a server decides durability), or on a volatile device
 * chain. Pure.
 */
import type { Known, TargetInfo } from '../model/provenance.js';

/** Filesystems that live in RAM: nothing written there survives a power cut, and fsync is a no-op. */
export const MEMORY_FILESYSTEMS: ReadonlySet<string> = new Set(['tmpfs', 'ramfs', 'rootfs', 'devtmpfs', 'hugetlbfs', 'shm']);

/** Filesystems whose durability is decided by a server or a daemon on another machine or host. */
export const NETWORK_FILESYSTEMS: ReadonlySet<string> = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  '9p',
  'virtiofs',
  'ceph',
  'fuse.sshfs',
  'fuse.ceph',
  'fuse.glusterfs',
  'glusterfs',
  'lustre',
  'gpfs',
  'afs',
  'fuse.s3fs',
  'fuse.rclone',
  'davfs',
  'fuse.davfs2',
]);

export function knownValue<T>(k: Known<T> | undefined): T | null {
  return k && k.value !== null ? k.value : null;
}

/** True when `fsType` keeps its data in memory. */
export function isMemoryFilesystem(fsType: string | null): boolean {
  return fsType !== null && MEMORY_FILESYSTEMS.has(fsType);
}

/** True when `fsType` is a network (or host-shared) filesystem. */
export function isNetworkFilesystem(fsType: string | null): boolean {
  return fsType !== null && (NETWORK_FILESYSTEMS.has(fsType) || /^nfs/.test(fsType));
}

/** True when nothing written to the target can survive a power cut (memory fs, memory device, loop file in memory). */
export function isVolatileTarget(target: TargetInfo): boolean {
  if (isMemoryFilesystem(knownValue(target.fsType))) return true;
  for (const d of target.devices ?? []) {
    if (d.kind === 'memory') return true;
    if (d.kind === 'loop' && isMemoryFilesystem(knownValue(d.backingFsType))) return true;
  }
  return false;
}

