/**
 * `durabench run --fs ext4,xfs,btrfs` (and `ext4:data=journal`, `xfs:logbsize=256k`): the matrix
 * runs on a loop-mounted image of each filesystem, made in each `--dir` — so "ext4 or xfs on this
 * disk?" is one command, and the report's targets are the images' mount points, side by side.
 *
 * Made with the crash lab's safe image code (workspace/): a marked scratch directory
 * `<dir>/durabench-crash-fs-<run id>` holds the sparse image files and their marked mount points;
 * mkfs, losetup and mount run with argument arrays; every loop device and mount is held by the
 * registry from the moment it exists, so it is released on success, on error, on SIGINT/SIGTERM
 * (a second signal releases at once) and at process exit; after a SIGKILL the marker tells what is
 * left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../model/errors.js';
import type { FsSpec } from '../model/fs-spec.js';
import type { FsTarget, ResolvedSuite } from '../model/run-report.js';
import { hasProgram, run } from '../workspace/exec.js';
import { createImage, MIN_IMAGE_MIB, removeImage } from '../workspace/image.js';
import { attachLoop, detachLoop } from '../workspace/loop-device.js';
import { createMountPoint, isMounted, mountImage, removeMountPoint, unmount } from '../workspace/mount.js';
import { release } from '../workspace/registry.js';
import { createScratchDir, removeScratchDir } from '../workspace/workdir.js';

/** null when images of these filesystems can be made here, else why not (one line, naming the fix). */
export function fsImagesUnavailable(specs: readonly FsSpec[]): string | null {
  if (process.platform !== 'linux') return '--fs needs Linux loop devices; give --dir on a filesystem you mounted yourself';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return '--fs needs root to attach loop devices and mount the images; run as root, or drop --fs and give --dir on a filesystem you mounted yourself';
  }
  if (!fs.existsSync('/dev/loop-control')) return '--fs needs loop devices (/dev/loop-control is missing; modprobe loop)';
  for (const p of ['losetup', 'mount', 'umount']) if (!hasProgram(p)) return `--fs needs ${p}, which is not installed`;
  for (const s of new Set(specs.map((x) => x.fs))) {
    if (!hasProgram(`mkfs.${s}`))
      return `--fs ${s} needs mkfs.${s}, which is not installed (apt-get install -y ${s === 'ext4' ? 'e2fsprogs' : s === 'xfs' ? 'xfsprogs' : 'btrfs-progs'})`;
  }
  return null;
}

export interface FsImageSettings {
  /** Size of every image, MiB. */
  readonly imageMib: number;
  /** Mount options for specs that name none (`--mount-options`). */
  readonly mountOptions: string | null;
}

interface Made {
  readonly target: FsTarget;
  readonly image: string;
  readonly device: string;
}

/** The images of one run; `release` unmounts, detaches and removes them (every exit path calls it). */
export class FsImages {
  private released = false;

  constructor(
    private readonly made: readonly Made[],
    private readonly scratchDirs: readonly string[],
  ) {}

  get targets(): FsTarget[] {
    return this.made.map((m) => m.target);
  }

  /**
   * Unmount, detach, then remove the images and scratch directories — or, with `keep`, leave the
   * image files (unmounted) and return their paths. Problems are returned, never thrown: this runs
   * on the way out of a failed run too.
   */
  release(keep = false): { problems: string[]; kept: string[] } {
    if (this.released) return { problems: [], kept: [] };
    this.released = true;
    const problems: string[] = [];
    for (const m of [...this.made].reverse()) {
      const mountPoint = m.target.target;
      if (isMounted(mountPoint)) {
        try {
          unmount(mountPoint);
        } catch (err) {
          // Something still holds a file in it: detach lazily rather than leave it mounted.
          try {
            run('umount', ['-l', mountPoint]);
            release({ kind: 'mount', path: mountPoint });
          } catch {
            problems.push((err as Error).message);
          }
        }
      }
      try {
        detachLoop(m.device);
      } catch (err) {
        problems.push((err as Error).message);
      }
      if (!isMounted(mountPoint)) removeMountPoint(mountPoint);
    }
    const kept: string[] = [];
    for (const dir of this.scratchDirs) {
      if (keep && problems.length === 0) {
        release({ kind: 'dir', path: dir });
        kept.push(...this.made.filter((m) => m.target.dir === path.dirname(dir)).map((m) => m.image));
        continue;
      }
      try {
        for (const m of this.made) if (path.dirname(m.image) === dir && fs.existsSync(m.image)) removeImage(m.image);
        removeScratchDir(dir);
      } catch (err) {
        problems.push(`${(err as Error).message}; durabench left ${dir} (marked) behind`);
      }
    }
    return { problems, kept };
  }
}

function label(spec: FsSpec, mountOptions: string | null): { spec: string; mountOptions: string | null } {
  if (spec.mountOptions !== null || mountOptions === null) return { spec: spec.spec, mountOptions: spec.mountOptions };
  return { spec: `${spec.spec}:${mountOptions.split(',').join(':')}`, mountOptions };
}

/**
 * Make, attach and mount one image per filesystem in every `dir`. On a failure everything made so
 * far is released before the error goes on (a mkfs or mount that fails is one line, exit 2).
 */
export function createFsImages(dirs: readonly string[], specs: readonly FsSpec[], settings: FsImageSettings, runId: string): FsImages {
  for (const s of specs) {
    if (settings.imageMib < MIN_IMAGE_MIB[s.fs])
      throw new UsageError(`--image-mib ${settings.imageMib} is too small for ${s.fs}; use at least ${MIN_IMAGE_MIB[s.fs]}`);
  }
  const made: Made[] = [];
  const scratchDirs: string[] = [];
  try {
    for (const dir of dirs) {
      const scratch = createScratchDir(dir, `fs-${runId}`);
      scratchDirs.push(scratch);
      specs.forEach((s, i) => {
        const name = `fs${i}-${s.fs}`;
        const image = path.join(scratch, `${name}.img`);
        const mountPoint = path.join(scratch, name);
        const { spec, mountOptions } = label(s, settings.mountOptions);
        const step = (what: string, f: () => void): void => {
          try {
            f();
          } catch (err) {
            if (err instanceof UsageError) throw err;
            throw new UsageError(`--fs ${spec}: ${what} failed: ${(err as Error).message.split('\n')[0]}`);
          }
        };
        step(`making the ${settings.imageMib} MiB ${s.fs} image in ${dir}`, () => createImage(image, s.fs, settings.imageMib));
        let device = '';
        step('attaching a loop device', () => (device = attachLoop(image)));
        const target: FsTarget = { spec, fs: s.fs, mountOptions, imageMib: settings.imageMib, dir, target: mountPoint };
        made.push({ target, image, device });
        step('creating the mount point', () => createMountPoint(mountPoint));
        step(`mounting it${mountOptions ? ` with -o ${mountOptions} (check the mount options)` : ''}`, () =>
          mountImage(device, mountPoint, s.fs, mountOptions, false),
        );
      });
    }
  } catch (err) {
    const partial = new FsImages(made, scratchDirs);
    partial.release();
    throw err;
  }
  return new FsImages(made, scratchDirs);
}

/** The suite with its targets replaced by the images' mount points (in the order dirs × specs). */
export function onImages(suite: ResolvedSuite, targets: readonly FsTarget[]): ResolvedSuite {
  return { ...suite, targets: targets.map((t) => t.target), filesystems: [...targets] };
}
