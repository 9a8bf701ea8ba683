/**
 * `runCrashTrials`: the crash lab's entry for one case — used by `durabench crash` and by the run
 * coordinator (`durabench run --crash kill|power --trials N`) to attach a `CrashSummary` to a case.
 *
 * Works inside a marked scratch directory `<dir>/durabench-crash-<id>` on the same disk as the run,
 * removed afterwards; every mount, loop device and writer child is released on every path out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadEngine } from '../../engines/registry.js';
import { resolveEngineOptions } from '../../engines/options.js';
import type { EngineOptionValue, Mode } from '../../engines/types.js';
import type { CrashSummary, CrashTrial } from '../../reports/schema.js';
import { mix } from '../../workers/workload.js';
import { newRunId } from '../workdir.js';
import { formatCrashPoint, type CrashPoint, type CrashSweep } from './crash-point.js';
import { hasProgram } from './exec.js';
import { createImage, DEFAULT_IMAGE_MIB, MIN_IMAGE_MIB, templatePath, type LabFs } from './image.js';
import { RecordType } from './protocol.js';
import { createScratchDir, releaseAll, removeScratchDir } from './safety.js';
import { summarizeTrials } from './summary.js';
import { powerUnavailable } from './support.js';
import { runKillTrial, runPowerTrial, type TrialSpec } from './trial.js';
import { WriterProcess } from './writer-process.js';

/** What to crash: the case, as the benchmark runs it (one writer). */
export interface CrashCaseSpec {
  readonly engine: string;
  readonly mode: Mode;
  /** Commits per sync in batch mode (ignored otherwise). */
  readonly batchSize: number;
  readonly batchMs: number | null;
  readonly fault: string | null;
  /** Given engine options (defaults are filled in per engine). */
  readonly engineOptions: Readonly<Record<string, EngineOptionValue>>;
  readonly valueBytes: number;
  /** `unique` (default) or `overwrite:K`. */
  readonly workload?: string;
  readonly seed: number;
  /** Target directory: the scratch directory (and, for power, the images) go here. */
  readonly dir: string;
}

export interface CrashOptions {
  readonly kind: 'kill' | 'power';
  readonly trials: number;
  /** Power: the image's filesystem (default ext4). */
  readonly fs?: LabFs;
  readonly mountOptions?: string | null;
  readonly imageMib?: number;
  /** Default random. */
  readonly crashAt?: CrashPoint;
  /** One trial at every io operation between two markers (replaces crashAt and trials). */
  readonly sweep?: CrashSweep;
  /** Random crash instants: this many ms after the first ack, uniformly (seeded). Default [50, 500]. */
  readonly delayMs?: readonly [number, number];
  /** Power: `random` writes back a seeded random half of the engine's file blocks before the cut (default none). */
  readonly writeback?: 'none' | 'random';
  /** Safety caps of the writer (default: 40 % of the image for power; crash points 20 s). */
  readonly maxCommits?: number;
  readonly maxMs?: number;
  /** Called after every trial (progress). */
  readonly onTrial?: (trial: CrashTrial, index: number, total: number) => void;
  /** Checked before every trial: stop early (SIGINT). */
  readonly isInterrupted?: () => boolean;
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
  const factory = await loadEngine(spec.engine);
  if (!factory.modes.includes(spec.mode)) throw new Error(`engine ${spec.engine} does not run in ${spec.mode} mode`);
  if (spec.fault !== null && !factory.faults.some((f) => f.name === spec.fault)) {
    throw new Error(`engine ${spec.engine} has no fault switch '${spec.fault}' (it has: ${factory.faults.map((f) => f.name).join(', ') || 'none'})`);
  }
  const { options, problem } = resolveEngineOptions(factory, spec.engineOptions);
  if (problem) throw new Error(problem);
  const checked = factory.check?.(spec.mode, options);
  if (checked) throw new Error(checked);

  const fsType: LabFs = opts.fs ?? 'ext4';
  if (opts.kind === 'power') {
    const why = powerUnavailable(fsType) ?? (opts.writeback === 'random' && !hasProgram('xfs_io') ? 'xfs_io is not installed (apt-get install -y xfsprogs)' : null);
    if (why) throw new CrashUnavailableError(why);
    if (opts.writeback === 'random' && fsType === 'btrfs') throw new CrashUnavailableError('--writeback random needs device block maps: ext4 or xfs (btrfs FIEMAP gives logical addresses)');
  }
  const imageMib = opts.imageMib ?? DEFAULT_IMAGE_MIB[fsType];
  if (opts.kind === 'power' && imageMib < MIN_IMAGE_MIB[fsType]) {
    throw new Error(`--image-mib ${imageMib} is too small for ${fsType}; use at least ${MIN_IMAGE_MIB[fsType]}`);
  }
  const [delayLo, delayHi] = opts.delayMs ?? [50, 500];
  const recordBytes = spec.valueBytes + 64;
  // Power: stay well inside the image (ENOSPC would end the trial without a crash).
  const maxCommits =
    opts.maxCommits ?? (opts.kind === 'power' ? Math.max(1000, Math.floor((imageMib * 1024 * 1024 * 0.4) / recordBytes)) : 50_000_000);
  const base: TrialSpec = {
    instance: {
      engine: spec.engine,
      mode: spec.mode,
      batchSize: spec.mode === 'batch' ? spec.batchSize : 1,
      batchMs: spec.mode === 'batch' ? spec.batchMs : null,
      engineOptions: options,
      faults: spec.fault === null ? [] : [spec.fault],
    },
    workload: { seed: spec.seed, writer: 0, valueBytes: spec.valueBytes, workload: spec.workload ?? 'unique' },
    point: opts.crashAt ?? { kind: 'random' },
    delayMs: delayLo,
    maxCommits,
    maxMs: opts.maxMs ?? (opts.crashAt && opts.crashAt.kind !== 'random' ? 20_000 : delayHi + 10_000),
  };
  const crashAt = opts.sweep
    ? `marker:${opts.sweep.from.name}:${opts.sweep.from.occurrence}..marker:${opts.sweep.to.name}:${opts.sweep.to.occurrence}`
    : formatCrashPoint(base.point);

  const scratch = createScratchDir(spec.dir, newRunId());
  const trials: CrashTrial[] = [];
  try {
    const points: CrashPoint[] = opts.sweep
      ? (await probeSweep(base, opts.sweep, scratch)).map((op): CrashPoint => ({ kind: 'op', op }))
      : Array.from({ length: opts.trials }, () => base.point);
    let template: string | null = null;
    if (opts.kind === 'power') {
      template = templatePath(scratch, fsType, imageMib);
      createImage(template, fsType, imageMib);
    }
    for (let i = 0; i < points.length; i++) {
      if (opts.isInterrupted?.()) break;
      const delayMs = delayLo + (mix(spec.seed, i, 0xc4a5) % (delayHi - delayLo + 1));
      const t: TrialSpec = { ...base, point: points[i]!, delayMs, writeback: opts.writeback ?? 'none', trialIndex: i, maxMs: points[i]!.kind === 'random' && opts.maxMs === undefined ? delayMs + 10_000 : base.maxMs };
      let trial: CrashTrial;
      if (opts.kind === 'kill') {
        const dir = path.join(scratch, `trial-${i}`);
        fs.mkdirSync(dir);
        try {
          trial = await runKillTrial(t, dir, path.join(scratch, `trial-${i}.fifo`));
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      } else {
        trial = await runPowerTrial(t, { template: template!, prefix: path.join(scratch, `trial-${i}`), fsType, mountOptions: opts.mountOptions ?? null });
      }
      trials.push(trial);
      opts.onTrial?.(trial, i, points.length);
    }
  } finally {
    const problems = releaseAll();
    removeScratchDir(scratch);
    if (problems.length > 0) throw new Error(`crash lab cleanup: ${problems.join('; ')}`);
  }
  return summarizeTrials(
    {
      crashKind: opts.kind,
      writeback: opts.kind === 'power' ? (opts.writeback ?? 'none') : null,
      filesystem: opts.kind === 'power' ? fsType : null,
      mountOptions: opts.kind === 'power' ? (opts.mountOptions ?? null) : null,
      crashAt,
      mode: spec.mode,
      batchSize: spec.batchSize,
    },
    trials,
  );
}
