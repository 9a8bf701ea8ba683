/**
 * The crash-trial flags, read the same way for `run --crash`, `tune --crash` and `crash --kind`:
 * the crash kinds (× `--fs` for power), mount options, image size, partial writeback, crash point or
 * sweep, and the number of trials.
 */
import fs from 'node:fs';
import type { EngineFactory } from '../engines/types.js';
import { parseCrashPoint, parseCrashSweep } from '../lab/crash-point.js';
import { kindsFromFlags, type CrashPlanSettings, type PlannedCrashCase } from '../lab/matrix.js';
import { UsageError } from '../model/errors.js';
import { MIN_IMAGE_MIB } from '../workspace/image.js';
import { FLAGS, readNumber, readString, readStrings } from './flags.js';

type Args = Readonly<Record<string, unknown>>;

export interface CrashFlagSettings {
  readonly plan: CrashPlanSettings;
  /** null: `--trials` not given (the default, or a crash suite's own). */
  readonly trials: number | null;
  /** `--kind`/`--crash` (or `--fs`) was given: a crash suite's own kinds are replaced. */
  readonly kindsGiven: boolean;
}

/** The crash settings given; null for run and tune without `--crash`. */
export function crashSettingsFromFlags(args: Args, command: 'run' | 'tune' | 'crash'): CrashFlagSettings | null {
  const given = command === 'crash' ? readStrings(args, FLAGS.kind) : readStrings(args, FLAGS.crash);
  const trials = readNumber(args, FLAGS.trials) ?? null;
  const fs = readStrings(args, FLAGS.fs);
  const writeback = readString(args, FLAGS.writeback);
  const crashAt = readString(args, FLAGS.crashAt);
  const crashSweep = readString(args, FLAGS.crashSweep);
  const mountOptions = readString(args, FLAGS.mountOptions) ?? null;
  const imageMib = readNumber(args, FLAGS.imageMib) ?? null;
  if (given === undefined && command !== 'crash') {
    const stray = [trials !== null ? 'trials' : null, fs ? 'fs' : null, writeback ? 'writeback' : null, crashAt ? 'crash-at' : null, crashSweep ? 'crash-sweep' : null, mountOptions ? 'mount-options' : null, imageMib !== null ? 'image-mib' : null].find((x) => x !== null);
    if (stray) throw new UsageError(`--${stray} needs --crash kill or --crash power`);
    return null;
  }
  if (crashAt !== undefined && crashSweep !== undefined) throw new UsageError('--crash-at and --crash-sweep exclude each other; give one');
  const kinds = given ?? (fs ? ['power'] : ['kill']);
  const plan: CrashPlanSettings = {
    kinds: kindsFromFlags(kinds, fs ?? ['ext4'], writeback ?? 'none'),
    mountOptions,
    imageMib,
    ...(crashAt !== undefined ? { crashAt } : {}),
    ...(crashSweep !== undefined ? { crashSweep } : {}),
  };
  return { plan, trials, kindsGiven: given !== undefined || fs !== undefined };
}

/**
 * A crash point or sweep must name markers some selected engine announces: otherwise every case
 * would be skipped and the report would say nothing — a typo, said as one line instead.
 */
export function checkCrashMarkers(plan: CrashPlanSettings, factories: readonly EngineFactory[]): void {
  const names: [string, string][] = [];
  if (plan.crashAt !== undefined) {
    const p = parseCrashPoint(plan.crashAt);
    if (typeof p !== 'string' && p.kind === 'marker') names.push(['--crash-at', p.name]);
  }
  if (plan.crashSweep !== undefined) {
    const s = parseCrashSweep(plan.crashSweep);
    if (typeof s !== 'string') names.push(['--crash-sweep', s.from.name], ['--crash-sweep', s.to.name]);
  }
  for (const [flag, name] of names) {
    if (factories.some((f) => f.markers.includes(name))) continue;
    const known = [...new Set(factories.flatMap((f) => f.markers))];
    const typed = flag === '--crash-at' ? plan.crashAt : plan.crashSweep;
    throw new UsageError(
      `${flag} '${typed}': no selected engine (${factories.map((f) => f.name).join(', ')}) announces a marker '${name}'; ${known.length > 0 ? `their markers: ${known.join(', ')}` : 'they announce no markers (use op:K or random)'} (see durabench engines)`,
    );
  }
}

/** Free bytes for an unprivileged writer in the filesystem of `dir` (statfs f_bavail × f_bsize). */
function freeBytes(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/**
 * Power cuts need room for their images: a trial holds its image and the crash copy, each up to
 * the image size (sparse, but the writer may fill it), beside the template. Refused up front with
 * the bound in the message, instead of every trial failing in mkfs or cp with ENOSPC.
 * `typed`: `--image-mib` as the user typed it (null: the default size).
 */
export function checkImageSpace(cases: readonly PlannedCrashCase[], typed: string | null): void {
  const need = new Map<string, { mib: number; fs: string }>();
  for (const c of cases) {
    if (c.skip !== null || c.setting.kind !== 'power' || c.imageMib <= 0) continue;
    const prev = need.get(c.key.target);
    if (!prev || prev.mib < c.imageMib) need.set(c.key.target, { mib: c.imageMib, fs: c.setting.filesystem ?? 'ext4' });
  }
  for (const [target, { mib, fs: fsType }] of need) {
    const free = freeBytes(target);
    if (free === null) continue;
    const freeMib = Math.floor(free / (1024 * 1024));
    if (2 * mib <= freeMib) continue;
    const most = Math.floor(freeMib / 2);
    if (typed !== null) throw new UsageError(`--image-mib ${typed} needs about ${2 * mib} MiB free in ${target} (the image and its crash copy) and ${freeMib} MiB are free; use at most ${most}`);
    const min = MIN_IMAGE_MIB[fsType as keyof typeof MIN_IMAGE_MIB] ?? 8;
    throw new UsageError(
      `power crashes on ${fsType} use ${mib} MiB images: ${target} needs about ${2 * mib} MiB free and has ${freeMib} MiB; free some space, give a --dir with room${most >= min ? `, or --image-mib ${most}` : ''}`,
    );
  }
}

/** `--image-mib` exactly as typed (for messages), or null. */
export function typedImageMib(args: Args): string | null {
  const v = args[FLAGS.imageMib.name];
  return v === undefined ? null : String(Array.isArray(v) ? v.at(-1) : v);
}
