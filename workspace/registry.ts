/**
 * What durabench holds right now — marked directories, mounts, loop devices, child processes,
 * tracing instances, the report directory it writes into — so that every one is released, newest
 * first, on success, on error, on a second SIGINT/SIGTERM (the CLI's handler calls `releaseAll`) and,
 * as a last resort, on process exit.
 *
 * What no handler can release — after a SIGKILL, an OOM kill or a power loss of the host — must be
 * found later. So the registry also keeps a run record on disk (`<state dir>/runs/<pid>-<start>.json`,
 * written atomically and fsynced on every change): the owner (pid, start time, boot id) and every
 * resource held, plus every resource whose release failed. The record is deleted once nothing is
 * held and nothing failed; a record whose owner is dead lists leftovers (workspace/leftovers.ts,
 * `durabench clean`). Losing the record loses nothing essential: every directory carries its marker
 * and every mount and loop device lies inside a marked directory, so scans find them too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic-file.js';
import { run } from './exec.js';
import { currentOwner, processGroupMembers, processStartTicks, processState, type Owner } from './owner.js';
import { killServerTree, waitGoneSync } from './server-process.js';

export type Resource =
  | { kind: 'dir'; path: string }
  | { kind: 'mount'; path: string }
  /** `backingFile` is filled in when held (from sysfs): a cleaner detaches only a device still backed by it. */
  | { kind: 'loop'; device: string; backingFile?: string }
  /**
   * `startTicks` is filled in when held: a cleaner kills only the same process, never a reused pid.
   * `group`: the child was spawned detached, so it leads its own process group, and releasing it
   * kills the whole group — what it started too, such as strace's tracee, which durabench learns of
   * only once the tracee says hello, and which strace's death would otherwise leave running.
   */
  | { kind: 'process'; pid: number; startTicks?: number | null; group?: boolean }
  /** The directory reports are written to: nothing to remove, but a SIGKILL may leave a temporary file there. */
  | { kind: 'output'; dir: string }
  /** A database server's process group leader (workspace/server-process.ts): its group and every descendant are killed. */
  | { kind: 'server'; pid: number }
  /** A tracing instance directory on a tracefs the lab mounted (removed with rmdir). */
  | { kind: 'trace-instance'; path: string };

/** The marker file every directory durabench creates carries. */
export const OWNER_MARKER = '.durabench-owned';

/** A resource whose release failed: it stays in the run record for `durabench clean`. */
export interface StuckResource {
  readonly resource: Resource;
  readonly problem: string;
}

/** What a run record holds (the JSON file). */
export interface RunRecord {
  readonly tool: 'durabench';
  readonly record: 'run';
  readonly owner: Owner;
  /** The command line, for people reading `durabench clean`'s list. */
  readonly command: string;
  readonly startedAt: string;
  readonly resources: readonly Resource[];
  readonly stuck: readonly StuckResource[];
}

/** Everything held right now, newest last. */
const held: Resource[] = [];
/** Resources whose release failed. */
const stuck: StuckResource[] = [];
let handlersInstalled = false;
const startedAt = new Date().toISOString();

/**
 * Where run records live: `$DURABENCH_STATE_DIR`, else `$XDG_STATE_HOME/durabench`, else
 * `~/.local/state/durabench` (the XDG base directory spec's place for state that should survive a
 * reboot, which a power loss of the host is).
 */
export function stateDir(): string {
  const env = process.env['DURABENCH_STATE_DIR'];
  if (env) return path.resolve(env);
  const xdg = process.env['XDG_STATE_HOME'];
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'durabench');
  return path.join(os.homedir(), '.local', 'state', 'durabench');
}

/** The directory of run records. */
export function recordsDir(): string {
  return path.join(stateDir(), 'runs');
}

function recordFile(): string {
  const me = currentOwner();
  return path.join(recordsDir(), `${me.pid}-${me.startTicks ?? 0}.json`);
}

/** Same resource? (Identity only: the extra facts filled in by `hold` do not count.) */
function same(a: Resource, b: Resource): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'dir':
    case 'mount':
    case 'trace-instance':
      return a.path === (b as { path: string }).path;
    case 'loop':
      return a.device === (b as { device: string }).device;
    case 'process':
    case 'server':
      return a.pid === (b as { pid: number }).pid;
    case 'output':
      return a.dir === (b as { dir: string }).dir;
  }
}

function withFacts(r: Resource): Resource {
  if (r.kind === 'process' && r.startTicks === undefined) return { ...r, startTicks: processStartTicks(r.pid) };
  if (r.kind === 'loop' && r.backingFile === undefined) {
    try {
      const f = fs.readFileSync(`/sys/block/${path.basename(r.device)}/loop/backing_file`, 'utf8').trim();
      return { ...r, backingFile: f.replace(/ \(deleted\)$/, '') };
    } catch {
      return r;
    }
  }
  return r;
}

let recordBroken = false;
/**
 * Rewrite the run record (or delete it when nothing is held and nothing is stuck). Never throws: a
 * state directory that cannot be written (a read-only home) only loses the record, not the run.
 */
function persist(): void {
  if (recordBroken) return;
  const file = recordFile();
  try {
    if (held.length === 0 && stuck.length === 0) {
      fs.rmSync(file, { force: true });
      return;
    }
    const rec: RunRecord = {
      tool: 'durabench',
      record: 'run',
      owner: currentOwner(),
      command: ['durabench', ...process.argv.slice(2)].join(' '),
      startedAt,
      resources: [...held],
      stuck: [...stuck],
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify(rec) + '\n');
  } catch {
    recordBroken = true;
  }
}

/** Remember a resource so that cleanup releases it (and a later `durabench clean` finds it). */
export function hold(r: Resource): void {
  held.push(withFacts(r));
  installHandlers();
  persist();
}

/** Forget a resource that was released normally. */
export function release(r: Resource): void {
  const i = held.findIndex((h) => same(h, r));
  if (i >= 0) {
    held.splice(i, 1);
    persist();
  }
}

/**
 * A resource could not be released (EIO removing a directory, a busy mount): forget it as held but
 * keep it in the run record, so the next command reports it and `durabench clean` removes it.
 */
export function markStuck(r: Resource, problem: string): void {
  const i = held.findIndex((h) => same(h, r));
  const full = i >= 0 ? held.splice(i, 1)[0]! : withFacts(r);
  if (!stuck.some((s) => same(s.resource, full))) stuck.push({ resource: full, problem });
  installHandlers();
  persist();
}

/** How many resources are held (tests, reports). */
export function heldCount(): number {
  return held.length;
}

/** Resources whose release failed in this process (tests, reports). */
export function stuckResources(): readonly StuckResource[] {
  return stuck;
}

/** A mark of what is held now: `releaseSince(mark)` releases only what was taken after it. */
export function holdMark(): number {
  return held.length;
}

/** Release everything held, newest first. Synchronous (usable from an exit handler). Returns problems. */
export function releaseAll(): string[] {
  return releaseSince(0);
}

/** Release one resource now. Throws what went wrong. */
export function releaseNow(r: Resource): void {
  if (r.kind === 'dir') {
    // Only a directory that still carries our marker.
    if (fs.existsSync(path.join(r.path, OWNER_MARKER))) fs.rmSync(r.path, { recursive: true, force: true });
  } else if (r.kind === 'process') {
    // A writer child (possibly stopped at a crash point) must not outlive the lab: it holds files in our mounts.
    if (r.group) {
      releaseGroup(r);
      return;
    }
    if (r.startTicks !== undefined && r.startTicks !== null && processStartTicks(r.pid) !== r.startTicks) return;
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      return; // already gone
    }
    waitGone(r.pid);
  } else if (r.kind === 'mount') {
    try {
      run('umount', [r.path]);
    } catch (err) {
      // Something still uses it (a writer child about to die): detach lazily rather than leave it.
      try {
        run('umount', ['-l', r.path]);
      } catch {
        throw err;
      }
    }
  } else if (r.kind === 'server') {
    // Its data may live on one of our mounts: the whole tree must be gone before they are released.
    waitGoneSync(killServerTree(r.pid));
  } else if (r.kind === 'trace-instance') fs.rmdirSync(r.path);
  else if (r.kind === 'loop') run('losetup', ['-d', r.device]);
  // 'output': nothing to remove (the reports are the user's).
}

/** Release what was taken after `mark`, newest first; returns problems (each also kept in the run record). */
export function releaseSince(mark: number): string[] {
  const problems: string[] = [];
  while (held.length > Math.max(0, mark)) {
    const r = held.pop()!;
    try {
      releaseNow(r);
    } catch (err) {
      const problem = String((err as Error)?.message ?? err);
      problems.push(problem);
      stuck.push({ resource: r, problem });
    }
  }
  persist();
  return problems;
}

/**
 * SIGKILL the process group a held child leads and wait until no member is left. One kill(2) of the
 * group reaches every member at once: killing only the leader is not enough under strace, whose
 * tracee is detached (not killed: strace sets no PTRACE_O_EXITKILL) when strace dies, and, having no
 * parent-death signal of its own (fork clears it, prctl(2)), runs on re-parented to init until its
 * own parent watch notices. The group id is the leader's pid, which the kernel does not hand out
 * again while any member still uses it as its group: with the leader gone, members left in the
 * group are still ours; a leader pid alive with another start time means the group is long gone.
 */
function releaseGroup(r: Extract<Resource, { kind: 'process' }>): void {
  const ticks = processStartTicks(r.pid);
  if (ticks !== null && r.startTicks !== undefined && r.startTicks !== null && ticks !== r.startTicks) return;
  try {
    process.kill(-r.pid, 'SIGKILL');
  } catch {
    return; // no member left
  }
  for (let i = 0; i < 200 && processGroupMembers(r.pid).length > 0; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
}

/** Wait (briefly, synchronously) until a killed process is gone, so its open files no longer pin a mount. */
export function waitGone(pid: number): void {
  for (let i = 0; i < 200; i++) {
    const state = processState(pid);
    if (state === null || state === 'Z' || state === 'X') return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    releaseAll();
  });
}
