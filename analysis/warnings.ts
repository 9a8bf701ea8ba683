/**
 * Warnings as data: what was seen about a target or a measurement that makes durability numbers
 * misleading, why, and what to do. Pure functions of provenance and measurements; the caller decides
 * where they go (the report's `warnings`, stderr).
 *
 * Entry points used by the run coordinator and `durabench probe`:
 * - `targetWarnings(target)`: memory, network and userspace filesystems, memory-backed devices, loop
 *   devices whose backing file is in memory, write-back device caches, barriers turned off;
 * - `syncPlausibilityWarnings(target, syncP50Ns)`: a sync faster than the device class allows;
 * - `noiseWarnings(values)`: a wide spread between repeats of the same measurement.
 */
import type { TargetInfo } from '../model/provenance.js';
import type { CompletedCase } from '../model/run-report.js';
import type { SyncKind } from '../model/sync-kind.js';
import { formatNs } from '../model/units.js';
import { mergeLatencySummaries } from '../stats/summary.js';
import type { Warning } from '../model/warning.js';
import { bottomDevice } from '../provenance/block-device.js';
import { isMemoryFilesystem, isNetworkFilesystem, isVolatileTarget, knownValue as val } from '../provenance/filesystems.js';

/**
 * Below this sync p50 a rotational disk cannot have put the data on the platter: even at 15,000 rpm
 * one revolution takes 4 ms (a conservative bound: virtual disks often claim to be rotational,
 * so the bound is kept low to stay certain).
 */
export const ROTATIONAL_MIN_SYNC_NS = 20_000;
/**
 * Below this sync p50 on a device with a volatile (write back) cache the flush most likely did not
 * reach stable media: flash program latency alone is tens to hundreds of µs, so a device that
 * honours flushes answers slower. Devices with power-loss protection usually report write through.
 */
export const WRITE_BACK_MIN_SYNC_NS = 50_000;
/** Below this sync p50 no block device round trip happened at all (an NVMe 4 kB write takes ≥ 10 µs). */
export const ANY_DEVICE_MIN_SYNC_NS = 5_000;

/** Relative spread (max − min) / median between repeats above which a measurement is called noisy. */
export const NOISE_SPREAD = 0.25;

/**
 * Warnings about a target directory itself, from its provenance (`collectTarget`). Called by the run
 * coordinator and `durabench probe` once per `--dir`. Pure.
 *
 * Codes: `memory-filesystem`, `memory-block-device`, `loop-on-memory`, `network-filesystem`,
 * `userspace-filesystem`, `barriers-disabled`, `write-back-cache`.
 */
export function targetWarnings(target: TargetInfo): Warning[] {
  const out: Warning[] = [];
  const fsType = val(target.fsType);
  const where = `${target.dir} (${fsType ?? 'unknown filesystem'})`;
  if (isMemoryFilesystem(fsType)) {
    out.push({
      code: 'memory-filesystem',
      message: `${where} is a memory filesystem: fsync returns at once and nothing survives a power cut, so its durability numbers are meaningless`,
      remedy: 'use --dir on the disk you want to measure (not /tmp or /dev/shm on systems where they are tmpfs)',
    });
  } else if (isNetworkFilesystem(fsType)) {
    out.push({
      code: 'network-filesystem',
      message: `${where} is a network filesystem: sync latency includes the network and durability depends on the server's own settings`,
      remedy: 'measure on a local disk, or on the server itself; compare only with runs on the same share',
    });
  } else if (fsType !== null && fsType.startsWith('fuse')) {
    out.push({
      code: 'userspace-filesystem',
      message: `${where} is a FUSE filesystem: what fsync does is up to its daemon`,
      remedy: 'check that the FUSE daemon forwards fsync, or measure the filesystem below it',
    });
  }
  for (const d of target.devices ?? []) {
    if (d.kind === 'memory') {
      out.push({
        code: 'memory-block-device',
        message: `${where} is on ${d.path}, a memory-backed block device (zram or ram disk): nothing survives a power cut`,
        remedy: 'use --dir on a persistent disk',
      });
    }
    if (d.kind === 'loop' && isMemoryFilesystem(val(d.backingFsType))) {
      out.push({
        code: 'loop-on-memory',
        message: `${where} is on ${d.path} whose backing file ${val(d.backingFile) ?? '?'} lives on ${val(d.backingFsType)}: nothing survives a power cut`,
        remedy: 'put the loop image on a persistent disk',
      });
    }
  }
  const opts = (val(target.mountOptions) ?? '').split(',');
  if (opts.includes('nobarrier') || opts.includes('barrier=0')) {
    out.push({
      code: 'barriers-disabled',
      message: `${where} is mounted with ${opts.includes('nobarrier') ? 'nobarrier' : 'barrier=0'}: fsync does not flush the device cache`,
      remedy: 'remount without nobarrier/barrier=0 unless the device cache is battery or capacitor backed',
    });
  }
  if (val(target.writeCache) === 'write back' && !isVolatileTarget(target)) {
    const dev = bottomDevice(target.devices ?? []);
    out.push({
      code: 'write-back-cache',
      message: `${where}: the device${dev ? ` ${dev.path}` : ''} has a volatile write cache (write back); syncs are durable only if it honours flush requests`,
      remedy: 'check the sync p50 against the device class (durabench probe warns when it is implausibly fast); on virtual disks the host\'s cache mode decides',
    });
  }
  return out;
}

/**
 * Warn when a sync was faster than the target's device class makes plausible: below 20 µs on a
 * rotational disk, below 50 µs on a device whose write cache is write back (the cache may be lying
 * about flushes), below 5 µs on any block device. Memory filesystems get no warning here
 * (`targetWarnings` already says their numbers are meaningless). `subject` names the measurement in
 * the message (e.g. `fdatasync`). Called by the run coordinator with a case's sync p50 and by
 * `durabench probe` with the p50 of each sync method. Pure.
 *
 * Code: `implausible-sync`.
 */
export function syncPlausibilityWarnings(target: TargetInfo, syncP50Ns: number, subject = 'sync'): Warning[] {
  if (!Number.isFinite(syncP50Ns) || syncP50Ns < 0 || isVolatileTarget(target)) return [];
  if ((target.devices ?? []).length === 0 && target.device.value === null) return [];
  const rotational = val(target.rotational);
  const writeBack = val(target.writeCache) === 'write back';
  let bound: number | null = null;
  let why = '';
  if (rotational === true && syncP50Ns < ROTATIONAL_MIN_SYNC_NS) {
    bound = ROTATIONAL_MIN_SYNC_NS;
    why = 'a rotational disk cannot reach the platter that fast';
  } else if (writeBack && syncP50Ns < WRITE_BACK_MIN_SYNC_NS) {
    bound = WRITE_BACK_MIN_SYNC_NS;
    why = 'the device has a write-back cache: the flush was probably absorbed by a cache that may be lying';
  } else if (syncP50Ns < ANY_DEVICE_MIN_SYNC_NS) {
    bound = ANY_DEVICE_MIN_SYNC_NS;
    why = 'no block device round trip is that fast';
  }
  if (bound === null) return [];
  return [
    {
      code: 'implausible-sync',
      message: `${target.dir}: ${subject} p50 ${formatNs(syncP50Ns)} is below ${formatNs(bound)}; ${why}`,
      remedy:
        'check that the device honours flushes (hdparm -W / nvme get-feature -f 6, the hypervisor cache mode, nobarrier); test with a power-cut (durabench crash --kind power on real hardware)',
    },
  ];
}

/** The sync kinds that make data durable; a directory fsync after a create or rename is metadata only, and cheap. */
export const DATA_SYNC_KINDS: readonly SyncKind[] = ['fdatasync', 'fsync', 'odsync-write'];

/**
 * `syncPlausibilityWarnings` for a measured case, judged on what can be judged: its data syncs
 * (fdatasync, fsync, O_DSYNC writes) in a mode that syncs. A `none` case syncs no data — its only
 * syncs may be directory fsyncs after a segment rotation, which are fast on any honest device — so
 * it gets no plausibility warning. Pure.
 */
export function caseSyncPlausibilityWarnings(target: TargetInfo, c: CompletedCase, subject = `${c.id} data sync`): Warning[] {
  if (c.key.mode === 'none') return [];
  const parts = DATA_SYNC_KINDS.flatMap((k) => {
    const s = c.metrics.syncLatencyByKind[k];
    return s !== undefined && s.count > 0 ? [s] : [];
  });
  if (parts.length === 0) return [];
  const p50 = parts.length === 1 ? parts[0]!.p50Ns : mergeLatencySummaries(parts).p50Ns;
  return syncPlausibilityWarnings(target, p50, subject);
}

/**
 * Warn when repeats of one measurement disagree: (max − min) / median above 25 %. `values` are the
 * repeats (ops/s, latencies: any positive metric); fewer than two values give no warning. Pure.
 *
 * Code: `noisy`.
 */
export function noiseWarnings(values: readonly number[], subject = 'the measurement', spreadLimit = NOISE_SPREAD): Warning[] {
  const s = spreadOf(values);
  if (s === null || s.spread <= spreadLimit) return [];
  const { sorted, median, spread } = s;
  return [
    {
      code: 'noisy',
      message: `${subject} varied by ${(spread * 100).toFixed(0)} % of its median between repeats (min ${fmt(sorted[0]!)}, median ${fmt(median)}, max ${fmt(sorted[sorted.length - 1]!)})`,
      remedy: 'stop other load on the machine and disk, run longer (--seconds/--duration) or repeat, and compare medians',
    },
  ];
}

/**
 * (max − min) / median of the finite values, with the sorted values and the median; null with fewer
 * than two values or a median ≤ 0. Pure.
 */
export function spreadOf(values: readonly number[]): { spread: number; median: number; sorted: number[] } | null {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length < 2) return null;
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  if (median <= 0) return null;
  return { spread: (sorted[sorted.length - 1]! - sorted[0]!) / median, median, sorted };
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
}
