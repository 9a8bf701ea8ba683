/**
 * Options and fault switches of the write-ahead log, shared by every engine built on `WalLog` (wal,
 * lsm) so that a flag means the same thing everywhere.
 */
import type { EngineContext, EngineOptionSpec, FaultSpec } from '../types.js';
import type { WalLogConfig } from './log.js';

export const SEGMENT_BYTES_OPTION: EngineOptionSpec = {
  name: 'segment-bytes',
  type: 'number',
  default: 64 * 1024 * 1024,
  min: 4096,
  // With --preallocate a whole segment is zero-filled at once: 64 GiB is far past any real WAL.
  max: 64 * 1024 ** 3,
  integer: true,
  describe: 'wal, lsm: rotate to a new WAL segment file at this size',
};

/** The same spec as raw's `--preallocate` (same name, same meaning). */
export const PREALLOCATE_OPTION: EngineOptionSpec = {
  name: 'preallocate',
  type: 'boolean',
  default: false,
  describe: 'raw, wal, lsm: zero-fill files before writing so syncs need not commit size metadata',
};

export const FLUSH_NO_FSYNC: FaultSpec = {
  name: 'flush-no-fsync',
  describe: 'the log write is never synced, while the mode still claims its durability',
};

export const NO_DIR_FSYNC: FaultSpec = {
  name: 'no-dir-fsync',
  describe: 'new, rotated and deleted files are fsynced but their directory is not',
};

/** The `WalLog` configuration an engine context implies (options, faults, clock, phases). */
export function walConfigFrom(ctx: EngineContext, dir = ctx.dir): WalLogConfig {
  return {
    io: ctx.io,
    dir,
    segmentBytes: Number(ctx.options['segment-bytes'] ?? SEGMENT_BYTES_OPTION.default),
    preallocate: ctx.options['preallocate'] === true,
    syncRecords: !ctx.faults.has(FLUSH_NO_FSYNC.name),
    syncDir: !ctx.faults.has(NO_DIR_FSYNC.name),
    clockNs: ctx.clockNs,
    recordPhase: (name, ns) => ctx.recordPhase(name, ns),
  };
}
