/**
 * Kind `power`: writer runs on the lab's drive (workspace/device-cache.ts: an image on a lab tmpfs,
 * a loop device on it whose page cache is the drive's volatile cache, a second loop device on that
 * one carrying the engine's filesystem). One run serves many crash instants: at each the writer is
 * stopped (SIGSTOP: every thread), the drive is captured (the medium and the cache's blocks,
 * snapshot.ts), every crash state of the instant is built and verified one after another (a copy
 * attached to its own loop device and mounted: the journal replays; then every writer's engine
 * recovers and is checked), and the writer continues (SIGCONT) to the next instant. The time the lab
 * holds the writer stopped does not count as its running time, so instants stay uniform in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LAB_TMPFS_IMAGES } from '../coordinator/defaults.js';
import type { CrashImage, CrashTrial, DeviceCache, LabFs } from '../model/crash-report.js';
import { counterDelta, type DeviceCounters } from '../model/device.js';
import { attachCachedDevice, bdiName, detachCachedDevice, type CachedDevice } from '../workspace/device-cache.js';
import { copySparse, createImage, removeImage } from '../workspace/image.js';
import { attachLoop, detachLoop, deviceCounters } from '../workspace/loop-device.js';
import { createMountPoint, mountImage, mountTmpfs, mountTracefs, removeMountPoint, unmount } from '../workspace/mount.js';
import { BlockWriteWatch, WritebackWatch } from '../workspace/tracefs.js';
import { planStates, writeState, type PlannedState } from './crash-states.js';
import { RecordType, type ChildStops } from './protocol.js';
import { CACHE_BLOCK_BYTES, captureDrive, warmCache } from './snapshot.js';
import type { StraceInjection, TraceLog } from './syscall-trace.js';
import { appendOrThrow, childConfig, errorTrial, notReached, prepareDirs, readTrace, runningMs, trialFrom, verifyOrError, type RunSpec, type TrialWhere } from './trial.js';
import { blockMaps, writeBackRandomHalf } from './writeback.js';
import { WriterProcess } from './writer-process.js';
import type { RunningServer } from '../coordinator/servers.js';
import { startRunServer, verifyServer } from './server-trial.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The child's own time cap in power runs: the coordinator ends every run itself (its pauses would count against a cap). */
const CHILD_MAX_MS = 24 * 3600 * 1000;

/** The lab's place for one case: a tmpfs for media and crash images, the template, the writeback watch. */
export interface PowerLab {
  readonly scratch: string;
  readonly tmpfs: string;
  readonly template: string;
  readonly fsType: LabFs;
  readonly mountOptions: string | null;
  readonly watch: WritebackWatch | null;
  /** Why kernel writeback of the cache cannot be observed here (null when it can). */
  readonly watchProblem: string | null;
  readonly tracefs: string | null;
}

export function openPowerLab(scratch: string, fsType: LabFs, imageMib: number, mountOptions: string | null): PowerLab {
  const tmpfs = path.join(scratch, 'media');
  createMountPoint(tmpfs);
  mountTmpfs(tmpfs, imageMib * LAB_TMPFS_IMAGES);
  const template = path.join(tmpfs, `template-${fsType}-${imageMib}m.img`);
  createImage(template, fsType, imageMib);
  let watch: WritebackWatch | null = null;
  let watchProblem: string | null = null;
  let tracefs: string | null = path.join(scratch, 'tracefs');
  try {
    createMountPoint(tracefs);
    mountTracefs(tracefs);
    const w = WritebackWatch.create(tracefs, `durabench-${process.pid}-${path.basename(scratch).slice(-4)}`);
    if (typeof w === 'string') watchProblem = w;
    else watch = w;
  } catch (err) {
    watchProblem = `tracefs is not available (${(err as Error).message.split('\n')[0]})`;
    removeMountPoint(tracefs);
    tracefs = null;
  }
  return { scratch, tmpfs, template, fsType, mountOptions, watch, watchProblem, tracefs };
}

/** Undo openPowerLab (the registry would too, at the end of the case). */
export function closePowerLab(lab: PowerLab): void {
  lab.watch?.close();
  if (lab.tracefs) {
    unmount(lab.tracefs);
    removeMountPoint(lab.tracefs);
  }
  unmount(lab.tmpfs);
  removeMountPoint(lab.tmpfs);
}

/** How the drive behaves at the cut, and the seed of its random choices. */
export interface PowerModel {
  readonly deviceCache: DeviceCache;
  readonly torn: boolean;
  readonly reorderStates: number;
  readonly writeback: 'none' | 'random';
  readonly seed: number;
}

/** Where a run crashes: at instants the lab picks (ms of writer running time after the first ack), or at points the writer (or strace) stops at. */
export type PowerStops =
  | { readonly kind: 'instants'; readonly atMs: readonly number[] }
  | {
      readonly kind: 'points';
      readonly count: number;
      readonly child: ChildStops;
      readonly inject: StraceInjection | null;
      /** Cap on the running time until each point, ms. */
      readonly capMs: number;
    };

export interface PowerRunResult {
  readonly trials: CrashTrial[];
  /** Commits acked in the run (every writer). */
  readonly commits: number;
  /** The inner device's counters over the run (what the filesystem sent the drive). */
  readonly delta: DeviceCounters | null;
  readonly device: string | null;
  readonly trace: TraceLog | null;
}

export interface PowerRunOptions {
  readonly lab: PowerLab;
  readonly spec: RunSpec;
  readonly model: PowerModel;
  readonly stops: PowerStops;
  /** Index of this run's first instant in the case. */
  readonly firstInstant: number;
  readonly label: (i: number) => string;
  readonly runIndex: number;
  readonly onTrial?: (t: CrashTrial) => void;
  readonly signal?: AbortSignal;
}

function baseImage(model: PowerModel): CrashImage {
  return model.deviceCache === 'none' ? 'device' : 'flushed';
}

export async function runPowerRun(o: PowerRunOptions): Promise<PowerRunResult> {
  const { lab, spec, model, stops } = o;
  const prefix = path.join(lab.tmpfs, `run-${o.runIndex}`);
  const medium = `${prefix}.img`;
  const mntA = path.join(lab.scratch, `run-${o.runIndex}-mnt`);
  const mntB = path.join(lab.scratch, `run-${o.runIndex}-crash-mnt`);
  const count = stops.kind === 'instants' ? stops.atMs.length : stops.count;
  const trials: CrashTrial[] = [];
  const push = (t: CrashTrial): void => {
    trials.push(t);
    o.onTrial?.(t);
  };
  const undo: (() => void)[] = [];
  let w: WriterProcess | null = null;
  let server: RunningServer | null = null;
  let drive: CachedDevice | null = null;
  let before: DeviceCounters | null = null;
  let after: DeviceCounters | null = null;
  let trace: TraceLog | null = null;
  let primary: unknown = null;
  let written: BlockWriteWatch | null = null;
  const traceLog = spec.census || (stops.kind === 'points' && stops.inject) ? path.join(lab.scratch, `run-${o.runIndex}.strace`) : null;
  try {
    copySparse(lab.template, medium);
    undo.push(() => removeImage(medium));
    drive = attachCachedDevice(medium);
    const d = drive;
    undo.push(() => detachCachedDevice(d));
    // Before the filesystem is mounted: from here on every write the drive gets is seen.
    if (lab.tracefs) {
      const bw = BlockWriteWatch.create(lab.tracefs, `durabench-${process.pid}-${path.basename(lab.scratch).slice(-4)}-w${o.runIndex}`, bdiName(drive.inner), CACHE_BLOCK_BYTES);
      if (typeof bw !== 'string') {
        written = bw;
        undo.push(() => bw.close());
      }
    }
    createMountPoint(mntA);
    undo.push(() => removeMountPoint(mntA));
    mountImage(drive.inner, mntA, lab.fsType, lab.mountOptions, false);
    undo.push(() => unmount(mntA));
    const dir = path.join(mntA, 'engine');
    prepareDirs(dir, spec.writers, mntA, spec.sharedLogBytes !== null);
    createMountPoint(mntB);
    undo.push(() => removeMountPoint(mntB));
    warmCache(drive.outer, fs.statSync(medium).size);
    lab.watch?.watch(bdiName(drive.outer));
    before = deviceCounters(drive.inner);

    const inject = stops.kind === 'points' ? stops.inject : null;
    if (spec.server) {
      // The database server keeps its data on the lab's drive; its set-up is made durable before the run.
      server = await startRunServer(spec, dir, 'power', traceLog, o.signal);
      server.makeDurable();
    }
    // With a server, the census traces the server (above), not the writer.
    w = new WriterProcess(childConfig(spec, dir, stops.kind === 'points' ? stops.child : { kind: 'none' }, CHILD_MAX_MS, server?.endpoint), `${prefix}.fifo`, traceLog && !server ? { strace: { log: traceLog, inject } } : {});
    const writer = w;
    const ended = (): boolean => writer.ledger.all(RecordType.Done).length >= spec.writers;
    const failAll = (from: number, why: string): void => {
      for (let i = from; i < count; i++) push(errorTrial({ instant: o.firstInstant + i, image: baseImage(model), crashPoint: o.label(i) }, why, writer.ledger.at()));
    };
    let pausedNs = 0n;
    let destagedPages = 0;
    for (let i = 0; i < count; i++) {
      if (o.signal?.aborted) break;
      const instant = o.firstInstant + i;
      let crashNs: bigint;
      if (stops.kind === 'instants') {
        if (i === 0) {
          const started = await writer.waitFor(() => writer.ledger.count >= 1 || ended(), 30_000);
          if (!started || writer.ledger.count === 0) {
            failAll(0, writer.exited ? writer.failure : 'the writer acked nothing within 30 s');
            break;
          }
        }
        const first = writer.ledger.firstAckNs()!;
        for (;;) {
          const left = stops.atMs[i]! - runningMs(process.hrtime.bigint(), first, pausedNs);
          if (left <= 0 || writer.exited) break;
          await sleep(Math.min(left, 5));
        }
        if (writer.exited) {
          failAll(i, writer.failure);
          break;
        }
        crashNs = await writer.stop();
      } else {
        const reachedCount = (): number => (inject ? writer.injectedStops() : writer.ledger.all(RecordType.Point).length);
        // Start-up (engine open) first, then the point within the cap of running time.
        if (i === 0) await writer.waitFor(() => writer.ledger.all(RecordType.Ready).length >= spec.writers || reachedCount() > 0, 30_000);
        const t0 = Date.now();
        const reached = await writer.waitFor(() => reachedCount() > i || ended(), stops.capMs);
        if (!reached || reachedCount() <= i) {
          failAll(i, writer.exited && !ended() ? writer.failure : notReached(o.label(i), writer.ledger.count, Date.now() - t0, inject?.name ?? null, readTrace(traceLog)));
          break;
        }
        await writer.waitStopped();
        crashNs = inject ? process.hrtime.bigint() : writer.ledger.all(RecordType.Point)[i]!.ns;
      }
      const stopT0 = process.hrtime.bigint();
      // The server stops at the crash instant too: nothing of it runs while the drive is captured.
      server?.freeze();
      const at = writer.ledger.at();
      const where: TrialWhere = { instant, image: baseImage(model), crashPoint: o.label(i), writerRunMs: runningMs(crashNs, writer.ledger.firstAckNs(), pausedNs) };
      const capture = await captureDrive(drive, medium, `${prefix}-i${i}.img`, written);
      const captureNs = Number(process.hrtime.bigint() - stopT0);
      if (lab.watch) destagedPages += lab.watch.take();
      const syscall = inject ? readTrace(traceLog)?.stops[i] : undefined;
      const states: PlannedState[] =
        model.writeback === 'random'
          ? [{ image: baseImage(model), keep: model.deviceCache === 'none' ? capture.cached.offsets.map((_, k) => k) : [] }]
          : planStates({ model: model.deviceCache, cachedCount: capture.cached.offsets.length, reorderStates: model.reorderStates, torn: model.torn, seed: model.seed, instant });
      try {
        for (let k = 0; k < states.length; k++) {
          const state = states[k]!;
          const t0 = process.hrtime.bigint();
          const phases: Record<string, number> = k === 0 ? { capture: captureNs } : {};
          let lap = t0;
          const step = (name: string): void => {
            const now = process.hrtime.bigint();
            phases[name] = Number(now - lap);
            lap = now;
          };
          // The last state is built in the capture's own copy: one copy fewer per instant.
          const statePath = writeState(capture.medium, k === states.length - 1 ? null : `${prefix}-i${i}-s${k}.img`, capture.cached, state);
          step('build');
          let writebackNote: string | null = null;
          if (model.writeback === 'random') {
            // The filesystem's own writeback: mount once to read the block map the journal committed,
            // then let a random half of the blocks it maps get the live (newer) data.
            const devW = attachLoop(statePath);
            try {
              mountImage(devW, mntB, lab.fsType, lab.mountOptions, true);
              let maps;
              try {
                maps = blockMaps(path.join(mntB, 'engine'));
              } finally {
                unmount(mntB);
              }
              const wb = writeBackRandomHalf(dir, maps, statePath, model.seed, instant);
              writebackNote = `writeback: ${wb.written} of ${wb.candidates} mapped block(s) got their newer data before the cut`;
            } finally {
              detachLoop(devW);
            }
            step('writeback');
          }
          const devB = attachLoop(statePath);
          let v;
          try {
            mountImage(devB, mntB, lab.fsType, lab.mountOptions, true);
            step('mount');
            try {
              const ledger = writer.ledger;
              const input = { writers: spec.writers, sharedLogBytes: spec.sharedLogBytes, workload: spec.workload, at, ackTimeNs: (wr: number, s: number) => ledger.ackTimeNs(wr, s), crashNs };
              const crashedDir = path.join(mntB, 'engine');
              // A server restarts on the recovered copy (while the original is frozen) and is stopped before the unmount.
              v = spec.server ? await verifyServer(spec, { ...input, dir: crashedDir }, 'power', true) : await verifyOrError({ ...input, instance: { ...spec.instance, dir: crashedDir } });
            } finally {
              unmount(mntB);
            }
          } finally {
            detachLoop(devB);
            if (statePath !== capture.medium) removeImage(statePath);
          }
          step('verify+cleanup');
          const stateWhere = { ...where, image: state.image };
          const extra: Partial<CrashTrial> = {
            cachedBlocks: capture.cached.offsets.length,
            keptBlocks: state.keep.length + (state.torn ? 1 : 0),
            ...(k === 0 ? { snapshotRetries: capture.retries } : {}),
            ...(destagedPages > 0 ? { destaged: `the kernel's flusher wrote ${destagedPages} cached page(s) to the medium during this run` } : {}),
            ...(syscall ? { syscall } : {}),
          };
          const labNs = Number(process.hrtime.bigint() - t0) + (k === 0 ? captureNs : 0);
          if ('error' in v) {
            push({ ...errorTrial(stateWhere, v.error, at), ...extra, labNs, labPhasesNs: phases });
            continue;
          }
          phases['recover'] = v.recoveryNs;
          phases['verify+cleanup'] = Math.max(0, phases['verify+cleanup']! - v.recoveryNs);
          const trial = trialFrom(stateWhere, v, { ...extra, labNs, labPhasesNs: phases });
          if (state.torn) trial.notes.unshift(`torn: block at byte ${capture.cached.offsets[state.torn.index]} has ${state.torn.sectors} of 8 sectors new`);
          if (writebackNote) trial.notes.unshift(writebackNote);
          push(trial);
        }
      } finally {
        removeImage(capture.medium);
      }
      pausedNs += process.hrtime.bigint() - stopT0;
      const last = i === count - 1 || (stops.kind === 'points' && stops.inject?.when === 'before');
      if (last) break;
      server?.thaw();
      writer.resume();
    }
    if (server) await server.crash(true);
    await writer.kill();
    after = deviceCounters(drive.inner);
    trace = readTrace(traceLog);
    return { trials, commits: writer.ledger.count, delta: before && after ? counterDelta(before, after) : null, device: path.basename(drive.inner), trace };
  } catch (err) {
    primary = err;
    throw err;
  } finally {
    const problems: string[] = [];
    if (w) await w.dispose();
    // Before the drive is unmounted: the server's whole tree, gone (idempotent after the run's own kill).
    if (server) await server.crash(true);
    for (const f of undo.reverse()) {
      try {
        f();
      } catch (err) {
        problems.push((err as Error).message);
      }
    }
    try {
      if (traceLog) fs.rmSync(traceLog, { force: true });
    } catch (err) {
      problems.push((err as Error).message);
    }
    // The run's own error stays the reason; cleanup problems are added to it, never put in its place.
    if (problems.length > 0) appendOrThrow(primary, `crash lab cleanup: ${problems.join('; ')}`);
  }
}
