/**
 * The fault lane's tools: small loop-mounted filesystems made for one test (and always removed),
 * filling them up, shutting them down (EIO), and the check that nothing durabench created is left:
 * no marked directory, no mount or loop device inside the test's directories (nor one stacked on
 * such a loop device), no crash-lab child,
 * no run record, no temporary file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { unsearchableAncestor } from '../../coordinator/servers.js';
import { loopDevices, mountPoints } from '../../workspace/leftovers.js';
import { repoRoot } from '../helpers/tmp.js';

export const isRoot = process.getuid?.() === 0;

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Why the fault lane cannot run here, or false. */
export function faultLaneSkip(fsType: 'ext4' | 'xfs' = 'ext4'): string | false {
  if (!isRoot) return 'the fault lane needs root (loop devices, mounts, xfs_io shutdown)';
  if (!fs.existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control)';
  if (!hasTool(`mkfs.${fsType}`)) return `mkfs.${fsType} is not installed`;
  if (!hasTool('xfs_io')) return 'xfs_io is not installed (apt-get install -y xfsprogs)';
  return false;
}

export interface LoopFs {
  readonly image: string;
  readonly mnt: string;
  readonly fsType: 'ext4' | 'xfs';
  /** Unmount and mount again (after a shutdown, the filesystem must be remounted to be used). */
  remount(): void;
  unmount(): void;
}

/** A freshly formatted `fsType` filesystem of `mib` MiB, loop-mounted under a test directory (unmounted before the directory goes). */
export function loopFs(label: string, fsType: 'ext4' | 'xfs', mib: number): LoopFs {
  // The database servers run as other users (postgres as nobody): every directory above the mount
  // must be searchable by them. A checkout under a directory only root may enter (a clone inside
  // `mktemp -d`) cannot give that, so the image and its mount point go to the temporary directory then.
  const inRepo = path.join(repoRoot, '.durabench-test');
  fs.mkdirSync(inRepo, { recursive: true });
  const base = unsearchableAncestor(inRepo, { uid: 65534, gid: 65534 }) ? os.tmpdir() : inRepo;
  const dir = fs.mkdtempSync(path.join(base, `durabench-test-${label}-`));
  fs.chmodSync(dir, 0o755);
  const image = path.join(dir, `${fsType}.img`);
  const mnt = path.join(dir, 'mnt');
  fs.mkdirSync(mnt);
  fs.closeSync(fs.openSync(image, 'w'));
  fs.truncateSync(image, mib * 1024 * 1024);
  execFileSync(`mkfs.${fsType}`, fsType === 'xfs' ? ['-q', '-f', image] : ['-q', '-F', image], { stdio: 'ignore' });
  const mount = (): void => void execFileSync('mount', ['-o', 'loop', image, mnt], { stdio: 'ignore' });
  let mounted = false;
  const unmount = (): void => {
    if (!mounted) return;
    execFileSync('umount', [mnt], { stdio: 'ignore' });
    mounted = false;
  };
  mount();
  mounted = true;
  after(() => {
    try {
      unmount();
    } catch {
      spawnSync('umount', ['-l', mnt], { stdio: 'ignore' });
    }
    // Never through a mount: only once nothing is mounted on it.
    if (!mountPoints().includes(mnt)) fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    image,
    mnt,
    fsType,
    remount() {
      unmount();
      mount();
      mounted = true;
    },
    unmount,
  };
}

/** Free bytes of the filesystem holding `dir`. */
export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Fill the filesystem of `dir` with one allocated file until only about `leaveMib` MiB are free. */
export function fillUp(dir: string, leaveMib: number): string {
  const filler = path.join(dir, 'filler');
  const bytes = freeBytes(dir) - leaveMib * 1024 * 1024;
  if (bytes > 0) execFileSync('fallocate', ['-l', String(bytes), filler]);
  return filler;
}

/** Shut the filesystem down: every later operation on it fails with EIO (xfs and ext4 alike). */
export function shutdown(mnt: string): void {
  execFileSync('xfs_io', ['-x', '-c', 'shutdown', mnt], { stdio: 'ignore' });
}

/** Crash-lab writer children working under `dir` (by their configuration argument). */
export function labChildrenUnder(dir: string): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (/[/\\](lab[/\\]child|coordinator[/\\]case-child)\.(js|ts)\0/.test(cmd) && cmd.includes(dir)) out.push(Number(p));
  }
  return out;
}

/** What durabench left under `dirs` and in the state directory: empty when nothing. */
export function residue(dirs: readonly string[], stateDir: string | null): string[] {
  const out: string[] = [];
  const within = (p: string): boolean => dirs.some((d) => p === d || p.startsWith(d + path.sep));
  for (const d of dirs) {
    if (!fs.existsSync(d)) continue;
    for (const n of fs.readdirSync(d)) {
      if (n.startsWith('durabench-') && n !== 'durabench-out') out.push(`directory ${path.join(d, n)}`);
      if (/\.tmp-\d+$/.test(n) || n.startsWith('.durabench-probe-')) out.push(`temporary file ${path.join(d, n)}`);
    }
  }
  for (const m of mountPoints()) if (dirs.some((d) => m.startsWith(d + path.sep))) out.push(`mount ${m}`);
  // And, transitively, loop devices stacked on one of those (the crash lab's drive: the inner device is backed by the outer one, /dev/loopN).
  const loops = loopDevices();
  const left = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const l of loops) {
      if (left.has(l.device) || !(within(l.backingFile) || left.has(l.backingFile))) continue;
      left.add(l.device);
      out.push(`loop device ${l.device} (${l.backingFile})`);
      grew = true;
    }
  }
  for (const d of dirs) for (const pid of labChildrenUnder(d)) out.push(`process ${pid}`);
  if (stateDir !== null) {
    const runs = path.join(stateDir, 'runs');
    if (fs.existsSync(runs)) for (const n of fs.readdirSync(runs)) out.push(`run record ${path.join(runs, n)}`);
  }
  return out;
}
