/**
 * `runCrashTrials`: the crash lab's entry for one case — used by `durabench crash` and by the run
 * coordinator (`durabench run --crash kill|power --trials N`) to attach a `CrashSummary` to a case.
 *
 * Works inside a marked scratch directory `<dir>/durabench-crash-<id>` on the same disk as the run,
 * removed afterwards; every mount, loop device and writer child is released on every path out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadEngine } from '../engines/registry.js';
import { resolveEngineOptions } from '../engines/options.js';
import type { EngineOptionValue } from '../engines/types.js';
import type { CaseKey } from '../model/case.js';
import type { CrashSetting, CrashSummary, CrashTrial } from '../model/crash-report.js';
import { durabilityOf, engineModeOf } from '../model/durability.js';
import { mix } from '../workers/workload.js';
import { newRunId } from '../workspace/workdir.js';
import { formatCrashPoint, type CrashPoint, type CrashSweep } from './crash-point.js';
import { hasProgram } from '../workspace/exec.js';
import { createImage, DEFAULT_IMAGE_MIB, MIN_IMAGE_MIB, templatePath, type LabFs } from '../workspace/image.js';
import { RecordType } from './protocol.js';
import { holdMark, releaseSince } from '../workspace/registry.js';
import { createScratchDir, removeScratchDir } from '../workspace/workdir.js';
import { summarizeTrials } from '../analysis/crash-verdict.js';
import { powerUnavailable } from '../workspace/support.js';
import { runKillTrial, runPowerTrial, type TrialSpec } from './trial.js';
import { WriterProcess } from './writer-process.js';

/** What to crash: the case, as the benchmark runs it (one writer), in its target directory. */
export interface CrashCaseSpec {
  /** Engine, durability, fault, value size, workload; `target` is where the scratch directory (and images) go. */
  readonly key: CaseKey;
  /** Given engine options (defaults are filled in per engine). */
  readonly engineOptions: Readonly<Record<string, EngineOptionValue>>;
  readonly seed: number;
}

export interface CrashOptions {
  /** Kill or power, the image's filesystem and mount options, partial writeback. `crashAt` is derived from `point`/`sweep`. */
  readonly setting: Omit<CrashSetting, 'crashAt'>;
  readonly trials: number;
  readonly imageMib?: number;
  /** Default random. */
  readonly point?: CrashPoint;
  /** One trial at every io operation between two markers (replaces point and trials). */
  readonly sweep?: CrashSweep;
  /** Random crash instants: this many ms after the first ack, uniformly (seeded). Default [50, 500]. */
  readonly delayMs?: readonly [number, number];
  /** Safety caps of the writer (default: 40 % of the image for power; crash points 20 s). */
  readonly maxCommits?: number;
  readonly maxMs?: number;
  /** Called after every trial (progress). */
  readonly onTrial?: (trial: CrashTrial, index: number, total: number) => void;
  /** Fires on SIGINT/SIGTERM: no further trial starts. */
  readonly signal?: AbortSignal;
}

/** Power crashes cannot run here (no root, no loop devices, no mkfs): the case is `skipped` with this reason. */
export class CrashUnavailableError extends Error {
  override readonly name = 'CrashUnavailableError';
}

/** The io positions of a sweep's two markers, from one probe run that stops at the second. */
async function probeSweep(base: TrialSpec, sweep: CrashSweep, scratch: string): Promise<number[]> {
  const names = [...new Set([sweep.from.name, sweep.to.name])];
  const dir = path.join(scratch, 'sweep-probe');
  fs.mkdirSync(dir);
  const w = new WriterProcess(
    {
      instance: { ...base.instance, dir },
      workload: base.workload,
      point: { kind: 'marker', name: sweep.to.name, occurrence: sweep.to.occurrence },
      reportMarkers: names,
      maxCommits: base.maxCommits,
      maxMs: base.maxMs,
    },
    path.join(scratch, 'sweep-probe.fifo'),
  );
  try {
    const ok = await w.waitFor(() => w.ledger.find(RecordType.Point) !== undefined || w.ledger.find(RecordType.Done) !== undefined, base.maxMs + 30_000);
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

export async function runCrashTrials(spec: CrashCaseSpec, opts: CrashOptions): Promise<CrashSummary> {
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

  const kind = opts.setting.kind;
  const fsType: LabFs = opts.setting.filesystem ?? 'ext4';
  const writeback = opts.setting.writeback;
  if (kind === 'power') {
    const why = powerUnavailable(fsType) ?? (writeback === 'random' && !hasProgram('xfs_io') ? 'xfs_io is not installed (apt-get install -y xfsprogs)' : null);
    if (why) throw new CrashUnavailableError(why);
    if (writeback === 'random' && fsType === 'btrfs') throw new CrashUnavailableError('--writeback random needs device block maps: ext4 or xfs (btrfs FIEMAP gives logical addresses)');
  }
  const imageMib = opts.imageMib ?? DEFAULT_IMAGE_MIB[fsType];
  if (kind === 'power' && imageMib < MIN_IMAGE_MIB[fsType]) {
    throw new Error(`--image-mib ${imageMib} is too small for ${fsType}; use at least ${MIN_IMAGE_MIB[fsType]}`);
  }
  const [delayLo, delayHi] = opts.delayMs ?? [50, 500];
  const recordBytes = key.valueBytes + 64;
  // Power: stay well inside the image (ENOSPC would end the trial without a crash).
  const maxCommits =
    opts.maxCommits ?? (kind === 'power' ? Math.max(1000, Math.floor((imageMib * 1024 * 1024 * 0.4) / recordBytes)) : 50_000_000);
  const base: TrialSpec = {
    instance: { engine: key.engine, durability: durabilityOf(key), engineOptions: options, faults: key.fault === null ? [] : [key.fault] },
    workload: { seed: spec.seed, writer: 0, valueBytes: key.valueBytes, workload: key.workload },
    point: opts.point ?? { kind: 'random' },
    delayMs: delayLo,
    maxCommits,
    maxMs: opts.maxMs ?? (opts.point && opts.point.kind !== 'random' ? 20_000 : delayHi + 10_000),
  };
  const crashAt = opts.sweep
    ? `marker:${opts.sweep.from.name}:${opts.sweep.from.occurrence}..marker:${opts.sweep.to.name}:${opts.sweep.to.occurrence}`
    : formatCrashPoint(base.point);

  const mark = holdMark();
  const scratch = createScratchDir(key.target, newRunId());
  const trials: CrashTrial[] = [];
  try {
    const points: CrashPoint[] = opts.sweep
      ? (await probeSweep(base, opts.sweep, scratch)).map((op): CrashPoint => ({ kind: 'op', op }))
      : Array.from({ length: opts.trials }, () => base.point);
    let template: string | null = null;
    if (kind === 'power') {
      template = templatePath(scratch, fsType, imageMib);
      createImage(template, fsType, imageMib);
    }
    for (let i = 0; i < points.length; i++) {
      if (opts.signal?.aborted) break;
      const delayMs = delayLo + (mix(spec.seed, i, 0xc4a5) % (delayHi - delayLo + 1));
      const t: TrialSpec = { ...base, point: points[i]!, delayMs, writeback, trialIndex: i, maxMs: points[i]!.kind === 'random' && opts.maxMs === undefined ? delayMs + 10_000 : base.maxMs };
      let trial: CrashTrial;
      if (kind === 'kill') {
        const dir = path.join(scratch, `trial-${i}`);
        fs.mkdirSync(dir);
        try {
          trial = await runKillTrial(t, dir, path.join(scratch, `trial-${i}.fifo`));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      } else {
        trial = await runPowerTrial(t, { template: template!, prefix: path.join(scratch, `trial-${i}`), fsType, mountOptions: opts.setting.mountOptions });
      }
      trials.push(trial);
      opts.onTrial?.(trial, i, points.length);
    }
  } finally {
    // Whatever this case still holds (a writer child, a mount, a loop device) — and nothing older.
    const problems = releaseSince(mark + 1);
    removeScratchDir(scratch);
    if (problems.length > 0) throw new Error(`crash lab cleanup: ${problems.join('; ')}`);
  }
  const setting: CrashSetting =
    kind === 'power'
      ? { kind, filesystem: fsType, mountOptions: opts.setting.mountOptions, crashAt, writeback }
      : { kind, filesystem: null, mountOptions: null, crashAt, writeback: 'none' };
  return summarizeTrials(setting, key, trials);
}
