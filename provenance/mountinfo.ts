/**
 * /proc/self/mountinfo: parsing (pure) and finding the mount that holds a path.
 *
 * Format (proc(5)): `id parent major:minor root mountPoint mountOptions [optional fields...] - fsType
 * source superOptions`. The optional fields (`shared:1`, `master:2`, ...) vary in number and end at
 * the lone `-`. Paths escape space, tab, newline and backslash as octal (`\040`, `\011`, `\012`,
 * `\134`).
 */
import fs from 'node:fs';

/** One line of mountinfo. */
export interface MountEntry {
  mountId: number;
  parentId: number;
  /** Device number of the filesystem, `major:minor` (major 0: no block device, e.g. tmpfs, nfs). */
  majorMinor: string;
  /** The directory of the filesystem that is mounted here (not `/` for bind mounts and btrfs subvolumes). */
  root: string;
  mountPoint: string;
  /** Per-mount options (`rw,relatime`). */
  mountOptions: string;
  /** Propagation and other optional fields, e.g. `shared:1`. */
  optionalFields: string[];
  fsType: string;
  /** e.g. `/dev/vda1`, `tmpfs`, `server:/export`. */
  source: string;
  /** Per-superblock options (`rw,errors=remount-ro`). */
  superOptions: string;
}

/** Undo mountinfo's octal escapes (`\040` → space). */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parse one mountinfo line; null when it is not a well-formed entry. */
export function parseMountinfoLine(line: string): MountEntry | null {
  const fields = line.trim().split(' ');
  const sep = fields.indexOf('-', 6);
  if (sep < 6 || fields.length < sep + 3) return null;
  const [id, parent, majorMinor, root, mountPoint, mountOptions] = fields as [string, string, string, string, string, string];
  const mountId = Number(id);
  const parentId = Number(parent);
  if (!Number.isInteger(mountId) || !Number.isInteger(parentId) || !/^\d+:\d+$/.test(majorMinor)) return null;
  return {
    mountId,
    parentId,
    majorMinor,
    root: unescapeMountField(root),
    mountPoint: unescapeMountField(mountPoint),
    mountOptions,
    optionalFields: fields.slice(6, sep),
    fsType: fields[sep + 1]!,
    source: unescapeMountField(fields[sep + 2]!),
    superOptions: fields[sep + 3] ?? '',
  };
}

/** Parse the whole file; malformed lines are skipped. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const e = parseMountinfoLine(line);
    if (e) out.push(e);
  }
  return out;
}

function isInside(realPath: string, mountPoint: string): boolean {
  if (mountPoint === '/') return realPath.startsWith('/');
  return realPath === mountPoint || realPath.startsWith(mountPoint + '/');
}

/**
 * The mount holding `realPath` (an absolute path with symlinks resolved): the longest mount point
 * that is a prefix of it; among equal mount points the last one, because later mounts stack on top
 * of earlier ones. Pure.
 */
export function findMount(entries: readonly MountEntry[], realPath: string): MountEntry | null {
  let best: MountEntry | null = null;
  for (const e of entries) {
    if (!isInside(realPath, e.mountPoint)) continue;
    if (!best || e.mountPoint.length >= best.mountPoint.length) best = e;
  }
  return best;
}

/** Mount and superblock options merged, each option once, mount options first (`rw,relatime,discard`). */
export function mergedOptions(e: MountEntry): string {
  const seen = new Set<string>();
  for (const o of [...e.mountOptions.split(','), ...e.superOptions.split(',')]) if (o !== '') seen.add(o);
  return [...seen].join(',');
}

/** Read and parse /proc/self/mountinfo. Throws the fs error when it cannot be read (not Linux, no /proc). */
export function readMountinfo(file = '/proc/self/mountinfo'): MountEntry[] {
  return parseMountinfo(fs.readFileSync(file, 'utf8'));
}
