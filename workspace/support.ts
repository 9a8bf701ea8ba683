/** Can this machine run power crashes on a filesystem? Root, loop devices and the mkfs tool. */
import fs from 'node:fs';
import { hasProgram } from './exec.js';
import type { LabFs } from './image.js';

/** null when power crashes on `fsType` can run here, else the reason (for a `skipped` case). */
export function powerUnavailable(fsType: LabFs): string | null {
  if (process.platform !== 'linux') return 'power crashes need Linux loop devices';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'power crashes need root (to attach loop devices and mount images); run as root or use --kind kill';
  if (!fs.existsSync('/dev/loop-control')) return 'no loop device support (/dev/loop-control is missing; modprobe loop)';
  for (const p of ['losetup', 'mount', 'umount', 'mkfifo', 'cp']) if (!hasProgram(p)) return `${p} is not installed`;
  const mkfs = `mkfs.${fsType}`;
  if (!hasProgram(mkfs)) {
    const pkg = fsType === 'ext4' ? 'e2fsprogs' : fsType === 'xfs' ? 'xfsprogs' : 'btrfs-progs';
    return `${mkfs} is not installed (apt-get install -y ${pkg})`;
  }
  return null;
}
