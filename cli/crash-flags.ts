/**
 * The crash-trial flags, read the same way for `run --crash`, `tune --crash` and `crash --kind`:
 * the crash kind, partial writeback, crash point or sweep, the number of trials, and the images.
 *
 * `--fs` has one meaning everywhere: the filesystems the engine runs on, each a loop-mounted image
 * durabench makes (`FS[:mount options]`). For `run` and `tune` the whole matrix runs on those
 * images (coordinator/fs-targets.ts) and `--crash power` cuts power on an image of the filesystem
 * each case ran on; for `crash` the power trials run on them. `--mount-options` and `--image-mib`
 * apply to every image durabench makes.
 */
import { kindsFromFlags, type CrashKindSpec, type CrashPlanSettings } from '../lab/matrix.js';
import { UsageError } from '../model/errors.js';
import { parseFsSpecs, type FsSpec } from '../model/fs-spec.js';
import { FLAGS, readNumber, readString, readStrings } from './flags.js';

type Args = Readonly<Record<string, unknown>>;

export interface CrashFlagSettings {
  readonly plan: CrashPlanSettings;
  /** null: `--trials` not given (the default, or a crash suite's own). */
  readonly trials: number | null;
  /** `--kind` (or `--fs`) was given: a crash suite's own kinds are replaced. */
  readonly kindsGiven: boolean;
}

/** `run --crash` / `tune --crash`: how every case is crashed; the filesystem of power trials is the case's own. */
export interface RunCrashFlags {
  readonly kind: 'kill' | 'power';
  readonly trials: number | null;
  readonly writeback: 'none' | 'random';
  readonly mountOptions: string | null;
  readonly imageMib: number | null;
  readonly crashAt?: string;
  readonly crashSweep?: string;
}

/** `--fs` as specs (empty when not given). */
export function fsSpecsFromFlags(args: Args): FsSpec[] {
  const items = readStrings(args, FLAGS.fs);
  return items === undefined ? [] : parseFsSpecs(items);
}

function common(args: Args) {
  const crashAt = readString(args, FLAGS.crashAt);
  const crashSweep = readString(args, FLAGS.crashSweep);
  if (crashAt !== undefined && crashSweep !== undefined) throw new UsageError('--crash-at and --crash-sweep exclude each other; give one');
  return {
    trials: readNumber(args, FLAGS.trials) ?? null,
    writeback: (readString(args, FLAGS.writeback) ?? 'none') as 'none' | 'random',
    crashAt,
    crashSweep,
    mountOptions: readString(args, FLAGS.mountOptions) ?? null,
    imageMib: readNumber(args, FLAGS.imageMib) ?? null,
  };
}

/** `run`/`tune`: the crash settings, or null without `--crash` (then crash-only flags are mistakes). */
export function runCrashFromFlags(args: Args): RunCrashFlags | null {
  const kind = readString(args, FLAGS.crash) as 'kill' | 'power' | undefined;
  const c = common(args);
  if (kind === undefined) {
    const stray = [c.trials !== null ? 'trials' : null, args[FLAGS.writeback.name] !== undefined ? 'writeback' : null, c.crashAt ? 'crash-at' : null, c.crashSweep ? 'crash-sweep' : null].find((x) => x !== null);
    if (stray) throw new UsageError(`--${stray} needs --crash kill or --crash power`);
    return null;
  }
  if (kind === 'kill' && c.writeback !== 'none') throw new UsageError('--writeback applies to --crash power (kill keeps the page cache); drop it or use --crash power');
  return { kind, ...c, ...(c.crashAt !== undefined ? { crashAt: c.crashAt } : {}), ...(c.crashSweep !== undefined ? { crashSweep: c.crashSweep } : {}) };
}

/** The crash plan of `run --crash` for cases that ran on `fs` (with its mount options); kill ignores the filesystem. */
export function runCrashPlan(c: RunCrashFlags, fs: FsSpec | null): CrashPlanSettings {
  const kinds: CrashKindSpec[] = c.kind === 'kill' ? [{ kind: 'kill' }] : [{ kind: 'power', fs: fs?.fs ?? 'ext4', writeback: c.writeback }];
  return {
    kinds,
    mountOptions: fs?.mountOptions ?? c.mountOptions,
    imageMib: c.imageMib,
    ...(c.crashAt !== undefined ? { crashAt: c.crashAt } : {}),
    ...(c.crashSweep !== undefined ? { crashSweep: c.crashSweep } : {}),
  };
}

/** `durabench crash`: the crash kinds × `--fs` images, and the trial settings. */
export function crashSettingsFromFlags(args: Args): CrashFlagSettings {
  const given = readStrings(args, FLAGS.kind);
  const c = common(args);
  const specs = fsSpecsFromFlags(args);
  const withOptions = [...new Set(specs.map((s) => s.mountOptions))];
  if (withOptions.length > 1) {
    throw new UsageError(`--fs ${specs.map((s) => s.spec).join(',')}: durabench crash mounts every image with one set of options; run it once per set (or use durabench run --fs … --crash power)`);
  }
  const specOptions = withOptions[0] ?? null;
  if (specOptions !== null && c.mountOptions !== null) throw new UsageError('give mount options either in --fs (ext4:data=journal) or with --mount-options, not both');
  const kinds = given ?? (specs.length > 0 ? ['power'] : ['kill']);
  const plan: CrashPlanSettings = {
    kinds: kindsFromFlags(kinds, specs.length > 0 ? specs.map((s) => s.fs) : ['ext4'], c.writeback),
    mountOptions: specOptions ?? c.mountOptions,
    imageMib: c.imageMib,
    ...(c.crashAt !== undefined ? { crashAt: c.crashAt } : {}),
    ...(c.crashSweep !== undefined ? { crashSweep: c.crashSweep } : {}),
  };
  return { plan, trials: c.trials, kindsGiven: given !== undefined || specs.length > 0 };
}
