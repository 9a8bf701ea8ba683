/**
 * The crash-trial flags, read the same way for `run --crash`, `tune --crash` and `crash --kind`:
 * the crash kinds (× `--fs` × `--device-cache` for power), torn states, reorder subsets, mount
 * options, image size, partial writeback, crash point or sweep, crash window and run length, and the
 * number of crash instants.
 */
import { kindsFromFlags, type CrashPlanSettings } from '../lab/matrix.js';
import { UsageError } from '../model/errors.js';
import { FLAGS, readBoolean, readNumber, readString, readStrings } from './flags.js';

type Args = Readonly<Record<string, unknown>>;

export interface CrashFlagSettings {
  readonly plan: CrashPlanSettings;
  /** null: `--trials` not given (the default, or a crash suite's own). */
  readonly trials: number | null;
  /** `--kind`/`--crash` (or `--fs`) was given: a crash suite's own kinds are replaced. */
  readonly kindsGiven: boolean;
  /** `--device-cache` (one model) or `--torn` given: applied to a crash suite's power kinds. */
  readonly deviceCacheGiven: { readonly deviceCache?: 'none' | 'volatile' | 'reorder'; readonly torn?: boolean } | null;
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
  const deviceCaches = readStrings(args, FLAGS.deviceCache);
  const torn = readBoolean(args, FLAGS.torn);
  const reorderStates = readNumber(args, FLAGS.reorderStates);
  const crashWindow = readString(args, FLAGS.crashWindow);
  // run and tune: `--duration` is the case's; the crash runs last as long. crash: the writer run's.
  const duration = readNumber(args, FLAGS.crashDuration);
  if (given === undefined && command !== 'crash') {
    const stray = [
      trials !== null ? 'trials' : null,
      fs ? 'fs' : null,
      writeback ? 'writeback' : null,
      crashAt ? 'crash-at' : null,
      crashSweep ? 'crash-sweep' : null,
      mountOptions ? 'mount-options' : null,
      imageMib !== null ? 'image-mib' : null,
      deviceCaches ? 'device-cache' : null,
      torn ? 'torn' : null,
      reorderStates !== undefined ? 'reorder-states' : null,
      crashWindow ? 'crash-window' : null,
    ].find((x) => x !== null);
    if (stray) throw new UsageError(`--${stray} needs --crash kill or --crash power`);
    return null;
  }
  if (crashAt !== undefined && crashSweep !== undefined) throw new UsageError('--crash-at and --crash-sweep exclude each other; give one');
  if (reorderStates !== undefined && !(deviceCaches ?? []).includes('reorder')) throw new UsageError('--reorder-states needs --device-cache reorder');
  const kinds = given ?? (fs ? ['power'] : ['kill']);
  const plan: CrashPlanSettings = {
    kinds: kindsFromFlags(kinds, fs ?? ['ext4'], writeback ?? 'none', deviceCaches, torn),
    mountOptions,
    imageMib,
    ...(crashAt !== undefined ? { crashAt } : {}),
    ...(crashSweep !== undefined ? { crashSweep } : {}),
    ...(crashWindow !== undefined ? { crashWindow } : {}),
    // run and tune: the case's --duration sets how long random-instant crash runs last, not the cap to reach a crash point.
    ...(duration !== undefined && (command === 'crash' || (crashAt === undefined && crashSweep === undefined)) ? { runMs: duration * 1000 } : {}),
    ...(reorderStates !== undefined ? { reorderStates } : {}),
  };
  if (deviceCaches && deviceCaches.length > 1 && command === 'crash' && args['suite'] !== undefined) throw new UsageError('--device-cache takes one model with --suite; run the suite once per model');
  const deviceCacheGiven =
    deviceCaches || torn ? { ...(deviceCaches ? { deviceCache: deviceCaches[0] as 'none' | 'volatile' | 'reorder' } : {}), ...(torn ? { torn: true } : {}) } : null;
  return { plan, trials, kindsGiven: given !== undefined || fs !== undefined, deviceCacheGiven };
}
