/**
 * The one set of defaults and limits: what every matrix setting is when neither a flag nor a suite
 * file sets it, what values it may take, and the defaults of crash trials, tune sweeps and the
 * probe. The flag table (cli/flags.ts) and the suite resolver (resolve.ts) both read it.
 */
import type { NumberRule } from '../model/validate.js';

/** What a suite file or the command line may set. Lists expand the matrix. */
export interface SuiteInput {
  name?: string;
  engines?: string[];
  modes?: string[];
  batchSizes?: number[];
  batchMs?: number | null;
  writers?: number[];
  valueBytes?: number[];
  workloads?: string[];
  targets?: string[];
  faults?: (string | null)[];
  engineOptions?: Record<string, number | string | boolean>;
  seed?: number;
  warmupMs?: number;
  durationMs?: number | null;
  commitsPerWriter?: number | null;
  repeat?: number;
}

export type SuiteDefaults = Required<SuiteInput>;

/** The matrix when nothing else is given: raw and wal in every mode, 128-byte values, 1 s each. */
export const SUITE_DEFAULTS: SuiteDefaults = {
  name: 'default',
  engines: ['raw', 'wal'],
  modes: ['sync', 'batch', 'none'],
  batchSizes: [16],
  batchMs: null,
  writers: [1],
  valueBytes: [128],
  workloads: ['unique'],
  targets: ['.'],
  faults: [null],
  engineOptions: {},
  seed: 1,
  warmupMs: 200,
  durationMs: 1000,
  commitsPerWriter: null,
  repeat: 1,
};

const MIB = 1024 * 1024;

/** What each numeric setting may be (per list item for lists). Bounds keep a typo from exhausting the machine. */
export const LIMITS = {
  batchSize: { integer: true, min: 1, max: 1_000_000 },
  batchMs: { min: 0, exclusiveMin: true, max: 3_600_000 },
  writers: { integer: true, min: 1, max: 256 },
  valueBytes: { integer: true, min: 0, max: 64 * MIB },
  seed: { integer: true, min: 0, max: 2 ** 32 - 1 },
  /** Seconds. */
  duration: { min: 0, exclusiveMin: true, max: 86_400 },
  /** Seconds. */
  warmup: { min: 0, max: 3_600 },
  commits: { integer: true, min: 1, max: 1e12 },
  repeat: { integer: true, min: 1, max: 1000 },
  trials: { integer: true, min: 1, max: 100_000 },
  imageMib: { integer: true, min: 1, max: 1024 * 1024 },
  blockBytes: { integer: true, min: 1, max: 4 * MIB },
  lossBudgetMs: { min: 0, max: 86_400_000 },
  lossBudgetCommits: { integer: true, min: 0 },
  reorderStates: { integer: true, min: 0, max: 64 },
} satisfies Record<string, NumberRule>;

/** Crash instants per case (`--trials`); each yields one or more crash states. */
export const DEFAULT_TRIALS = 5;
/** The drive's write cache at a power cut unless `--device-cache` says otherwise: most drives have one (write back). */
export const DEFAULT_DEVICE_CACHE = 'volatile';
/** Random crash instants spread over the whole writer run unless `--crash-window` narrows it. */
export const DEFAULT_CRASH_WINDOW = '0%..100%';
/** How long a crash lab writer run lasts unless `--duration` (or a window in seconds) says otherwise, ms. */
export const DEFAULT_CRASH_RUN_MS = 1000;
/** `--device-cache reorder`: random subsets of the cached blocks verified per crash instant. */
export const DEFAULT_REORDER_STATES = 3;
/** Crash points and sweeps: the writer run's cap (the point must come before it), ms. */
export const CRASH_POINT_RUN_MS = 20_000;
/** Lost ranges kept per crash state in the report (the count of all is kept too). */
export const LOST_RANGES_KEPT = 256;
/** The lab's tmpfs (medium, crash images) may hold this many images' worth of MiB (sparse files use less). */
export const LAB_TMPFS_IMAGES = 8;
/** Trials per case of the bundled crash suites unless they say otherwise. */
export const DEFAULT_SUITE_TRIALS = 3;
/** The batch sizes `durabench tune` sweeps when `--batch-size` is not given. */
export const TUNE_BATCH_SIZES: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/** A database server (server engines) must answer its readiness probe within this, ms (crash recovery included). */
export const SERVER_READY_TIMEOUT_MS = 120_000;
/** initdb, mariadb-install-db: ms before they count as hung. */
export const SERVER_PREPARE_TIMEOUT_MS = 120_000;
/** A clean server shutdown may take this long before it is killed instead, ms. */
export const SERVER_STOP_TIMEOUT_MS = 30_000;
/** The report files every session writes unless `--format` says otherwise. */
export const DEFAULT_FORMATS: readonly string[] = ['json', 'csv', 'md', 'html'];
/** Probe: measured seconds per method and target; the write size of the block-size methods. */
export const PROBE_DEFAULT_SECONDS = 1;
export const PROBE_DEFAULT_BLOCK_BYTES = 8192;
/** The directory reports go to (one subdirectory per run) unless `--out` is given. */
export const OUT_ROOT = 'durabench-out';
