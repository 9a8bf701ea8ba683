/**
 * Directories durabench owns: in every target it works only inside a fresh subdirectory it creates
 * (`durabench-<run id>` for runs, `durabench-probe-<run id>` for probes, `durabench-crash-<id>` for
 * the crash lab's scratch space), marked with a marker file naming the owner (pid, start time, boot
 * id: workspace/owner.ts), and it formats, mounts and deletes only what lies inside such a
 * directory. The marker is what `durabench clean` looks for after a SIGKILL or a power loss.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-file.js';
import { currentOwner, parseOwner, type Owner } from './owner.js';
import { hold, markStuck, OWNER_MARKER, release } from './registry.js';

export { OWNER_MARKER } from './registry.js';

/** What a directory's marker file says. */
export interface DirMarker {
  readonly tool: 'durabench';
  /** `work` (run, probe), `scratch` (crash lab) or `server` (a database server's logs and sockets, under the temporary directory). */
  readonly role: 'work' | 'scratch' | 'server';
  readonly owner: Owner;
  readonly createdAt: string;
  /** Kept on purpose (`--keep`): not a leftover. */
  readonly kept?: boolean;
}

/**
 * Write the marker durably (temporary file, fsync, rename, directory fsync) and make the new
 * directory's own entry durable in its parent: after a power loss of the host a directory without
 * its marker — or with an empty one, as a filesystem that never wrote the data back leaves it —
 * could not be told apart from the user's, and would stay behind.
 */
function writeMarker(dir: string, role: DirMarker['role'], extra: Partial<DirMarker> = {}): void {
  const owner = currentOwner();
  const marker = { tool: 'durabench', role, owner, createdAt: new Date().toISOString(), ...extra };
  // `pid` at the top level too, as markers always had it.
  writeFileAtomic(path.join(dir, OWNER_MARKER), JSON.stringify({ ...marker, pid: owner.pid }) + '\n');
  fsyncDir(path.dirname(dir));
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The marker of `dir`, or null when it has none (or one that is not durabench's JSON). */
export function readMarker(dir: string): DirMarker | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, OWNER_MARKER), 'utf8');
  } catch {
    return null;
  }
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (v['tool'] !== 'durabench') return null;
    // Markers written before owners were recorded carry only `pid`.
    const owner = parseOwner(v['owner']) ?? parseOwner(v);
    if (!owner) return null;
    const role = v['role'] === 'scratch' || v['lab'] === 'crash' ? 'scratch' : v['role'] === 'server' ? 'server' : 'work';
    return { tool: 'durabench', role, owner, createdAt: String(v['createdAt'] ?? ''), ...(v['kept'] === true ? { kept: true } : {}) };
  } catch {
    return null;
  }
}

/**
 * Remove a directory tree. When it fails, the error thrown is the first one that matters: Node's
 * recursive removal answers an lstat EIO with an unlink attempt and reports EISDIR instead.
 */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    try {
      fs.lstatSync(dir);
    } catch (first) {
      if ((first as NodeJS.ErrnoException).code !== 'ENOENT') throw first;
    }
    throw err;
  }
}

/** What an errno means for a directory durabench works in. */
export function describeErrno(code: string | null, fallback: string): string {
  switch (code) {
    case 'ENOENT':
      return 'is gone';
    case 'EROFS':
      return 'is read-only now';
    case 'EIO':
      return 'fails with I/O errors (EIO: the filesystem was shut down or the device failed)';
    case 'ENOTDIR':
      return 'is no longer a directory';
    case 'EACCES':
    case 'EPERM':
      return `cannot be written (${code}: permission denied)`;
    case 'ESTALE':
    case 'ENOTCONN':
      return `is no longer reachable (${code}: a network filesystem went away)`;
    default:
      return `cannot be used (${fallback})`;
  }
}

/**
 * Create a marked directory. It is recorded (the run record, workspace/registry.ts) before it is
 * created, so a SIGKILL between the mkdir and the marker leaves a directory the record vouches for.
 */
function createMarkedDir(dir: string, role: DirMarker['role']): string {
  hold({ kind: 'dir', path: dir });
  try {
    fs.mkdirSync(dir); // not recursive: the parent must exist and the name must be new
  } catch (err) {
    release({ kind: 'dir', path: dir });
    throw err;
  }
  try {
    writeMarker(dir, role);
  } catch (err) {
    // No marker, no ownership: take the empty directory back (never anything with content).
    for (const f of fs.readdirSync(dir)) if (isMarkerFile(f)) fs.rmSync(path.join(dir, f), { force: true });
    fs.rmdirSync(dir);
    release({ kind: 'dir', path: dir });
    throw err;
  }
  return dir;
}

/** The marker, or the atomic writer's temporary file for it (`..durabench-owned.tmp-<pid>`). */
export function isMarkerFile(name: string): boolean {
  return name === OWNER_MARKER || name.startsWith(`.${OWNER_MARKER}.tmp-`);
}

/** Create `<target>/durabench-<runId>` with the marker file. Fails if it already exists. */
export function createWorkDir(target: string, runId: string): string {
  return createMarkedDir(path.join(path.resolve(target), `durabench-${runId}`), 'work');
}

/** True if durabench created `dir` (its marker file is there). */
export function isOwned(dir: string): boolean {
  return fs.existsSync(path.join(dir, OWNER_MARKER));
}

/**
 * Remove a work directory, but only one that carries our marker. Returns whether it removed it.
 * When the removal fails (EIO, a read-only filesystem) the directory stays in the run record for
 * `durabench clean`, and the error is thrown.
 */
export function removeWorkDir(dir: string): boolean {
  try {
    // lstat, not exists(): an I/O error must not pass for "no marker" (the directory would be forgotten).
    fs.lstatSync(path.join(dir, OWNER_MARKER));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      release({ kind: 'dir', path: dir });
      return false;
    }
    markStuck({ kind: 'dir', path: dir }, String((err as Error).message));
    throw err;
  }
  try {
    removeTree(dir);
  } catch (err) {
    markStuck({ kind: 'dir', path: dir }, String((err as Error).message));
    throw err;
  }
  release({ kind: 'dir', path: dir });
  return true;
}

/** Keep a work directory (`--keep`): its marker says so, and it is no longer held or a leftover. */
export function keepWorkDir(dir: string): void {
  try {
    const m = readMarker(dir);
    writeMarker(dir, m?.role ?? 'work', { kept: true, ...(m ? { owner: m.owner, createdAt: m.createdAt } : {}) });
  } catch {
    // The directory is kept either way; without the mark a later clean lists it as a leftover.
  }
  release({ kind: 'dir', path: dir });
}

/**
 * Why `dir` cannot take new files right now, or null: an empty file is created and removed, so a
 * read-only filesystem, a shut-down one (EIO), a directory that vanished or a pseudo-filesystem like
 * /proc (where root passes every access(2) check) all answer with their errno.
 */
export function writeProblem(dir: string): { code: string | null; message: string } | null {
  const probe = path.join(dir, `.durabench-probe-${process.pid}-${Math.floor(Math.random() * 0xffffff).toString(16)}`);
  try {
    const fd = fs.openSync(probe, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
    fs.closeSync(fd);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { code: e.code ?? null, message: e.code ? `${e.code} creating a file there` : String(e.message) };
  }
  try {
    fs.unlinkSync(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { code: e.code ?? null, message: `${e.code ?? e.message} removing a file there` };
  }
  return null;
}

/**
 * Errors that mean the target itself is unusable (gone, read-only, failing), as opposed to full:
 * after one of them the remaining cases on the target are errored at once. ENOSPC and EDQUOT are
 * not among them: the failed case's files were removed, so the next case may well fit.
 */
const TARGET_DOWN = new Set(['ENOENT', 'ENOTDIR', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'ESTALE', 'ENXIO', 'ENODEV', 'EUCLEAN', 'ENOTCONN', 'EBADMSG']);

/** The target (or the work directory in it) can no longer be used: the reason, or null. */
export function targetDown(target: string, workDir: string | null): { code: string | null; reason: string } | null {
  for (const [dir, what] of [
    [target, `target ${target}`],
    ...(workDir ? [[workDir, `the work directory ${workDir}`]] : []),
  ] as const) {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? null;
      return { code, reason: `${what} ${describeErrno(code, code ?? String((err as Error).message))}` };
    }
    if (!st.isDirectory()) return { code: 'ENOTDIR', reason: `${what} ${describeErrno('ENOTDIR', '')}` };
  }
  const p = writeProblem(workDir ?? target);
  if (p && p.code !== null && TARGET_DOWN.has(p.code)) return { code: p.code, reason: `target ${target} ${describeErrno(p.code, p.message)}` };
  return null;
}

/**
 * "no space left …" when the filesystem holding `dir` is full right now, else null: what an errored
 * case's reason adds when the error itself did not say so (a server's log that names only "a short
 * write", a client's "connection closed"). Full means at most 1 MiB free beyond what the filesystem
 * keeps for itself and no file can use (ext4 holds back min(2 %, 4,096 clusters) for metadata); the
 * space a process running as root may use counts (root may fill the reserved blocks too).
 */
export function spaceProblem(dir: string): string | null {
  try {
    const st = fs.statfsSync(dir);
    const free = (process.getuid?.() === 0 ? st.bfree : st.bavail) * st.bsize;
    const keptBack = Math.min(0.02 * st.blocks * st.bsize, 4096 * st.bsize);
    return free <= keptBack + 1024 * 1024 ? `no space left on the target's filesystem (${Math.round(free / 1024)} KiB free when the case failed)` : null;
  } catch {
    return null;
  }
}

/** A run id that sorts by time and does not collide between concurrent runs. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .replace('T', '-');
  return `${stamp}-${process.pid}-${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
}

/** Is `p` inside a directory the lab created and marked (and named durabench)? */
export function isLabPath(p: string): boolean {
  const abs = path.resolve(p);
  let dir = path.dirname(abs);
  while (dir !== path.dirname(dir)) {
    if (path.basename(dir).startsWith('durabench-crash-') && isOwned(dir)) return true;
    dir = path.dirname(dir);
  }
  return false;
}

/** Throw unless `p` is inside a marked lab scratch directory. */
export function assertLabPath(p: string, what: string): void {
  if (!isLabPath(p)) throw new Error(`crash lab refuses to ${what} '${p}': it is not inside a scratch directory the lab created`);
}

/** Create `<parent>/durabench-crash-<id>` with the owner marker. */
export function createScratchDir(parent: string, id: string): string {
  return createMarkedDir(path.join(path.resolve(parent), `durabench-crash-${id}`), 'scratch');
}

/**
 * Create `<os temporary directory>/durabench-server-<pid>-<n>` with the owner marker: a database
 * server's logs (and its sockets when the data directory's path is too long for them). It lives off
 * the target on purpose: on a full or failed target the server could not write the very line that
 * says why it stopped.
 */
export function createServerDir(): string {
  for (;;) {
    const dir = path.join(os.tmpdir(), `durabench-server-${process.pid}-${++serverDirs}`);
    if (!fs.existsSync(dir)) return createMarkedDir(dir, 'server');
  }
}
let serverDirs = 0;

/** Remove a server directory, only if it is marked. */
export function removeServerDir(dir: string): void {
  removeMarkedDir(dir, 'durabench-server-');
}

/** Remove a scratch directory, only if it is marked and nothing of ours is still mounted in it. */
export function removeScratchDir(dir: string): void {
  removeMarkedDir(dir, 'durabench-crash-');
}

function removeMarkedDir(dir: string, prefix: string): void {
  if (!isOwned(dir) || !path.basename(dir).startsWith(prefix)) {
    release({ kind: 'dir', path: dir });
    return;
  }
  const abs = path.resolve(dir) + path.sep;
  if (fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => (unescapeMount(l.split(' ')[1] ?? '') + path.sep).startsWith(abs))) {
    const problem = `crash lab: '${dir}' still has a mount inside; not removing it`;
    markStuck({ kind: 'dir', path: dir }, problem);
    throw new Error(problem);
  }
  try {
    removeTree(dir);
  } catch (err) {
    markStuck({ kind: 'dir', path: dir }, String((err as Error).message));
    throw err;
  }
  release({ kind: 'dir', path: dir });
}

/** /proc/mounts escapes spaces and friends as octal. */
export function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

