/**
 * Options and fault switches of the `lsm` engine (the WAL's own are shared from engines/wal/options.ts).
 */
import type { EngineOptionSpec, FaultSpec } from '../types.js';

export const MEMTABLE_BYTES_OPTION: EngineOptionSpec = {
  name: 'memtable-bytes',
  type: 'number',
  default: 4 * 1024 * 1024,
  min: 4096,
  // The memtable lives in memory until it is flushed.
  max: 1024 ** 3,
  integer: true,
  describe: 'lsm: flush the memtable to an SSTable once this many bytes were put into it',
};

export const BLOCK_BYTES_OPTION: EngineOptionSpec = {
  name: 'sstable-block-bytes',
  type: 'number',
  default: 4096,
  min: 256,
  max: 64 * 1024 * 1024,
  integer: true,
  describe: 'lsm: target size of an SSTable data block',
};

export const COMPACTION_TABLES_OPTION: EngineOptionSpec = {
  name: 'compaction-tables',
  type: 'number',
  default: 4,
  min: 2,
  max: 1000,
  integer: true,
  describe: 'lsm: merge a tier once it has this many SSTables of similar size (size-tiered compaction)',
};

export const SSTABLE_NO_FSYNC: FaultSpec = {
  name: 'sstable-no-fsync',
  describe: 'SSTables are closed without fsync (their directory entry and the manifest still are synced)',
};

export const TRUNCATE_BEFORE_DURABLE: FaultSpec = {
  name: 'truncate-before-durable',
  describe: 'the WAL is truncated right after the SSTable is written, before it is fsynced and named in the manifest',
};
