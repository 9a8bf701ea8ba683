/**
 * The crash-trial flags, read the same way for `run --crash`, `tune --crash` and `crash --kind`:
 * the crash kinds (× `--fs` for power), mount options, image size, partial writeback, crash point or
 * sweep, and the number of trials.
 */
import { kindsFromFlags, type CrashPlanSettings } from '../lab/matrix.js';
import { UsageError } from '../model/errors.js';
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
