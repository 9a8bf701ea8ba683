/**
 * One crash trial, kill or power: start the writer child, crash it at the crash point, recover,
 * verify. Failures that prevent verification (the crash point was never reached, the writer failed)
 * come back as a trial with `error`, never as an exception; lab failures (mount, losetup) throw.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type CrashTrial } from '../model/crash-report.js';
import type { InstanceSpec } from '../workers/engine-instance.js';
import type { WorkloadSpec } from '../workers/workload.js';
import { formatCrashPoint, type CrashPoint } from './crash-point.js';
import { copySparse, removeImage, type LabFs } from '../workspace/image.js';
import { attachLoop, detachLoop } from '../workspace/loop-device.js';
import { createMountPoint, mountImage, removeMountPoint, unmount } from '../workspace/mount.js';
import { RecordType, type ChildConfig } from './protocol.js';
import { snapshotImage } from './snapshot.js';
import { verifyRecovered, type VerifyInput, type VerifyResult } from './verify.js';
import { WriterProcess } from './writer-process.js';
import { blockMaps, writeBackRandomHalf } from './writeback.js';
import { RECOVERY_FAILED } from '../analysis/crash-verdict.js';

export interface TrialSpec {
  /** The engine instance, without its directory (the trial decides where it lives). */
  readonly instance: Omit<InstanceSpec, 'dir'>;
  readonly workload: WorkloadSpec;
  readonly point: CrashPoint;
  /** For random points: crash this long after the first ack. */
  readonly delayMs: number;
  readonly maxCommits: number;
  readonly maxMs: number;
  /** Markers whose io positions the child reports (crash sweeps). */
  readonly reportMarkers?: readonly string[];
  /** Power: write back a random half of the engine's file blocks before the snapshot (see writeback.ts). */
  readonly writeback?: 'none' | 'random';
  /** Seeds the random writeback. */
  readonly trialIndex?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function childConfig(spec: TrialSpec, dir: string): ChildConfig {
  return {
    instance: { ...spec.instance, dir },
    workload: spec.workload,
    point: spec.point,
    reportMarkers: spec.reportMarkers ?? [],
    maxCommits: spec.maxCommits,
    maxMs: spec.maxMs,
  };
}

function errorTrial(point: string, error: string, acked = 0): CrashTrial {
  return {
    crashPoint: point,
    acked,
    lost: 0,
    corrupt: 0,
    lossWindowCommits: 0,
    lossWindowMs: 0,
    recoveryNs: 0,
    discardedBytes: 0,
    crcFailures: 0,
    notes: [],
    error,
  };
}

function trialFrom(point: string, v: VerifyResult, extra: Partial<CrashTrial>): CrashTrial {
  return {
    crashPoint: point,
    acked: v.acked,
    lost: v.lost,
    corrupt: v.corrupt,
    lossWindowCommits: v.lossWindowCommits,
    lossWindowMs: v.lossWindowMs,
    recoveryNs: v.recoveryNs,
    discardedBytes: v.recovery.discardedBytes,
    crcFailures: v.recovery.crcFailures,
    notes: [...v.recovery.notes, ...v.notes].slice(0, 8),
    tornTail: v.recovery.tornTail,
    ...extra,
  };
}

/** The engine must recover whatever it finds and never throw; if it does, the trial says so. */
async function verifyOrError(input: VerifyInput): Promise<VerifyResult | { error: string }> {
  try {
    return await verifyRecovered(input);
  } catch (err) {
    return { error: `${RECOVERY_FAILED}${(err as Error)?.message ?? String(err)}` };
  }
}

/**
 * Run the writer until the crash instant. `stopOnly`: leave it stopped (power) instead of killing it.
 * Returns the crash instant and the first ack's time, or an error line.
 */
async function crashWriter(
  w: WriterProcess,
  spec: TrialSpec,
  stopOnly: boolean,
): Promise<{ crashNs: bigint; firstAckNs: bigint | null } | { error: string }> {
  const ended = (): boolean => w.ledger.find(RecordType.Done) !== undefined;
  if (spec.point.kind === 'random') {
    const started = await w.waitFor(() => w.ledger.count >= 1 || ended(), 30_000);
    if (!started || w.ledger.count === 0) return { error: w.exited ? w.failure : 'the writer acked nothing within 30 s' };
    await sleep(spec.delayMs);
    if (w.exited) return { error: w.failure };
    const crashNs = stopOnly ? await w.stop() : await w.kill();
    return { crashNs, firstAckNs: w.ledger.ackTimeNs(1) };
  }
  const reached = await w.waitFor(() => w.ledger.find(RecordType.Point) !== undefined || ended(), spec.maxMs + 30_000);
  const point = w.ledger.find(RecordType.Point);
  if (!reached || !point) {
    return { error: w.exited && !ended() ? w.failure : `crash point ${formatCrashPoint(spec.point)} was not reached in ${w.ledger.count} commits` };
  }
  await w.waitStopped();
  if (!stopOnly) await w.kill();
  return { crashNs: point.ns, firstAckNs: w.ledger.count > 0 ? w.ledger.ackTimeNs(1) : null };
}

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function runMs(crashNs: bigint, firstAckNs: bigint | null): number {
  return firstAckNs === null ? 0 : Math.max(0, Number(crashNs - firstAckNs) / 1e6);
}

/** Kind `kill`: SIGKILL the writer; recover in the same directory (the page cache survives). */
export async function runKillTrial(spec: TrialSpec, dir: string, fifoPath: string): Promise<CrashTrial> {
  const label = formatCrashPoint(spec.point);
  const w = new WriterProcess(childConfig(spec, dir), fifoPath);
  try {
    const crashed = await crashWriter(w, spec, false);
    if ('error' in crashed) return errorTrial(label, crashed.error, w.ledger.count);
    const killedNs = process.hrtime.bigint();
    const ledger = w.ledger;
    const v = await verifyOrError({
      instance: { ...spec.instance, dir },
      workload: spec.workload,
      acked: ledger.count,
      ackTimeNs: (s) => ledger.ackTimeNs(s),
      crashNs: crashed.crashNs,
    });
    const doneNs = process.hrtime.bigint();
    if ('error' in v) return errorTrial(label, v.error, ledger.count);
    const labPhasesNs = { kill: Number(killedNs - crashed.crashNs), recover: v.recoveryNs, verify: Number(doneNs - killedNs) - v.recoveryNs };
    return trialFrom(label, v, { labNs: Number(doneNs - crashed.crashNs), writerRunMs: runMs(crashed.crashNs, crashed.firstAckNs), labPhasesNs });
  } finally {
    await w.dispose();
  }
}

export interface PowerTrialPaths {
  /** The formatted template image to copy. */
  readonly template: string;
  /** A fresh name prefix inside the scratch directory for this trial's files. */
  readonly prefix: string;
  readonly fsType: LabFs;
  readonly mountOptions: string | null;
}

/**
 * Kind `power`: the engine runs on a loop-mounted copy of the template; at the crash instant the
 * writer is stopped, the image copied as the device holds it, the writer killed, the copy mounted (its
 * journal replays) and the engine recovered and verified there.
 */
export async function runPowerTrial(spec: TrialSpec, paths: PowerTrialPaths): Promise<CrashTrial> {
  const label = formatCrashPoint(spec.point);
  const image = `${paths.prefix}.img`;
  const copy = `${paths.prefix}-crash.img`;
  const mntA = `${paths.prefix}-mnt`;
  const mntB = `${paths.prefix}-crash-mnt`;
  const undo: (() => void)[] = [];
  /** Filled as the trial goes; the returned trial holds this object, so cleanup's time lands in it too. */
  const phases: Record<string, number> = {};
  let w: WriterProcess | null = null;
  let primary: unknown = null;
  try {
    copySparse(paths.template, image);
    undo.push(() => removeImage(image));
    const devA = attachLoop(image);
    undo.push(() => detachLoop(devA));
    createMountPoint(mntA);
    mountImage(devA, mntA, paths.fsType, paths.mountOptions, false);
    undo.push(() => unmount(mntA));
    const dir = path.join(mntA, 'engine');
    fs.mkdirSync(dir);
    // The engine is given an existing directory: make it durable, so that what a power cut loses
    // is the engine's doing, never the lab's.
    fsyncPath(dir);
    fsyncPath(mntA);

    w = new WriterProcess(childConfig(spec, dir), `${paths.prefix}.fifo`);
    const crashed = await crashWriter(w, spec, true);
    if ('error' in crashed) return errorTrial(label, crashed.error, w.ledger.count);
    let lap = crashed.crashNs;
    const step = (name: string): void => {
      const now = process.hrtime.bigint();
      phases[name] = Number(now - lap);
      lap = now;
    };
    step('stop');
    const snap = await snapshotImage(devA, image, copy);
    undo.push(() => removeImage(copy));
    step('snapshot');
    await w.kill();
    const ledger = w.ledger;
    step('kill');

    let writebackNote: string | null = null;
    if (spec.writeback === 'random') {
      // Replay the copy's journal once to learn its block map, then let a random half of the
      // blocks it maps receive the live (newer) data, as a partial writeback would have.
      const devW = attachLoop(copy);
      createMountPoint(mntB);
      try {
        mountImage(devW, mntB, paths.fsType, paths.mountOptions, true);
        let maps;
        try {
          maps = blockMaps(path.join(mntB, 'engine'));
        } finally {
          unmount(mntB);
        }
        const wb = writeBackRandomHalf(dir, maps, copy, spec.workload.seed, spec.trialIndex ?? 0);
        writebackNote = `writeback: ${wb.written} of ${wb.candidates} mapped block(s) got their newer data before the cut`;
      } finally {
        detachLoop(devW);
      }
      step('writeback');
    }

    const devB = attachLoop(copy);
    undo.push(() => detachLoop(devB));
    if (!fs.existsSync(mntB)) createMountPoint(mntB);
    mountImage(devB, mntB, paths.fsType, paths.mountOptions, true);
    undo.push(() => unmount(mntB));
    step('mount');
    const v = await verifyOrError({
      instance: { ...spec.instance, dir: path.join(mntB, 'engine') },
      workload: spec.workload,
      acked: ledger.count,
      ackTimeNs: (s) => ledger.ackTimeNs(s),
      crashNs: crashed.crashNs,
    });
    step('verify');
    if ('error' in v) return errorTrial(label, v.error, ledger.count);
    phases['recover'] = v.recoveryNs;
    phases['verify']! -= v.recoveryNs;
    const labNs = Number(process.hrtime.bigint() - crashed.crashNs);
    const trial = trialFrom(label, v, { labNs, writerRunMs: runMs(crashed.crashNs, crashed.firstAckNs), snapshotRetries: snap.retries, labPhasesNs: phases });
    if (writebackNote) trial.notes.unshift(writebackNote);
    return trial;
  } catch (err) {
    primary = err;
    throw err;
  } finally {
    const cleanupT0 = process.hrtime.bigint();
    if (w) await w.dispose();
    // Release in reverse order; keep going on failure (the safety registry retries at exit).
    const problems: string[] = [];
    for (const f of undo.reverse()) {
      try {
        f();
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    for (const d of [mntA, mntB]) {
      try {
        removeMountPoint(d);
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    phases['cleanup'] = Number(process.hrtime.bigint() - cleanupT0);
    if (problems.length > 0) {
      // Never in place of the trial's own error.
      if (primary instanceof Error) primary.message = `${primary.message}; then crash lab cleanup: ${problems.join('; ')}`;
      else if (primary === null) throw new Error(`crash lab cleanup: ${problems.join('; ')}`);
    }
  }
}
