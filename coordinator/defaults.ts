/**
 * The one set of defaults and limits: what every matrix setting is when neither a flag nor a suite
 * file sets it, what values it may take, and the defaults of crash trials, tune sweeps and the
 * probe. The flag table (cli/flags.ts) and the suite resolver (resolve.ts) both read it.
 */
import os from 'node:os';
import type { NumberRule } from '../model/validate.js';

/** What a suite file or the command line may set. Lists expand the matrix. */
export interface SuiteInput {
  name?: string;
  engines?: string[];
  modes?: string[];
  batchSizes?: number[];
  batchMs?: number | null;
  /** Batch acks: `after-sync` or `before-sync`; null: before-sync per writer, after-sync on a shared log. */
  ack?: string | null;
  commitDelaysUs?: number[];
  commitSiblings?: number;
  syncParallelisms?: number[];
  writers?: number[];
  /** `none` (each writer its own engine instance) and/or `log` (one shared log). */
  shares?: string[];
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
  ack: null,
  // PostgreSQL's docs suggest a commit_delay of about half a single flush (pg_test_fsync's figure); 100 µs is that for a fast SSD.
  commitDelaysUs: [100],
  // PostgreSQL's default commit_siblings.
  commitSiblings: 5,
  syncParallelisms: [4],
  writers: [1],
  shares: ['none'],
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
  /** PostgreSQL's range for commit_delay (µs) and commit_siblings. */
  commitDelayUs: { integer: true, min: 0, max: 100_000 },
  commitSiblings: { integer: true, min: 0, max: 1000 },
  syncParallelism: { integer: true, min: 1, max: 256 },
  valueBytes: { integer: true, min: 0, max: 64 * MIB },
  seed: { integer: true, min: 0, max: 2 ** 32 - 1 },
  /** Seconds. */
  duration: { min: 0, exclusiveMin: true, max: 86_400 },
  /** Seconds. */
  warmup: { min: 0, max: 3_600 },
  /** Per writer: 1e9 commits is 17 minutes at a million commits/s, days at a real disk's sync rate. */
  commits: { integer: true, min: 1, max: 1e9 },
  repeat: { integer: true, min: 1, max: 1000 },
  /** Per case: every crash instant is a writer run of its own, and its crash states stay in the report. */
  trials: { integer: true, min: 1, max: 10_000 },
  imageMib: { integer: true, min: 1, max: 1024 * 1024 },
  blockBytes: { integer: true, min: 1, max: 4 * MIB },
  passes: { integer: true, min: 1, max: 1000 },
  threads: { integer: true, min: 1, max: 64 },
  lossBudgetMs: { min: 0, max: 86_400_000 },
  lossBudgetCommits: { integer: true, min: 0 },
  /** ms; below 10 ms an interval holds too few sync-mode commits for a p99. */
  intervalMs: { min: 10, max: 3_600_000 },
  /** compare and gate: the significance level of the rank test. */
  alpha: { min: 0, exclusiveMin: true, max: 0.5 },
  /** compare: the smallest relative change of the medians called a difference (a fraction). */
  minEffect: { min: 0, max: 0.99 },
  reorderStates: { integer: true, min: 0, max: 64 },
} satisfies Record<string, NumberRule>;

/**
 * Writers per CPU core at most: a writer is a thread that mostly waits in fsync, so more writers
 * than cores is normal (a disk's queue wants depth), but beyond 16 per core the run measures the
 * scheduler and the memory of hundreds of engine instances, not the disk.
 */
export const WRITERS_PER_CORE = 16;

/** The most writers a case may have on this machine (never more than the static limit). */
export function maxWriters(cores = os.availableParallelism()): number {
  return Math.min(LIMITS.writers.max, WRITERS_PER_CORE * Math.max(1, cores));
}

/**
 * Case runs (cases × repeats) one command may schedule: each run's result, histograms included, is
 * kept until the report is written, and repeats are merged from all of them.
 */
export const MAX_SCHEDULED_RUNS = 10_000;

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
/** Probe: the access pattern of the overwrite methods (pg_test_fsync's: the same block at offset 0). */
export const PROBE_DEFAULT_PATTERNS: readonly ('rewrite' | 'sequential')[] = ['rewrite'];
/**
 * Probe: round-robin passes. Every method and target runs this many times for a share of
 * `--duration`, in turn, so drifting background load is spread over all methods instead of
 * falling on the ones that happened to run at a bad moment.
 */
export const PROBE_DEFAULT_PASSES = 5;
/** Probe: thread counts of the sync-parallelism methods (K threads syncing at once). */
export const PROBE_SYNC_THREADS: readonly number[] = [1, 2, 4, 8, 16];
/**
 * compare and gate: significance level of the Mann–Whitney test on the repeats (the convention of
 * criterion.rs, Google Benchmark's compare.py and hyperfine's scripts).
 */
export const COMPARE_ALPHA = 0.05;
/** compare: a significant change of the medians smaller than this is noise (criterion.rs's noise_threshold, 1 %). */
export const COMPARE_MIN_EFFECT = 0.01;
/** tune: the exposure statistic a loss budget in ms is held against, unless --exposure says otherwise. */
export const TUNE_EXPOSURE_STATISTIC = 'p99.9';
/**
 * `run --fs`: size of each loop-mounted image (a sparse file: only what is written takes space).
 * Large enough for a case's engine files at hundreds of thousands of commits per second; the
 * crash lab's power images keep their own, smaller sizes (workspace/image.ts).
 */
export const RUN_FS_IMAGE_MIB = 4096;

/** The directory reports go to (one subdirectory per run) unless `--out` is given. */
export const OUT_ROOT = 'durabench-out';

/**
 * The timeline: points per case when the interval adapts to the case (`--interval-ms` not given).
 * The interval is the largest of 10, 20, 50, 100, 200, 500 ms, 1 s, 2 s, 5 s, … that gives at least
 * `targetPoints` points, so a case draws between 80 and 200 (a 1 s case: 10 ms, 100 points). Cases
 * stopped by a commit count start at the smallest interval and double it whenever they pass
 * `maxPoints` (adjacent intervals merge exactly: their histograms add).
 */
export const TIMELINE = { minIntervalMs: 10, targetPoints: 80, maxPoints: 200 } as const;

/** The adaptive timeline interval of a case measured for `durationMs` (null: stopped by a commit count). */
export function adaptiveIntervalMs(durationMs: number | null): number {
  if (durationMs === null) return TIMELINE.minIntervalMs;
  const wanted = durationMs / TIMELINE.targetPoints;
  let best: number = TIMELINE.minIntervalMs;
  for (let decade = TIMELINE.minIntervalMs; decade <= wanted; decade *= 10) {
    for (const step of [1, 2, 5]) if (decade * step <= wanted) best = decade * step;
  }
  return best;
}
