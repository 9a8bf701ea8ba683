/**
 * Leftovers of dead runs: what a durabench process created and could not remove because it was
 * killed (SIGKILL, the OOM killer), the host lost power, or a removal failed (EIO). Found three ways,
 * so that losing one source loses nothing:
 *
 * 1. run records (workspace/registry.ts) whose owner is dead: every resource they list;
 * 2. marked directories (`durabench-*` with `.durabench-owned`) in the directories scanned, whose
 *    marker names a dead owner;
 * 3. the kernel's own lists: mounts (/proc/self/mountinfo) and loop devices
 *    (/sys/block/loop*\/loop/backing_file) that lie inside such a dead-owned marked directory —
 *    and loop devices stacked on one of those (the crash lab's drive: the inner device's backing
 *    file is the outer device, which alone names the image) —, tracing instances the crash lab made
 *    on a tracefs (they outlive the mount: tracefs instances are the kernel's, not the mount's),
 *    and crash-lab writer children (/proc/*\/cmdline) working inside one.
 *
 * Only what carries a marker — or lies inside a marked directory — is ever listed, and only when its
 * owner is dead: a live run's directories are never touched. Removal goes processes → tracing
 * instances → mounts (deepest first) → loop devices (stacked ones first) → the mounts their images
 * lie on (the lab's tmpfs) → directories → temporary files → records, each step checked again
 * just before it acts (a loop device is detached only while it is still backed by the recorded
 * file, a process killed only while it has the recorded start time, a directory removed only while
 * it has its marker and no mount inside).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './exec.js';
import { isAlive, parseOwner, processStartTicks, processState, type Owner } from './owner.js';
import { OWNER_MARKER, recordsDir, waitGone, type Resource, type RunRecord } from './registry.js';
import { orphanServers, stopOrphanServer, type OrphanServer } from './server-process.js';
import { isMarkerFile, readMarker, removeTree, unescapeMount, type DirMarker } from './workdir.js';

/**
 * A directory a dead run's record lists, without a readable marker, is still ours when its marker
 * file is there (empty or torn: a power loss before it reached the disk) or when it holds nothing
 * but the marker's temporary file (killed between the mkdir and the rename of the marker).
 */
function recordVouches(dir: string): boolean {
  try {
    const names = fs.readdirSync(dir);
    return names.includes(OWNER_MARKER) || names.every(isMarkerFile);
  } catch {
    return false;
  }
}

/** A marked directory's role by its name (for one whose marker could not be read). */
function roleByName(dir: string): DirMarker['role'] {
  const name = path.basename(dir);
  return name.startsWith('durabench-crash-') ? 'scratch' : name.startsWith('durabench-server-') ? 'server' : 'work';
}

/** Who left a leftover (for the list): the dead process and, when a record says, its command. */
export interface DeadRun {
  readonly owner: Owner;
  readonly command: string | null;
  readonly startedAt: string | null;
}

export type Leftover =
  | { readonly kind: 'process'; readonly pid: number; readonly startTicks: number | null; readonly what: string; readonly run: DeadRun }
  /** A database server a dead run started (found by its record in the run's work directory): its whole process tree is stopped. */
  | { readonly kind: 'server'; readonly pid: number; readonly program: string; readonly orphan: OrphanServer; readonly run: DeadRun }
  | { readonly kind: 'mount'; readonly path: string; readonly run: DeadRun }
  /** A tracing instance directory (`<tracefs>/instances/durabench-<pid>-…`), removed with rmdir. */
  | { readonly kind: 'trace-instance'; readonly path: string; readonly run: DeadRun }
  | { readonly kind: 'loop'; readonly device: string; readonly backingFile: string; readonly run: DeadRun }
  /** `unreadableMarker`: its marker file is there but empty or torn (a power loss before it reached the disk); a dead run's record vouches for it. */
  | { readonly kind: 'dir'; readonly path: string; readonly role: DirMarker['role']; readonly run: DeadRun; readonly unreadableMarker?: boolean }
  | { readonly kind: 'temp-file'; readonly path: string; readonly run: DeadRun }
  | { readonly kind: 'record'; readonly path: string; readonly run: DeadRun };

export interface LeftoverScan {
  readonly leftovers: Leftover[];
  /** Marked directories kept on purpose (`--keep`): listed, removed only when asked. */
  readonly kept: { path: string; run: DeadRun }[];
  /** Marked directories of runs still alive (never touched). */
  readonly live: string[];
}

export interface ScanScope {
  /** Directories whose `durabench-*` children are scanned. */
  readonly dirs: readonly string[];
  /**
   * true: every dead run record and every mount, loop device and writer child on the machine that
   * lies inside a dead-owned marked directory. false: only what lies inside `dirs` (and the records
   * of runs that worked there).
   */
  readonly global: boolean;
}

/** Where systems mount tracefs themselves (the lab mounts its own in its scratch directory). */
const SYSTEM_TRACEFS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Dead run records: file, record. */
function deadRecords(): { file: string; record: RunRecord }[] {
  const dir = recordsDir();
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: { file: string; record: RunRecord }[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    const v = readJson(file) as Partial<RunRecord> | null;
    const owner = parseOwner(v?.owner);
    if (!v || v.tool !== 'durabench' || v.record !== 'run' || !owner) continue;
    if (isAlive(owner)) continue;
    out.push({ file, record: { ...(v as RunRecord), owner, resources: Array.isArray(v.resources) ? v.resources : [], stuck: Array.isArray(v.stuck) ? v.stuck : [] } });
  }
  return out;
}

/** The nearest directory at or above `p` that carries a durabench marker with an owner. */
function markedAncestor(p: string): { dir: string; marker: DirMarker } | null {
  for (let dir = path.resolve(p); ; dir = path.dirname(dir)) {
    if (path.basename(dir).startsWith('durabench-')) {
      const marker = readMarker(dir);
      if (marker) return { dir, marker };
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** Every mount point, from mountinfo (field 5, octal-escaped). */
export function mountPoints(mountinfo = safeRead('/proc/self/mountinfo')): string[] {
  return mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && m !== '')
    .map(unescapeMount);
}

/** Mount points of tracefs (the filesystem type follows the ` - ` separator in mountinfo). */
function tracefsMountPoints(mountinfo = safeRead('/proc/self/mountinfo')): string[] {
  return mountinfo
    .split('\n')
    .filter((l) => l.split(' - ')[1]?.startsWith('tracefs '))
    .map((l) => unescapeMount(l.split(' ')[4] ?? ''))
    .filter((m) => m !== '');
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Attached loop devices and their backing files (without the " (deleted)" suffix). */
export function loopDevices(): { device: string; backingFile: string; deleted: boolean }[] {
  let names: string[];
  try {
    names = fs.readdirSync('/sys/block').filter((n) => /^loop\d+$/.test(n));
  } catch {
    return [];
  }
  const out: { device: string; backingFile: string; deleted: boolean }[] = [];
  for (const n of names) {
    const raw = safeRead(`/sys/block/${n}/loop/backing_file`).trim();
    if (raw === '') continue;
    const deleted = raw.endsWith(' (deleted)');
    out.push({ device: `/dev/${n}`, backingFile: deleted ? raw.slice(0, -' (deleted)'.length) : raw, deleted });
  }
  return out;
}

/** Crash-lab writer children: pid and the engine directory from their configuration argument. */
function labChildren(): { pid: number; dir: string }[] {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const out: { pid: number; dir: string }[] = [];
  for (const p of pids) {
    const args = safeRead(`/proc/${p}/cmdline`).split('\0');
    // The crash lab's writer (its JSON configuration names the engine directory) and the case child (`--work-dir DIR`).
    const lab = args.findIndex((a) => /[/\\]lab[/\\]child\.(js|ts)$/.test(a));
    const caseChild = args.findIndex((a) => /[/\\]coordinator[/\\]case-child\.(js|ts)$/.test(a));
    const dir = lab >= 0 ? readConfigDir(args[lab + 1]) : caseChild >= 0 && args[caseChild + 1] === '--work-dir' ? (args[caseChild + 2] ?? null) : null;
    if (dir) out.push({ pid: Number(p), dir });
  }
  return out;
}

function readConfigDir(arg: string | undefined): string | null {
  try {
    const dir = (JSON.parse(arg ?? '') as { instance?: { dir?: unknown } }).instance?.dir;
    return typeof dir === 'string' ? dir : null;
  } catch {
    return null;
  }
}

function runOf(marker: DirMarker, records: readonly { record: RunRecord }[]): DeadRun {
  const rec = records.find((r) => r.record.owner.pid === marker.owner.pid && (r.record.owner.startTicks === marker.owner.startTicks || marker.owner.startTicks === null));
  return { owner: marker.owner, command: rec?.record.command ?? null, startedAt: rec?.record.startedAt ?? (marker.createdAt || null) };
}

/** What is left of dead runs in `scope`. Reads only; never throws. */
export function findLeftovers(scope: ScanScope): LeftoverScan {
  // A machine-wide scan also looks in the temporary directory: database servers' log directories live there.
  const dirs = [...new Set([...scope.dirs, ...(scope.global ? [os.tmpdir()] : [])].map((d) => path.resolve(d)))];
  const inScope = (p: string): boolean => scope.global || dirs.some((d) => within(p, d));
  const records = deadRecords();
  const leftovers: Leftover[] = [];
  const kept: { path: string; run: DeadRun }[] = [];
  const live: string[] = [];
  const seen = new Set<string>();
  const add = (l: Leftover): void => {
    const id = `${l.kind}:${'path' in l ? l.path : 'device' in l ? l.device : l.pid}`;
    if (seen.has(id)) return;
    seen.add(id);
    leftovers.push(l);
  };

  /** Marked directories whose owner is dead: where every other leftover must lie. */
  const deadDirs = new Map<string, { marker: DirMarker; run: DeadRun; unreadable: boolean }>();
  /** `recordedBy`: a dead run's record lists this directory as its own. */
  const consider = (dir: string, recordedBy?: DeadRun): void => {
    if (deadDirs.has(dir) || live.includes(dir) || kept.some((k) => k.path === dir)) return;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      return;
    }
    if (!st.isDirectory()) return;
    const marker = readMarker(dir);
    if (!marker) {
      // No readable marker, but a dead run's record says it created this directory: killed between
      // the mkdir and the marker, or the marker never reached the disk (a power loss).
      if (recordedBy && path.basename(dir).startsWith('durabench-') && recordVouches(dir)) {
        deadDirs.set(dir, { marker: { tool: 'durabench', role: roleByName(dir), owner: recordedBy.owner, createdAt: '' }, run: recordedBy, unreadable: true });
      }
      return;
    }
    if (isAlive(marker.owner)) {
      live.push(dir);
      return;
    }
    const r = runOf(marker, records);
    if (marker.kept) kept.push({ path: dir, run: r });
    else deadDirs.set(dir, { marker, run: r, unreadable: false });
  };

  const nobody: DeadRun = { owner: { pid: 0, startTicks: null, bootId: null }, command: null, startedAt: null };
  /** A temporary file named after its writer's pid (`.x.tmp-<pid>`, `.durabench-probe-<pid>-…`): a leftover once that pid is gone. */
  const tempOfDeadPid = (dir: string, name: string, pattern: RegExp, run?: DeadRun): void => {
    const m = pattern.exec(name);
    if (!m) return;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive({ pid, startTicks: null, bootId: null })) return;
    add({ kind: 'temp-file', path: path.join(dir, name), run: run ?? { ...nobody, owner: { pid, startTicks: null, bootId: null } } });
  };
  for (const d of dirs) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(d);
    } catch {
      names = [];
    }
    for (const n of names) {
      if (n.startsWith('durabench-')) consider(path.join(d, n));
      else tempOfDeadPid(d, n, /^\.durabench-probe-(\d+)-[0-9a-f]+$/);
    }
  }
  // The run records' own temporary files (a SIGKILL while a record was being rewritten).
  try {
    for (const n of fs.readdirSync(recordsDir())) tempOfDeadPid(recordsDir(), n, /^\..+\.json\.tmp-(\d+)$/);
  } catch {
    // no records directory
  }
  const recordRun = (rec: RunRecord): DeadRun => ({ owner: rec.owner, command: rec.command ?? null, startedAt: rec.startedAt ?? null });
  for (const { record } of records) {
    const all = [...record.resources, ...record.stuck.map((s) => s.resource)];
    // A database server's log directory lies in the temporary directory, outside every target: it
    // goes with the run that worked in scope (its record is removed with the rest, so nothing else would name it).
    const related = all.some((x) => (x.kind === 'dir' || x.kind === 'mount') && inScope(x.path));
    for (const r of all) {
      if (r.kind === 'dir' && (inScope(r.path) || (related && roleByName(r.path) === 'server' && path.dirname(r.path) === path.resolve(os.tmpdir())))) consider(r.path, recordRun(record));
    }
  }

  // Processes first (they pin mounts), then mounts, loops, directories.
  /** Still running as the same process (a zombie waiting for its new parent to reap it is gone). */
  const killable = (pid: number, startTicks: number | null): boolean => {
    const now = processStartTicks(pid);
    const state = processState(pid);
    return now !== null && state !== 'Z' && state !== 'X' && (startTicks === null || now === startTicks);
  };
  for (const { record } of records) {
    for (const r of [...record.resources, ...record.stuck.map((s) => s.resource)]) {
      if (r.kind !== 'process') continue;
      const startTicks = r.startTicks ?? null;
      // Only a recorded child that is still the same process, and only when the record is in scope.
      const related = record.resources.concat(record.stuck.map((s) => s.resource)).some((x) => (x.kind === 'dir' || x.kind === 'mount') && inScope(x.path));
      if (related && startTicks !== null && killable(r.pid, startTicks)) add({ kind: 'process', pid: r.pid, startTicks, what: 'child process', run: recordRun(record) });
    }
  }
  if (scope.global || dirs.length > 0) {
    for (const c of labChildren()) {
      if (!killable(c.pid, null)) continue;
      const anc = markedAncestor(c.dir);
      if (!anc || isAlive(anc.marker.owner) || !inScope(anc.dir)) continue;
      add({ kind: 'process', pid: c.pid, startTicks: processStartTicks(c.pid), what: anc.marker.role === 'scratch' ? 'crash-lab writer child' : 'case child', run: runOf(anc.marker, records) });
    }
  }
  for (const m of mountPoints()) {
    if (!inScope(m)) continue;
    const anc = markedAncestor(path.dirname(m));
    if (!anc || isAlive(anc.marker.owner)) continue;
    add({ kind: 'mount', path: m, run: runOf(anc.marker, records) });
    consider(anc.dir);
  }
  const recordedLoops = records.flatMap(({ record }) =>
    [...record.resources, ...record.stuck.map((s) => s.resource)].filter((r): r is Extract<Resource, { kind: 'loop' }> => r.kind === 'loop').map((r) => ({ r, run: recordRun(record) })),
  );
  for (const l of loopDevices()) {
    if (!inScope(l.backingFile)) continue;
    const anc = markedAncestor(path.dirname(l.backingFile));
    if (anc && !isAlive(anc.marker.owner)) {
      add({ kind: 'loop', device: l.device, backingFile: l.backingFile, run: runOf(anc.marker, records) });
      consider(anc.dir);
      continue;
    }
    // Its directory is gone already (the image was deleted while attached): the record says whose it was.
    const rec = recordedLoops.find((x) => x.r.device === l.device && x.r.backingFile === l.backingFile);
    if (!anc && rec) add({ kind: 'loop', device: l.device, backingFile: l.backingFile, run: rec.run });
  }
  // Loop devices stacked on a leftover loop device (the lab's drive-cache model): the inner device
  // names only the outer one, so it is found through it.
  const loops = loopDevices();
  for (let grew = true; grew; ) {
    grew = false;
    for (const l of loops) {
      if (seen.has(`loop:${l.device}`)) continue;
      const outer = leftovers.find((x): x is Extract<Leftover, { kind: 'loop' }> => x.kind === 'loop' && x.device === l.backingFile);
      if (!outer) continue;
      add({ kind: 'loop', device: l.device, backingFile: l.backingFile, run: outer.run });
      grew = true;
    }
  }
  // Tracing instances: the ones dead runs recorded, the ones on a tracefs mounted in a dead-owned
  // directory, and — the mount gone, the instance not — those named after a dead run's pid on the
  // system's tracefs.
  for (const { record } of records) {
    for (const r of [...record.resources, ...record.stuck.map((s) => s.resource)]) {
      if (r.kind === 'trace-instance' && (scope.global || inScope(r.path)) && fs.existsSync(r.path)) add({ kind: 'trace-instance', path: r.path, run: recordRun(record) });
    }
  }
  const deadPids = new Map<number, DeadRun>();
  for (const l of leftovers) if (l.run.owner.pid > 0) deadPids.set(l.run.owner.pid, l.run);
  for (const [, d] of deadDirs) deadPids.set(d.run.owner.pid, d.run);
  const tracefsMounts = tracefsMountPoints().filter((m) => leftovers.some((l) => l.kind === 'mount' && l.path === m) || SYSTEM_TRACEFS.includes(m));
  for (const m of tracefsMounts) {
    const system = SYSTEM_TRACEFS.includes(m);
    let names: string[] = [];
    try {
      names = fs.readdirSync(path.join(m, 'instances'));
    } catch {
      continue;
    }
    for (const n of names) {
      const pid = /^durabench-(\d+)-/.exec(n)?.[1];
      if (pid === undefined) continue;
      const owner = deadPids.get(Number(pid));
      // Instances are the kernel's, not the mount's: every tracefs mount shows every run's, so a dead
      // run's mount shows a live run's too. Only an instance whose own run is dead is a leftover.
      const dead = owner !== undefined || (Number(pid) !== process.pid && !isAlive({ pid: Number(pid), startTicks: null, bootId: null }));
      if (!dead || (system && !owner && !scope.global)) continue;
      const run = owner ?? leftovers.find((l) => l.kind === 'mount' && l.path === m)?.run ?? { ...nobody, owner: { pid: Number(pid), startTicks: null, bootId: null } };
      const p = path.join(m, 'instances', n);
      if (!leftovers.some((l) => l.kind === 'trace-instance' && path.basename(l.path) === n)) add({ kind: 'trace-instance', path: p, run });
    }
  }
  // Database servers a dead run started keep running on their own (their own process group): found by their records.
  for (const [dir, d] of deadDirs) for (const o of orphanServers(dir)) add({ kind: 'server', pid: o.record.pid, program: o.record.program, orphan: o, run: d.run });
  for (const [dir, d] of deadDirs) add({ kind: 'dir', path: dir, role: d.marker.role, run: d.run, ...(d.unreadable ? { unreadableMarker: true } : {}) });
  // Temporary files of the atomic writer in report directories (`.<name>.tmp-<pid>`).
  for (const { record } of records) {
    for (const r of record.resources) {
      if (r.kind !== 'output' || !inScope(r.dir)) continue;
      let names: string[] = [];
      try {
        names = fs.readdirSync(r.dir);
      } catch {
        names = [];
      }
      for (const n of names) if (n.startsWith('.') && n.endsWith(`.tmp-${record.owner.pid}`)) add({ kind: 'temp-file', path: path.join(r.dir, n), run: recordRun(record) });
    }
  }
  for (const { file, record } of records) {
    const paths = [...record.resources, ...record.stuck.map((s) => s.resource)].map((r) => ('path' in r ? r.path : 'dir' in r ? r.dir : 'backingFile' in r ? r.backingFile ?? '' : ''));
    if (scope.global || paths.some((p) => p !== '' && inScope(p)) || paths.every((p) => p === '')) add({ kind: 'record', path: file, run: recordRun(record) });
  }
  return { leftovers, kept, live };
}

/** One line per leftover, for lists. */
export function describeLeftover(l: Leftover): string {
  switch (l.kind) {
    case 'process':
      return `process ${l.pid} (${l.what})`;
    case 'server':
      return `database server ${l.pid} (${path.basename(l.program)})`;
    case 'mount':
      return `mount ${l.path}`;
    case 'trace-instance':
      return `tracing instance ${l.path}`;
    case 'loop':
      return `loop device ${l.device} (${l.backingFile})`;
    case 'dir':
      return `${l.role === 'scratch' ? 'crash-lab scratch directory' : l.role === 'server' ? 'database server log directory' : 'work directory'} ${l.path}`;
    case 'temp-file':
      return `temporary file ${l.path}`;
    case 'record':
      return `run record ${l.path}`;
  }
}

/** `2 directories, 1 mount, 1 loop device` (records and temporary files are not worth a mention). */
export function summarizeLeftovers(ls: readonly Leftover[]): string {
  const n = (kind: Leftover['kind']): number => ls.filter((l) => l.kind === kind).length;
  const parts: [number, string, string][] = [
    [n('dir'), 'directory', 'directories'],
    [n('mount'), 'mount', 'mounts'],
    [n('loop'), 'loop device', 'loop devices'],
    [n('process'), 'process', 'processes'],
    [n('server'), 'database server', 'database servers'],
    [n('trace-instance'), 'tracing instance', 'tracing instances'],
    [n('temp-file'), 'temporary file', 'temporary files'],
  ];
  return parts
    .filter(([c]) => c > 0)
    .map(([c, one, many]) => `${c} ${c === 1 ? one : many}`)
    .join(', ');
}

/** The dead runs the leftovers belong to. */
export function deadRunsOf(ls: readonly Leftover[]): DeadRun[] {
  const m = new Map<string, DeadRun>();
  for (const l of ls) m.set(`${l.run.owner.pid}-${l.run.owner.startTicks ?? ''}`, l.run);
  return [...m.values()];
}

export type Removal = { readonly leftover: Leftover; readonly state: 'removed' } | { readonly leftover: Leftover; readonly state: 'failed'; readonly problem: string };

const ORDER: Leftover['kind'][] = ['server', 'process', 'trace-instance', 'mount', 'loop', 'dir', 'temp-file', 'record'];

/** How deep a loop device is stacked on other leftover loop devices (0: on a file). */
function stackDepth(l: Extract<Leftover, { kind: 'loop' }>, all: readonly Leftover[], seen = new Set<string>()): number {
  if (seen.has(l.device)) return 0;
  seen.add(l.device);
  const outer = all.find((x): x is Extract<Leftover, { kind: 'loop' }> => x.kind === 'loop' && x.device === l.backingFile);
  return outer ? 1 + stackDepth(outer, all, seen) : 0;
}

/** Remove leftovers in a safe order, re-checking each just before acting. */
export function removeLeftovers(ls: readonly Leftover[]): Removal[] {
  // A mount that holds a loop device's backing file (the lab's tmpfs under its drive) goes after the loop devices.
  const holdsLoop = (l: Leftover): boolean => l.kind === 'mount' && ls.some((x) => x.kind === 'loop' && within(x.backingFile, l.path));
  const rank = (l: Leftover): number => (holdsLoop(l) ? ORDER.indexOf('loop') + 0.5 : ORDER.indexOf(l.kind));
  const sorted = [...ls].sort((a, b) => {
    const k = rank(a) - rank(b);
    if (k !== 0) return k;
    // Deepest mounts first (a mount inside another); a loop device stacked on another before it.
    if (a.kind === 'mount' && b.kind === 'mount') return b.path.length - a.path.length;
    if (a.kind === 'loop' && b.kind === 'loop') return stackDepth(b, ls) - stackDepth(a, ls);
    return 0;
  });
  const out: Removal[] = [];
  const failedRuns = new Set<number>();
  for (const l of sorted) {
    try {
      if (l.kind === 'record' && failedRuns.has(l.run.owner.pid)) throw new Error('kept: some of its leftovers could not be removed');
      removeOne(l);
      out.push({ leftover: l, state: 'removed' });
    } catch (err) {
      failedRuns.add(l.run.owner.pid);
      out.push({ leftover: l, state: 'failed', problem: String((err as Error)?.message ?? err).replace(/\s*\n\s*/g, ' ') });
    }
  }
  return out;
}

function removeOne(l: Leftover): void {
  switch (l.kind) {
    case 'server':
      stopOrphanServer(l.orphan);
      return;
    case 'process': {
      const now = processStartTicks(l.pid);
      const state = processState(l.pid);
      if (now === null || state === 'Z' || state === 'X' || (l.startTicks !== null && now !== l.startTicks)) return; // gone already
      try {
        process.kill(l.pid, 'SIGKILL');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
      waitGone(l.pid);
      return;
    }
    case 'mount': {
      if (!mountPoints().includes(l.path)) return;
      try {
        run('umount', [l.path]);
      } catch {
        // Busy (a process outside durabench's reach holds a file): detach it lazily, it goes when released.
        run('umount', ['-l', l.path]);
      }
      return;
    }
    case 'trace-instance': {
      if (!fs.existsSync(l.path)) return;
      fs.rmdirSync(l.path);
      return;
    }
    case 'loop': {
      const now = loopDevices().find((x) => x.device === l.device);
      if (!now) return;
      if (now.backingFile !== l.backingFile) throw new Error(`${l.device} is now backed by ${now.backingFile}; not touching it`);
      run('losetup', ['-d', l.device]);
      return;
    }
    case 'dir': {
      const marker = readMarker(l.path);
      if (!marker && !(l.unreadableMarker && recordVouches(l.path))) {
        if (!fs.existsSync(l.path)) return;
        throw new Error(`${l.path} no longer carries the ${OWNER_MARKER} marker; not removing it`);
      }
      if (marker && isAlive(marker.owner)) throw new Error(`${l.path} belongs to a live process (${marker.owner.pid}); not removing it`);
      const inside = mountPoints().filter((m) => within(m, l.path));
      if (inside.length > 0) throw new Error(`${inside[0]} is still mounted inside it; not removing it`);
      removeTree(l.path);
      return;
    }
    case 'temp-file':
    case 'record':
      fs.rmSync(l.path, { force: true });
      return;
  }
}

/** Kept directories (`--keep`) removed on request: marker and a dead owner checked again. */
export function removeKept(dirs: readonly string[]): Removal[] {
  return dirs.map((d): Removal => {
    const leftover: Leftover = { kind: 'dir', path: d, role: 'work', run: { owner: { pid: 0, startTicks: null, bootId: null }, command: null, startedAt: null } };
    try {
      removeOne(leftover);
      return { leftover, state: 'removed' };
    } catch (err) {
      return { leftover, state: 'failed', problem: String((err as Error)?.message ?? err) };
    }
  });
}
