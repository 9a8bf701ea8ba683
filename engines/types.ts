/**
 * The engine contract. Every engine — built in, real (SQLite, LevelDB, LMDB) or user-supplied — is an
 * `EngineFactory` that creates `Engine` instances bound to one directory and one `Io`.
 *
 * The measurement loop times each `put` (a commit: its return is the ack). Engines report only what
 * the loop cannot see: their sync calls (through `Io`, automatically), which commits a sync made
 * durable (`EngineContext.durability.durable(n)`), and the duration of their internal phases
 * (`EngineContext.recordPhase`).
 */
import type { Io } from '../io/io.js';
import type { Durability } from '../model/durability.js';
import type { RecoveryReport } from '../model/recovery.js';
import type { ServerEndpoint } from '../model/server.js';
import type { ServerSpec } from './server-spec.js';

export { MODES, type BatchDurability, type Durability, type Mode } from '../model/durability.js';
export { emptyRecovery, type RecoveryReport } from '../model/recovery.js';
import type { Mode } from '../model/durability.js';

/** A value that may or may not be a promise: built-in engines are synchronous, real ones may not be. */
export type Awaitable<T> = T | Promise<T>;

/** Receives the engine's durability claims. */
export interface DurabilityListener {
  /**
   * Called by the engine right after a sync returned: the first `commits` commits (counted from the
   * engine's open, 1-based, in put order) are now durable. Monotonic. A faulted engine that skips its
   * sync still calls this: that is its claim, which the crash lab checks. `atNs` (process.hrtime
   * clock): when that sync returned, if it was earlier than now — a writer of a shared log learns of
   * syncs other threads issued only at its next commit.
   */
  durable(commits: number, atNs?: bigint): void;
}

/**
 * What one engine instance is given: its directory, io layer, options and fault switches, with its
 * durability setting spread in — `ctx.mode` is the tag; `ctx.batchSize` and `ctx.batchMs` exist in
 * batch mode only — so the context is itself a `Durability` (`SyncPolicy.fromContext(ctx)`).
 */
export type EngineContext = EngineContextBase & Durability;

export interface EngineContextBase {
  /** The engine's own directory. It exists; it is empty on first open, or holds a previous run's files. */
  readonly dir: string;
  /** All file operations go through here. */
  readonly io: Io;
  /** Engine-specific options, already validated against `EngineFactory.options` (defaults filled in). */
  readonly options: Readonly<Record<string, EngineOptionValue>>;
  /** Enabled fault switches (see `EngineFactory.faults`). */
  readonly faults: ReadonlySet<string>;
  readonly durability: DurabilityListener;
  /** Record the wall time of an internal phase (flush, compaction, checkpoint, rotation). */
  recordPhase(name: string, durationNs: number): void;
  /** Monotonic clock in nanoseconds (process.hrtime.bigint, or a fake one in tests). */
  readonly clockNs: () => bigint;
  /** Set when the case's writers share one log (`--share log`): this writer's part of it. */
  readonly share?: SharedLogContext | null;
  /**
   * Server engines only (`EngineFactory.server`): the running server this instance talks to. The
   * coordinator or the crash lab started it (one per case, shared by the case's writers); the engine
   * opens its own client connection in `open()` and closes it in `close()`.
   */
  readonly server?: ServerEndpoint;
}

/**
 * What one writer of a shared log is given (`--share log`, engines with `EngineFactory.sharedLog`):
 * every writer of the case runs on its own thread with its own `Engine` instance, all on the same
 * directory, coordinating through `memory`.
 */
export interface SharedLogContext {
  readonly kind: 'log';
  /** `EngineFactory.sharedLog.memoryBytes(writers)` bytes, zeroed, allocated once per case by the coordinator. */
  readonly memory: SharedArrayBuffer;
  /** This writer, 0-based; writer 0 recovers the directory in `open()` while the others wait for it. */
  readonly writer: number;
  readonly writers: number;
  /**
   * The thread that issued a sync reports it once: how many commits it covered (every writer's) and
   * how long it waited before issuing it. Gives the real group sizes and the leader wait time.
   */
  recordGroup(commits: number, waitNs: number): void;
}

/** Engine-specific counters for the report (flushes, compactions, rotations, ...). */
export type EngineStats = Record<string, number>;

export interface Engine {
  /** Open the directory, running recovery on whatever is there. Never throws on torn or garbage data. */
  open(): Awaitable<RecoveryReport>;
  /** One commit. Returning (or resolving) is the ack: everything acked is a promise to the user. */
  put(key: Buffer, value: Buffer): Awaitable<void>;
  /** The latest acked value of `key`, or undefined. Never a value that was not written. */
  get(key: Buffer): Awaitable<Buffer | undefined>;
  /** Let time-based policies act while no commit arrives (batch mode with batchMs). */
  tick?(): Awaitable<void>;
  /** Clean close: pending commits become durable, files are closed. */
  close(): Awaitable<void>;
  /** Engine-specific counters, read once after the measurement. */
  stats?(): EngineStats;
}

export type EngineOptionValue = number | string | boolean;

/** An engine-specific option, exposed on the command line as `--<name>`. */
export interface EngineOptionSpec {
  /** Flag name without dashes, e.g. `segment-bytes`. Engines that share a name must share its meaning. */
  readonly name: string;
  readonly type: 'number' | 'string' | 'boolean';
  /** For strings: the allowed values. */
  readonly choices?: readonly string[];
  readonly default: EngineOptionValue;
  /** For numbers: smallest allowed value. */
  readonly min?: number;
  /** For numbers: largest allowed value (a bound that keeps a typo from exhausting memory or disk). */
  readonly max?: number;
  /** For numbers: whole numbers only (sizes, counts). */
  readonly integer?: boolean;
  readonly describe: string;
}

/** A named durability defect that can be switched on (docs/engines.md, "Fault switches"). */
export interface FaultSpec {
  readonly name: string;
  readonly describe: string;
}

export interface EngineFactory {
  /** The name used on the command line and in reports. */
  readonly name: string;
  /** One line for `durabench engines`. */
  readonly summary: string;
  /** Modes this engine can run. */
  readonly modes: readonly Mode[];
  readonly options: readonly EngineOptionSpec[];
  readonly faults: readonly FaultSpec[];
  /** Phase marker names this engine announces through `Io.marker` (for `--crash-at marker:NAME`). */
  readonly markers: readonly string[];
  /** `sync`: every method returns plain values (exact timing). `async`: every method returns promises. */
  readonly contract: 'sync' | 'async';
  /**
   * Reject a combination of mode and options this engine cannot run (e.g. O_DSYNC writes in batch
   * mode): return one line naming the option and the fix, or null when it is fine.
   */
  check?(mode: Mode, options: Readonly<Record<string, EngineOptionValue>>): string | null;
  /**
   * Optional. Can this engine run on this machine? Resolves to null when it can, else one line saying
   * why not (e.g. an optional native dependency failed to install or load). Engines that wrap a native
   * library (sqlite, leveldb, lmdb) import it here, lazily, so a missing library never breaks the
   * others: `durabench engines` lists the engine as unavailable with the reason and `durabench run`
   * rejects it with that line. Absent = always available. Must not throw. See docs/engines.md.
   */
  availability?(): Promise<string | null>;
  /**
   * Optional. `process`: run this engine's cases in a child process of their own, because its native
   * library can take the whole process down (lmdb-js corrupts its heap and aborts after ENOSPC): the
   * case is then `errored` with what the child said, and the run goes on. Absent: worker threads
   * in the coordinator's process (no process start per case).
   */
  readonly isolation?: 'process';
  /**
   * Optional: the engine runs many writers on one shared log (`--share log`) and the modes that need
   * one (delay, pipelined, batch acked after its sync). `create` then gets `ctx.share`.
   */
  readonly sharedLog?: {
    /** Bytes of shared memory the writers of one case need. */
    memoryBytes(writers: number): number;
  };
  /**
   * Build an engine instance. Engines whose `availability()` resolved to null may rely on whatever it
   * loaded (it is always awaited before `create` is called by `loadEngine` users).
   */
  create(ctx: EngineContext): Engine;
  /**
   * Server engines: how to find, prepare, start, probe and stop the database server the engine's
   * instances are clients of (engines/server-spec.ts). The coordinator and the crash lab run it; the
   * engine itself never starts a process.
   */
  readonly server?: ServerSpec;
}
