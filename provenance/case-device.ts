/**
 * The block device under a directory, for device truth: the mount that holds it
 * (/proc/self/mountinfo) → its device number `major:minor` → `/sys/dev/block/M:m` → the kernel's
 * name (`loop5`, `vda1`). A partition has its own `stat` file, so a partition is named as itself.
 * btrfs reports an anonymous device number (major 0) in mountinfo; its mount source (`/dev/loop5`)
 * names the device then. tmpfs, overlay, network filesystems have no block device.
 */
import fs from 'node:fs';
import path from 'node:path';
import { blockDeviceName, SYS_ROOT } from './block-device.js';
import { findMount, parseMountinfo, type MountEntry } from './mountinfo.js';

export type BlockDevice = { readonly state: 'found'; readonly name: string; readonly mountPoint: string } | { readonly state: 'unavailable'; readonly reason: string };

/**
 * Pure: the device of the mount holding `realPath`, given the mountinfo entries and a lookup from
 * `major:minor` (or a `/dev/` source) to the kernel's device name (null: no such block device).
 */
export function blockDeviceOf(entries: readonly MountEntry[], realPath: string, nameOf: (majorMinorOrSource: string) => string | null): BlockDevice {
  const m = findMount(entries, realPath);
  if (!m) return { state: 'unavailable', reason: `no mount in /proc/self/mountinfo holds ${realPath}` };
  const where = `${realPath} is on ${m.fsType} (${m.mountPoint})`;
  if (!m.majorMinor.startsWith('0:')) {
    const name = nameOf(m.majorMinor);
    return name ? { state: 'found', name, mountPoint: m.mountPoint } : { state: 'unavailable', reason: `${where}: device ${m.majorMinor} is not a block device in /sys/dev/block` };
  }
  // Major 0: an anonymous device. btrfs (one device) names its real one as the mount source.
  if (m.source.startsWith('/dev/')) {
    const name = nameOf(m.source);
    if (name) return { state: 'found', name, mountPoint: m.mountPoint };
  }
  return { state: 'unavailable', reason: `${where}, which has no block device of its own (device ${m.majorMinor}, source ${m.source}): no device counters to read` };
}

/** `7:5` → `loop5` via /sys/dev/block, `/dev/loop5` → `loop5` (provenance's lookup), when the device has a stat file to count from. */
function sysNameOf(key: string): string | null {
  const known = key.startsWith('/dev/') ? blockDeviceName('0:0', key, '') : blockDeviceName(key, '', '');
  return known.value !== null && fs.existsSync(path.join(SYS_ROOT, 'class', 'block', known.value, 'stat')) ? known.value : null;
}

/** The block device under `dir` on this host. Never throws. */
export function blockDeviceUnder(dir: string): BlockDevice {
  let realPath: string;
  let text: string;
  try {
    realPath = fs.realpathSync(dir);
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch (err) {
    return { state: 'unavailable', reason: `cannot find the device under ${dir}: ${(err as Error).message}` };
  }
  return blockDeviceOf(parseMountinfo(text), realPath, sysNameOf);
}
