/**
 * Directories durabench owns: in every target it works only inside a fresh subdirectory it creates
 * (`durabench-<run id>` for runs and probes, `durabench-crash-<id>` for the crash lab's scratch
 * space), marked with a marker file, and it formats, mounts and deletes only what lies inside such
 * a directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hold, OWNER_MARKER, release } from './registry.js';

export { OWNER_MARKER } from './registry.js';

/** Create `<target>/durabench-<runId>` with the marker file. Fails if it already exists. */
export function createWorkDir(target: string, runId: string): string {
  const dir = path.join(path.resolve(target), `durabench-${runId}`);
  fs.mkdirSync(dir); // not recursive: the target must exist and the name must be new
  fs.writeFileSync(
    path.join(dir, OWNER_MARKER),
    JSON.stringify({ tool: 'durabench', pid: process.pid, createdAt: new Date().toISOString() }) + '\n',
  );
  hold({ kind: 'dir', path: dir });
  return dir;
}

/** True if durabench created `dir` (its marker file is there). */
export function isOwned(dir: string): boolean {
  return fs.existsSync(path.join(dir, OWNER_MARKER));
}

/** Remove a work directory, but only one that carries our marker. Returns whether it removed it. */
export function removeWorkDir(dir: string): boolean {
  release({ kind: 'dir', path: dir });
  if (!isOwned(dir)) return false;
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
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
  const dir = path.join(path.resolve(parent), `durabench-crash-${id}`);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, OWNER_MARKER), JSON.stringify({ tool: 'durabench', lab: 'crash', pid: process.pid, createdAt: new Date().toISOString() }) + '\n');
  hold({ kind: 'dir', path: dir });
  return dir;
}

/** Remove a scratch directory, only if it is marked and nothing of ours is still mounted in it. */
export function removeScratchDir(dir: string): void {
  if (!isOwned(dir) || !path.basename(dir).startsWith('durabench-crash-')) return;
  release({ kind: 'dir', path: dir });
  const abs = path.resolve(dir) + path.sep;
  if (fs.readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => (unescapeMount(l.split(' ')[1] ?? '') + path.sep).startsWith(abs))) {
    throw new Error(`crash lab: '${dir}' still has a mount inside; not removing it`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** /proc/mounts escapes spaces and friends as octal. */
export function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

