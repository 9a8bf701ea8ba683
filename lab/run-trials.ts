/**
 * `runCrashTrials`: the crash lab's entry for one case — used by `durabench crash` and by the run
 * coordinator (`durabench run --crash kill|power --trials N`) to attach a `CrashSummary` to a case.
 *
 * Plans the writer runs (kill: one per crash instant; power: one run for all random instants or for
 * a whole sweep, the writer continuing after every snapshot), runs them, and sums device truth (the
 * device's own counters) and the syscall census over them.
 *
 * Works inside a marked scratch directory `<dir>/durabench-crash-<id>` on the same disk as the run
 * (power: its media on a lab tmpfs mounted inside it), removed afterwards; every mount, loop device,
 * tracing instance and writer child is released on every path out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CRASH_POINT_RUN_MS, DEFAULT_CRASH_RUN_MS, DEFAULT_CRASH_WINDOW } from '../coordinator/defaults.js';
import { loadEngine } from '../engines/registry.js';
import { serverFacts, serverUnavailable } from '../coordinator/servers.js';
import { resolveEngineOptions } from '../engines/options.js';
import type { EngineOptionValue } from '../engines/types.js';
import { shareOf, type CaseKey } from '../model/case.js';
import type { CrashSetting, CrashSummary, CrashTrial, SyscallCensus } from '../model/crash-report.js';
import { summarizeTrials } from '../analysis/crash-verdict.js';
import { addCounters, counterDelta, deviceTruth, ZERO_COUNTERS, type DeviceCounters, type DeviceTruth } from '../model/device.js';
import { durabilityOf, engineModeOf } from '../model/durability.js';
import { collectTarget } from '../provenance/target.js';
import { hasProgram } from '../workspace/exec.js';
import { DEFAULT_IMAGE_MIB, MIN_IMAGE_MIB, type LabFs } from '../workspace/image.js';
import { deviceCounters } from '../workspace/loop-device.js';
import { holdMark, releaseSince } from '../workspace/registry.js';
import { powerUnavailable } from '../workspace/support.js';
import { createScratchDir, newRunId, removeScratchDir } from '../workspace/workdir.js';
import { crashInstants, formatCrashPoint, formatCrashSweep, formatCrashWindow, parseCrashWindow, windowMs, type CrashPoint, type CrashSweep, type CrashWindow } from './crash-point.js';
import { runKillTrial, type KillStop } from './kill-run.js';
import { closePowerLab, openPowerLab, runPowerRun, type PowerLab, type PowerStops } from './power-run.js';
import { RecordType, type ChildStops } from './protocol.js';
import { addCalls, syncCalls, type StraceInjection, type TraceLog } from './syscall-trace.js';
import { appendOrThrow, childConfig, committedBytes, type RunSpec } from './trial.js';
import { WriterProcess } from './writer-process.js';

/** What to crash: the case, as the benchmark runs it, in its target directory. */
export interface CrashCaseSpec {
  /** Engine, durability, fault, writers, value size, workload; `target` is where the scratch directory goes. */
  readonly key: CaseKey;
  /** Given engine options (defaults are filled in per engine). */
  readonly engineOptions: Readonly<Record<string, EngineOptionValue>>;
  readonly seed: number;
}

/** How to crash, without what the lab derives (the crash point label, the window text, the run length). */
export type CrashSettingInput = Omit<CrashSetting, 'crashAt' | 'crashWindow' | 'runMs'>;

export interface CrashOptions {
  readonly setting: CrashSettingInput;
  /** Crash instants (each yields one crash state under kill, one or more under power). */
  readonly trials: number;
  readonly imageMib?: number;
  /** Default random. */
  readonly point?: CrashPoint;
  /** Every io operation between two markers, or every call of a system call in a range (replaces point and trials). */
  readonly sweep?: CrashSweep;
  /** Where random instants fall (default: the whole run). */
  readonly window?: CrashWindow;
  /** How long a writer run lasts, ms (default: the window's end in seconds, else 1 s). */
  readonly runMs?: number;
  /** Safety cap of commits per writer (default: 40 % of the image for power). */
  readonly maxCommits?: number;
  /** Crash points: how long (ms of running time) the writer may take to reach one (default 20 s; `--duration`). */
  readonly pointCapMs?: number;
  /** Run writers under strace for the syscall census (default: when strace is installed). */
  readonly census?: boolean;
  /** Called after every trial (progress). */
  readonly onTrial?: (trial: CrashTrial, index: number, total: number) => void;
  /** Fires on SIGINT/SIGTERM: no further instant is taken. */
  readonly signal?: AbortSignal;
}

/** Power crashes cannot run here (no root, no loop devices, no mkfs, no strace for syscall points): the case is `skipped` with this reason. */
export class CrashUnavailableError extends Error {
  override readonly name = 'CrashUnavailableError';
}

function defaultWindow(): CrashWindow {
  const w = parseCrashWindow(DEFAULT_CRASH_WINDOW);
  if (typeof w === 'string') throw new Error(w);
  return w;
}

/** The io positions of a marker sweep's two markers, from one probe run that stops at the second. */
async function probeSweep(base: RunSpec, sweep: Extract<CrashSweep, { kind: 'marker' }>, scratch: string): Promise<number[]> {
  const names = [...new Set([sweep.from.name, sweep.to.name])];
  const dir = path.join(scratch, 'sweep-probe');
  fs.mkdirSync(dir);
  if (base.writers > 1 && base.sharedLogBytes === null) for (let w = 0; w < base.writers; w++) fs.mkdirSync(path.join(dir, `w${w}`));
  const w = new WriterProcess(childConfig({ ...base, reportMarkers: names }, dir, { kind: 'marker', name: sweep.to.name, occurrence: sweep.to.occurrence }), path.join(scratch, 'sweep-probe.fifo'));
  try {
    const ended = (): boolean => w.ledger.all(RecordType.Done).length >= base.writers;
    await w.waitFor(() => w.ledger.all(RecordType.Ready).length >= base.writers || w.ledger.find(RecordType.Point) !== undefined, 30_000);
    const ok = await w.waitFor(() => w.ledger.find(RecordType.Point) !== undefined || ended(), base.maxMs);
    const end = w.ledger.find(RecordType.Point);
    if (!ok || !end) throw new Error(`--crash-sweep: marker ${sweep.to.name}:${sweep.to.occurrence} was never announced (${w.exited ? w.failure : `${w.ledger.count} commits`})`);
    const fromIdx = names.indexOf(sweep.from.name);
    const starts = w.ledger.events.filter((e) => e.type === RecordType.Marker && e.index === fromIdx);
    const start = starts[sweep.from.occurrence - 1];
    if (!start) throw new Error(`--crash-sweep: marker ${sweep.from.name}:${sweep.from.occurrence} was not announced before ${sweep.to.name}:${sweep.to.occurrence}`);
    if (start.a > end.a) throw new Error(`--crash-sweep: ${sweep.from.name} comes after ${sweep.to.name}; swap them`);
    const ops: number[] = [];
    for (let k = Math.max(1, start.a); k <= end.a; k++) ops.push(k);
    return ops;
  } finally {
    await w.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One crash point as the child's stop list or strace's injection. */
function stopOf(p: CrashPoint): { child: ChildStops; inject: StraceInjection | null } {
  switch (p.kind) {
    case 'op':
      return { child: { kind: 'ops', ops: [p.op] }, inject: null };
    case 'marker':
      return { child: { kind: 'marker', name: p.name, occurrence: p.occurrence }, inject: null };
    case 'syscall':
      return { child: { kind: 'none' }, inject: { name: p.name, from: p.occurrence, to: p.occurrence, when: p.when } };
    case 'random':
      throw new Error('a random crash instant is not a point');
  }
}

/** The crash points of a sweep (labels), once marker positions are known. */
function sweepPoints(sweep: CrashSweep, ops: readonly number[]): CrashPoint[] {
  if (sweep.kind === 'marker') return ops.map((op): CrashPoint => ({ kind: 'op', op }));
  const out: CrashPoint[] = [];
  for (let k = sweep.from; k <= sweep.to; k++) out.push({ kind: 'syscall', name: sweep.name, occurrence: k, when: sweep.when });
  return out;
}

/** durabench itself runs under ptrace (strace, gdb): its children cannot be traced by strace too. */
function underTracer(): boolean {
  try {
    return !/^TracerPid:\s*0$/m.test(fs.readFileSync('/proc/self/status', 'latin1'));
  } catch {
    return false;
  }
}

/** The target's block device (a shared disk: approximate), or why there is none. */
function targetDevice(dir: string): { device: string } | { reason: string } {
  try {
    const t = collectTarget(dir);
    if (t.device.value === null) return { reason: t.device.reason ?? 'no block device found' };
    deviceCounters(t.device.value);
    return { device: t.device.value };
  } catch (err) {
    return { reason: (err as Error).message };
  }
}

export async function runCrashTrials(spec: CrashCaseSpec, opts: CrashOptions): Promise<CrashSummary> {
  const t0 = Date.now();
  const { key } = spec;
  const factory = await loadEngine(key.engine);
  if (!factory.modes.includes(engineModeOf(key.mode))) throw new Error(`engine ${key.engine} does not run in ${key.mode} mode`);
  if (key.fault !== null && !factory.faults.some((f) => f.name === key.fault)) {
    throw new Error(`engine ${key.engine} has no fault switch '${key.fault}' (it has: ${factory.faults.map((f) => f.name).join(', ') || 'none'})`);
  }
  const { options, problem } = resolveEngineOptions(factory, spec.engineOptions);
  if (problem) throw new Error(problem);
  const checked = factory.check?.(engineModeOf(key.mode), options);
  if (checked) throw new Error(checked);
  // A shared log: every writer of the child on one log in one directory over one shared memory.
  const shared = shareOf(key) === 'log';
  if (shared && !factory.sharedLog) throw new Error(`engine ${key.engine} cannot run its writers on one shared log`);
  const sharedLogBytes = shared ? factory.sharedLog!.memoryBytes(key.writers) : null;

  const s = opts.setting;
  const kind = s.kind;
  const fsType: LabFs = s.filesystem ?? 'ext4';
  const point: CrashPoint = opts.point ?? { kind: 'random' };
  const syscallPoints = point.kind === 'syscall' || opts.sweep?.kind === 'syscall';
  const strace = hasProgram('strace') && !underTracer();
  const missing = serverUnavailable(factory, options);
  if (missing) throw new CrashUnavailableError(missing);
  if (factory.server && (point.kind !== 'random' || opts.sweep)) throw new Error(`${key.engine}: crash points and sweeps count the writer's own operations; a server engine runs random instants (--crash-window)`);
  if (kind === 'power') {
    const why = powerUnavailable(fsType) ?? (s.writeback === 'random' && !hasProgram('xfs_io') ? 'xfs_io is not installed (apt-get install -y xfsprogs)' : null);
    if (why) throw new CrashUnavailableError(why);
    if (s.writeback === 'random' && fsType === 'btrfs') throw new CrashUnavailableError('--writeback random needs device block maps: ext4 or xfs (btrfs FIEMAP gives logical addresses)');
    if (s.writeback === 'random' && s.deviceCache === 'reorder') throw new Error('--writeback random applies to one crash state per instant: use it with --device-cache none or volatile');
  }
  if (syscallPoints && !strace) throw new CrashUnavailableError(underTracer() ? 'syscall crash points need strace, and durabench itself runs under a tracer (a process can have one tracer)' : 'syscall crash points need strace (apt-get install -y strace)');
  if (syscallPoints && key.writers > 1) throw new Error('syscall crash points count per thread: run them with --writers 1');
  // A database server's fresh data needs room of its own (etcd preallocates a 64 MiB WAL).
  const imageMib = opts.imageMib ?? Math.max(DEFAULT_IMAGE_MIB[fsType], factory.server?.imageMib ?? 0);
  if (kind === 'power' && imageMib < MIN_IMAGE_MIB[fsType]) throw new Error(`--image-mib ${imageMib} is too small for ${fsType}; use at least ${MIN_IMAGE_MIB[fsType]}`);

  const window = opts.window ?? defaultWindow();
  const runMs = opts.runMs ?? (window.unit === 's' ? window.to * 1000 : DEFAULT_CRASH_RUN_MS);
  const [winLo, winHi] = windowMs(window, runMs);
  if (winHi > runMs) throw new Error(`--crash-window ${formatCrashWindow(window)} ends after the run (${runMs / 1000} s); lengthen --duration or narrow the window`);
  const recordBytes = key.valueBytes + 64;
  // Power: stay well inside the image (ENOSPC would end the trial without a crash); the writers share it.
  const maxCommits = opts.maxCommits ?? (kind === 'power' ? Math.max(1000, Math.floor((imageMib * 1024 * 1024 * 0.4) / recordBytes / key.writers)) : 50_000_000);
  const isPoint = point.kind !== 'random' || opts.sweep !== undefined;
  const pointCapMs = opts.pointCapMs ?? CRASH_POINT_RUN_MS;
  const mark = holdMark();
  const scratch = createScratchDir(key.target, newRunId());
  const base: RunSpec = {
    instance: { engine: key.engine, durability: durabilityOf(key), engineOptions: options, faults: key.fault === null ? [] : [key.fault] },
    writers: key.writers,
    sharedLogBytes,
    workload: { seed: spec.seed, writer: 0, valueBytes: key.valueBytes, workload: key.workload },
    maxCommits,
    maxMs: isPoint ? pointCapMs : runMs + 10_000,
    // A server engine's syncs happen in the server: the census traces the server, not the writer child.
    census: opts.census ?? strace,
    // Every trial of the case starts its server from one preparation, kept in the scratch directory.
    ...(factory.server ? { server: { factory, options, templates: path.join(scratch, 'server-templates') } } : {}),
  };
  const crashAt = opts.sweep ? formatCrashSweep(opts.sweep) : formatCrashPoint(point);
  const setting: CrashSetting = {
    ...s,
    ...(kind === 'kill' ? { filesystem: null, mountOptions: null, writeback: 'none' as const, deviceCache: null, torn: false, reorderStates: 0 } : {}),
    crashAt,
    crashWindow: isPoint ? null : formatCrashWindow(window),
    runMs: isPoint ? pointCapMs : runMs,
  };

  const trials: CrashTrial[] = [];
  let primary: unknown = null;
  let instants = 0;
  let commits = 0;
  let delta: DeviceCounters = ZERO_COUNTERS;
  let deviceName: string | null = null;
  let deviceProblem: string | null = null;
  const calls: Record<string, number> = {};
  let tracedRuns = 0;
  let tracedCommits = 0;
  const addTrace = (t: TraceLog | null, runCommits: number): void => {
    if (!t) return;
    tracedRuns += 1;
    tracedCommits += runCommits;
    addCalls(calls, t.calls);
  };
  let total = 0;
  const onTrial = (t: CrashTrial): void => {
    trials.push(t);
    opts.onTrial?.(t, trials.length - 1, Math.max(total, trials.length));
  };
  let lab: PowerLab | null = null;
  try {
    const points: CrashPoint[] | null = opts.sweep
      ? sweepPoints(opts.sweep, opts.sweep.kind === 'marker' ? await probeSweep(base, opts.sweep, scratch) : [])
      : point.kind === 'random'
        ? null
        : Array.from({ length: opts.trials }, () => point);
    const instantsMs = crashInstants(opts.trials, winLo, winHi, spec.seed);
    total = points ? points.length : opts.trials;
    if (kind === 'power') {
      lab = openPowerLab(scratch, fsType, imageMib, s.mountOptions);
      const model = { deviceCache: s.deviceCache ?? 'volatile', torn: s.torn, reorderStates: s.reorderStates, writeback: s.writeback, seed: spec.seed };
      // One run for all random instants, one for a sweep the writer can continue through; else a run per point.
      const runs: { stops: PowerStops; labels: string[] }[] = [];
      if (!points) runs.push({ stops: { kind: 'instants', atMs: instantsMs }, labels: instantsMs.map(() => 'random') });
      else if (opts.sweep?.kind === 'marker') runs.push({ stops: { kind: 'points', count: points.length, child: { kind: 'ops', ops: points.map((p) => (p.kind === 'op' ? p.op : 0)) }, inject: null, capMs: pointCapMs }, labels: points.map(formatCrashPoint) });
      else if (opts.sweep?.kind === 'syscall' && opts.sweep.when === 'after')
        runs.push({ stops: { kind: 'points', count: points.length, child: { kind: 'none' }, inject: { name: opts.sweep.name, from: opts.sweep.from, to: opts.sweep.to, when: 'after' }, capMs: pointCapMs }, labels: points.map(formatCrashPoint) });
      else for (const p of points) runs.push({ stops: { kind: 'points', count: 1, ...stopOf(p), capMs: pointCapMs }, labels: [formatCrashPoint(p)] });
      for (let r = 0; r < runs.length; r++) {
        if (opts.signal?.aborted) break;
        const run = runs[r]!;
        const result = await runPowerRun({ lab, spec: base, model, stops: run.stops, firstInstant: instants, label: (i) => run.labels[i]!, runIndex: r, onTrial, ...(opts.signal ? { signal: opts.signal } : {}) });
        instants += run.labels.length;
        commits += result.commits;
        if (result.delta) delta = addCounters(delta, result.delta);
        deviceName = result.device;
        addTrace(result.trace, result.commits);
      }
    } else {
      const target = targetDevice(key.target);
      if ('reason' in target) deviceProblem = target.reason;
      else deviceName = target.device;
      const stopsOf: KillStop[] = points ? points.map((p) => ({ kind: 'point', ...stopOf(p) })) : instantsMs.map((atMs) => ({ kind: 'instant', atMs }));
      for (let i = 0; i < stopsOf.length; i++) {
        if (opts.signal?.aborted) break;
        const dir = path.join(scratch, `trial-${i}`);
        const log = base.census || (points && points[i]!.kind === 'syscall') ? path.join(scratch, `trial-${i}.strace`) : null;
        const label = points ? formatCrashPoint(points[i]!) : 'random';
        const before = deviceName ? deviceCounters(deviceName) : null;
        try {
          const r = await runKillTrial(base, stopsOf[i]!, i, label, dir, path.join(scratch, `trial-${i}.fifo`), log);
          instants += 1;
          commits += r.commits;
          addTrace(r.trace, r.commits);
          onTrial(r.trial);
        } finally {
          if (before && deviceName) {
            try {
              delta = addCounters(delta, counterDelta(before, deviceCounters(deviceName)));
            } catch {
              // the device went away: keep what was counted
            }
          }
          fs.rmSync(dir, { recursive: true, force: true });
          if (log) fs.rmSync(log, { force: true });
        }
      }
    }
  } catch (err) {
    primary = err;
    throw err;
  } finally {
    // Whatever this case still holds (a writer child, a mount, a loop device) — and nothing older.
    if (lab) {
      try {
        closePowerLab(lab);
      } catch {
        // the registry releases what is left
      }
    }
    const problems = releaseSince(mark + 1);
    try {
      removeScratchDir(scratch);
    } catch (err) {
      problems.push((err as Error).message);
    }
    // The first error stays the reason; cleanup problems are added to it, never put in its place.
    if (problems.length > 0) appendOrThrow(primary, `crash lab cleanup: ${problems.join('; ')}`);
  }
  const bytes = committedBytes(base.workload, commits);
  const device: DeviceTruth =
    deviceName !== null ? deviceTruth(deviceName, kind === 'kill', delta, commits, bytes) : { state: 'unavailable', reason: deviceProblem ?? 'no device counters were read' };
  const syscalls: SyscallCensus = base.census
    ? { state: 'counted', runs: tracedRuns, commits: tracedCommits, calls, syncsPerCommit: tracedCommits > 0 ? syncCalls(calls) / tracedCommits : null }
    : {
        state: 'unavailable',
        reason: underTracer() ? 'durabench runs under a tracer (strace cannot attach a second one)' : strace ? 'not counted in this run' : 'strace is not installed (apt-get install -y strace): sync calls are not counted at the syscall boundary',
      };
  const watchProblem = (lab as PowerLab | null)?.watchProblem;
  if (watchProblem && trials[0]) trials[0].notes.push(`kernel writeback of the drive's cache is not observable here: ${watchProblem}`);
  const summary = summarizeTrials(setting, key, trials, { instants, wallMs: Date.now() - t0, device, syscalls, sharedLog: shared });
  const server = serverFacts(factory, durabilityOf(key), options);
  return server ? { ...summary, server } : summary;
}
