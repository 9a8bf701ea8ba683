/**
 * `--fs` values: a filesystem durabench can make a loop-mounted image of, optionally with mount
 * options — `ext4`, `ext4:data=journal`, `xfs:logbsize=256k`, `ext4:data=journal:noatime` (options
 * after the first colon, separated by colons because commas separate the items of the list). Pure.
 */
import { UsageError } from './errors.js';
import { LAB_FILESYSTEMS, type LabFs } from './crash-report.js';

export interface FsSpec {
  /** As normalised for labels and ids: `ext4:data=journal`. */
  readonly spec: string;
  readonly fs: LabFs;
  /** For mount -o: `data=journal,noatime`; null for the filesystem's defaults. */
  readonly mountOptions: string | null;
}

/** Parse one `--fs` item; `flag` names the option in the message. */
export function parseFsSpec(text: string, flag = '--fs'): FsSpec {
  const [name, ...opts] = text.trim().split(':');
  if (!(LAB_FILESYSTEMS as readonly string[]).includes(name ?? '')) {
    throw new UsageError(
      `${flag} '${text}' is not a supported filesystem; use ext4, xfs or btrfs, optionally with mount options (xfs:logbsize=256k, ext4:data=journal:noatime)`,
    );
  }
  const options = opts.map((o) => o.trim());
  if (options.some((o) => o === '' || /[\s,]/.test(o))) {
    throw new UsageError(
      `${flag} '${text}': mount options follow the filesystem after colons, one per colon, without spaces (ext4:data=journal:noatime)`,
    );
  }
  return { spec: [name, ...options].join(':'), fs: name as LabFs, mountOptions: options.length > 0 ? options.join(',') : null };
}

/** Parse every `--fs` item; the same spec twice is a mistake. */
export function parseFsSpecs(items: readonly string[], flag = '--fs'): FsSpec[] {
  const out = items.map((i) => parseFsSpec(i, flag));
  const seen = new Set<string>();
  for (const s of out) {
    if (seen.has(s.spec)) throw new UsageError(`${flag} names ${s.spec} twice; give each filesystem (with its mount options) once`);
    seen.add(s.spec);
  }
  return out;
}
