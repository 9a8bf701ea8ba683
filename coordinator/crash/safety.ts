/**
 * The crash lab's safety rules (DESIGN §4, §7):
 * - it works only inside a scratch directory it created and marked (`.durabench-owned`, the same
 *   marker as the run's work directories), named `durabench-crash-...`;
 * - it formats, mounts and deletes only image files and mount points inside such a directory;
 * - it remembers every mount and loop device it created, and releases them all — in reverse order —
 *   on success, on error, on SIGINT/SIGTERM and, as a last resort, on process exit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isOwned, OWNER_MARKER } from '../workdir.js';
import { run } from './exec.js';

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
  return dir;
}

/** Remove a scratch directory, only if it is marked and nothing of ours is still mounted in it. */
export function removeScratchDir(dir: string): void {
  if (!isOwned(dir) || !path.basename(dir).startsWith('durabench-crash-')) return;
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

export type Resource = { kind: 'mount'; path: string } | { kind: 'loop'; device: string } | { kind: 'process'; pid: number };

/** Every mount and loop device the lab holds right now, newest last. */
const held: Resource[] = [];
let handlersInstalled = false;

/** Remember a resource so that cleanup releases it. */
export function hold(r: Resource): void {
  held.push(r);
  installHandlers();
}

/** Forget a resource that was released normally. */
export function release(r: Resource): void {
  const i = held.findIndex((h) => JSON.stringify(h) === JSON.stringify(r));
  if (i >= 0) held.splice(i, 1);
}

/** How many resources are held (tests, reports). */
export function heldCount(): number {
  return held.length;
}

/** Unmount and detach everything held, newest first. Synchronous (usable from an exit handler). Returns problems. */
export function releaseAll(): string[] {
  const problems: string[] = [];
  while (held.length > 0) {
    const r = held.pop()!;
    try {
      if (r.kind === 'process') {
        // A writer child (possibly stopped at a crash point) must not outlive the lab: it holds files in our mounts.
        try {
          process.kill(r.pid, 'SIGKILL');
          waitGone(r.pid);
        } catch {
          // already gone
        }
      } else if (r.kind === 'mount') run('umount', [r.path]);
      else run('losetup', ['-d', r.device]);
    } catch (err) {
      if (r.kind === 'mount') {
        // Something still uses it (a writer child about to die): detach lazily rather than leave it.
        try {
          run('umount', ['-l', r.path]);
          continue;
        } catch {
          // fall through to report
        }
      }
      problems.push((err as Error).message);
    }
  }
  return problems;
}

/** Wait (briefly, synchronously) until a killed process is gone, so its open files no longer pin a mount. */
function waitGone(pid: number): void {
  for (let i = 0; i < 200; i++) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return;
    } catch {
      return;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    releaseAll();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      // A command with its own handler stops the lab gracefully (the trial's finally releases
      // everything, the exit handler is the last resort); without one, release now and end.
      if (process.listenerCount(sig) > 1) return;
      releaseAll();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}
