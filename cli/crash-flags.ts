/**
 * The crash-trial flags, read the same way for `run --crash`, `tune --crash` and `crash --kind`:
 * the crash kind, the drive-cache model (`--device-cache`, `--torn`, `--reorder-states`), partial
 * writeback, crash point or sweep, crash window and run length, the number of crash instants, and
 * the images.
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
import { FLAGS, readBoolean, readNumber, readString, readStrings } from './flags.js';

type Args = Readonly<Record<string, unknown>>;

type DeviceCacheName = 'none' | 'volatile' | 'reorder';

export interface CrashFlagSettings {
  readonly plan: CrashPlanSettings;
  /** null: `--trials` not given (the default, or a crash suite's own). */
  readonly trials: number | null;
  /** `--kind` (or `--fs`) was given: a crash suite's own kinds are replaced. */
  readonly kindsGiven: boolean;
  /** `--device-cache` (one model) or `--torn` given: applied to a crash suite's power kinds. */
  readonly deviceCacheGiven: { readonly deviceCache?: DeviceCacheName; readonly torn?: boolean } | null;
}

/** The trial settings every command reads the same way. */
interface CommonCrashFlags {
  readonly trials: number | null;
  readonly writeback: 'none' | 'random';
  readonly crashAt?: string;
  readonly crashSweep?: string;
  readonly mountOptions: string | null;
  readonly imageMib: number | null;
  /** undefined: `--device-cache` not given (the default model). */
  readonly deviceCaches?: readonly string[];
  readonly torn: boolean;
  readonly reorderStates?: number;
  readonly crashWindow?: string;
  /** `--duration` in seconds: the case's for run and tune, the writer run's for crash. */
  readonly durationS?: number;
}

/** `run --crash` / `tune --crash`: how every case is crashed; the filesystem of power trials is the case's own. */
export interface RunCrashFlags extends CommonCrashFlags {
  readonly kind: 'kill' | 'power';
}

/** `--fs` as specs (empty when not given). */
export function fsSpecsFromFlags(args: Args): FsSpec[] {
  const items = readStrings(args, FLAGS.fs);
  return items === undefined ? [] : parseFsSpecs(items);
}

function common(args: Args): CommonCrashFlags {
  const crashAt = readString(args, FLAGS.crashAt);
  const crashSweep = readString(args, FLAGS.crashSweep);
  if (crashAt !== undefined && crashSweep !== undefined) throw new UsageError('--crash-at and --crash-sweep exclude each other; give one');
  const deviceCaches = readStrings(args, FLAGS.deviceCache);
  const reorderStates = readNumber(args, FLAGS.reorderStates);
  if (reorderStates !== undefined && !(deviceCaches ?? []).includes('reorder')) throw new UsageError('--reorder-states needs --device-cache reorder');
  const crashWindow = readString(args, FLAGS.crashWindow);
  const durationS = readNumber(args, FLAGS.crashDuration);
  return {
    trials: readNumber(args, FLAGS.trials) ?? null,
    writeback: (readString(args, FLAGS.writeback) ?? 'none') as 'none' | 'random',
    ...(crashAt !== undefined ? { crashAt } : {}),
    ...(crashSweep !== undefined ? { crashSweep } : {}),
    mountOptions: readString(args, FLAGS.mountOptions) ?? null,
    imageMib: readNumber(args, FLAGS.imageMib) ?? null,
    ...(deviceCaches !== undefined ? { deviceCaches } : {}),
    torn: readBoolean(args, FLAGS.torn),
    ...(reorderStates !== undefined ? { reorderStates } : {}),
    ...(crashWindow !== undefined ? { crashWindow } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
  };
}

/** The plan settings besides the kinds, shared by every command. */
function planExtras(c: CommonCrashFlags, command: 'run' | 'crash'): Omit<CrashPlanSettings, 'kinds' | 'mountOptions' | 'imageMib'> {
  return {
    ...(c.crashAt !== undefined ? { crashAt: c.crashAt } : {}),
    ...(c.crashSweep !== undefined ? { crashSweep: c.crashSweep } : {}),
    ...(c.crashWindow !== undefined ? { crashWindow: c.crashWindow } : {}),
    // run and tune: the case's --duration sets how long random-instant crash runs last, not the cap to reach a crash point.
    ...(c.durationS !== undefined && (command === 'crash' || (c.crashAt === undefined && c.crashSweep === undefined)) ? { runMs: c.durationS * 1000 } : {}),
    ...(c.reorderStates !== undefined ? { reorderStates: c.reorderStates } : {}),
  };
}

/** `run`/`tune`: the crash settings, or null without `--crash` (then crash-only flags are mistakes). */
export function runCrashFromFlags(args: Args): RunCrashFlags | null {
  const kind = readString(args, FLAGS.crash) as 'kill' | 'power' | undefined;
  const c = common(args);
  if (kind === undefined) {
    const stray = [
      c.trials !== null ? 'trials' : null,
      args[FLAGS.writeback.name] !== undefined ? 'writeback' : null,
      c.crashAt ? 'crash-at' : null,
      c.crashSweep ? 'crash-sweep' : null,
      c.deviceCaches ? 'device-cache' : null,
      c.torn ? 'torn' : null,
      c.reorderStates !== undefined ? 'reorder-states' : null,
      c.crashWindow ? 'crash-window' : null,
    ].find((x) => x !== null);
    if (stray) throw new UsageError(`--${stray} needs --crash kill or --crash power`);
    return null;
  }
  if (kind === 'kill' && c.writeback !== 'none') throw new UsageError('--writeback applies to --crash power (kill keeps the page cache); drop it or use --crash power');
  if (kind === 'kill' && (c.deviceCaches || c.torn)) throw new UsageError(`--${c.deviceCaches ? 'device-cache' : 'torn'} applies to --crash power (a killed process leaves the drive's cache alone); drop it or use --crash power`);
  return { kind, ...c };
}

/** The crash plan of `run --crash` for cases that ran on `fs` (with its mount options); kill ignores the filesystem. */
export function runCrashPlan(c: RunCrashFlags, fs: FsSpec | null): CrashPlanSettings {
  const kinds: CrashKindSpec[] = c.kind === 'kill' ? [{ kind: 'kill' }] : kindsFromFlags(['power'], [fs?.fs ?? 'ext4'], c.writeback, c.deviceCaches, c.torn);
  return { kinds, mountOptions: fs?.mountOptions ?? c.mountOptions, imageMib: c.imageMib, ...planExtras(c, 'run') };
}

/** `durabench crash`: the crash kinds × `--fs` images × drive-cache models, and the trial settings. */
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
  if (c.deviceCaches && c.deviceCaches.length > 1 && args['suite'] !== undefined) throw new UsageError('--device-cache takes one model with --suite; run the suite once per model');
  const kinds = given ?? (specs.length > 0 ? ['power'] : ['kill']);
  const plan: CrashPlanSettings = {
    kinds: kindsFromFlags(kinds, specs.length > 0 ? specs.map((s) => s.fs) : ['ext4'], c.writeback, c.deviceCaches, c.torn),
    mountOptions: specOptions ?? c.mountOptions,
    imageMib: c.imageMib,
    ...planExtras(c, 'crash'),
  };
  const deviceCacheGiven =
    c.deviceCaches || c.torn ? { ...(c.deviceCaches ? { deviceCache: c.deviceCaches[0] as DeviceCacheName } : {}), ...(c.torn ? { torn: true } : {}) } : null;
  return { plan, trials: c.trials, kindsGiven: given !== undefined || specs.length > 0, deviceCacheGiven };
}
