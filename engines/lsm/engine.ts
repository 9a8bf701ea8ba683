/**
 * `lsm`: a log-structured merge tree. A put is appended to the WAL (`WalLog`, synced as the mode's
 * `SyncPolicy` says) and inserted into a sorted memtable; once the memtable holds `--memtable-bytes`
 * the put that filled it also flushes it, on the writer's thread, so the commit latency of that put
 * shows the stall. Reads go memtable → SSTables newest first.
 *
 * Flush protocol (each step durable before the next; markers in brackets):
 *   [flush-start] → rotate the WAL to a new segment S [segment-rotated] → write the SSTable, fsync it,
 *   fsync the directory [sstable-synced] → replace the manifest (new table list, WAL checkpoint = start
 *   of S) [manifest-synced] → delete WAL segments before S [wal-truncated] → maybe compact
 *   [compaction-done].
 * Compaction: merge a tier of similar-sized adjacent SSTables into one (fsync, directory fsync),
 *   replace the manifest, then delete the inputs.
 * Recovery: manifest → verify its SSTables → delete files no durable manifest names (an interrupted
 *   flush or compaction; the WAL still has their records) → replay the WAL from the checkpoint.
 *
 * Flushed commits are durable once the manifest is, so in sync and batch mode a flush also declares
 * every pending commit durable (in none mode nothing is ever declared).
 */
import path from 'node:path';
import { frameKv, FRAME_HEADER_BYTES, parseKv } from '../framing.js';
import { SyncPolicy } from '../sync-policy.js';
import {
  emptyRecovery,
  MODES,
  type Engine,
  type EngineContext,
  type EngineFactory,
  type EngineStats,
  type RecoveryReport,
} from '../types.js';
import { WalLog } from '../wal/log.js';
import { FLUSH_NO_FSYNC, NO_DIR_FSYNC, PREALLOCATE_OPTION, SEGMENT_BYTES_OPTION, walConfigFrom } from '../wal/options.js';
import type { WalPosition } from '../wal/position.js';
import { SEGMENT_HEADER_BYTES } from '../wal/segment.js';
import { mergeNewestFirst, pickRun } from './compaction.js';
import { EMPTY_MANIFEST, MANIFEST_FILE, parseSSTableName, readManifest, sstableName, writeManifest } from './manifest.js';
import { Memtable } from './memtable.js';
import {
  BLOCK_BYTES_OPTION,
  COMPACTION_TABLES_OPTION,
  MEMTABLE_BYTES_OPTION,
  SSTABLE_NO_FSYNC,
  TRUNCATE_BEFORE_DURABLE,
} from './options.js';
import { SSTable } from './sstable-reader.js';
import { SSTableWriter, type WrittenTable } from './sstable-writer.js';

interface LiveTable {
  readonly id: number;
  readonly table: SSTable;
}

class LsmEngine implements Engine {
  private readonly policy: SyncPolicy;
  private readonly log: WalLog;
  private readonly memtableBytes: number;
  private readonly blockBytes: number;
  private readonly compactionTables: number;
  private readonly syncDir: boolean;
  private readonly syncSSTables: boolean;
  private readonly truncateEarly: boolean;
  private memtable = new Memtable();
  /** Newest first. */
  private tables: LiveTable[] = [];
  private nextTableId = 1;
  private checkpoint: WalPosition | null = null;
  private isOpen = false;
  private readonly counters = { flushes: 0, compactions: 0, flushedBytes: 0, compactedBytes: 0, sstablesDeleted: 0 };

  constructor(private readonly ctx: EngineContext) {
    this.policy = SyncPolicy.fromContext(ctx);
    this.memtableBytes = Number(ctx.options['memtable-bytes'] ?? MEMTABLE_BYTES_OPTION.default);
    this.blockBytes = Number(ctx.options['sstable-block-bytes'] ?? BLOCK_BYTES_OPTION.default);
    this.compactionTables = Number(ctx.options['compaction-tables'] ?? COMPACTION_TABLES_OPTION.default);
    this.syncDir = !ctx.faults.has(NO_DIR_FSYNC.name);
    this.syncSSTables = !ctx.faults.has(SSTABLE_NO_FSYNC.name);
    this.truncateEarly = ctx.faults.has(TRUNCATE_BEFORE_DURABLE.name);
    const wal = walConfigFrom(ctx);
    // Every flush starts a new segment, so a segment never holds much more than one memtable's
    // records: cap its size there, or --preallocate would zero-fill 64 MiB per 4 MiB flushed.
    const segmentBytes = Math.min(wal.segmentBytes, this.memtableBytes + SEGMENT_HEADER_BYTES + 64 * 1024);
    this.log = new WalLog({ ...wal, segmentBytes });
  }

  private tablePath(id: number): string {
    return path.join(this.ctx.dir, sstableName(id));
  }

  open(): RecoveryReport {
    const { io, dir } = this.ctx;
    const report = emptyRecovery();
    const read = readManifest(io, dir);
    const manifest = read.state === 'ok' ? read.manifest : EMPTY_MANIFEST;
    if (read.state === 'bad') report.notes.push(`${MANIFEST_FILE}: ${read.reason}; SSTables ignored, the WAL replayed from its start`);
    if (read.state === 'bad') report.crcFailures += 1;

    for (const id of manifest.tables) {
      const t = SSTable.open(io, this.tablePath(id));
      if (typeof t === 'string') {
        report.crcFailures += 1;
        report.notes.push(`${sstableName(id)}: ${t}; left out (its records are lost)`);
      } else this.tables.push({ id, table: t });
    }
    const onDisk = io.readdir(dir);
    let maxId = 0;
    for (const name of onDisk) maxId = Math.max(maxId, parseSSTableName(name) ?? 0);
    this.nextTableId = Math.max(manifest.nextTableId, maxId + 1);

    // Tables no durable manifest names are leftovers of an interrupted flush or compaction. With a
    // damaged manifest we cannot tell, so nothing is deleted then.
    if (read.state !== 'bad') {
      const live = new Set(manifest.tables);
      const orphans = onDisk.filter((n) => {
        const id = parseSSTableName(n);
        return id !== null && !live.has(id);
      });
      for (const n of orphans) io.unlink(path.join(dir, n));
      if (orphans.length > 0) {
        if (this.syncDir) io.fsyncDir(dir);
        report.notes.push(`deleted ${orphans.length} SSTable(s) no manifest names (${orphans.join(', ')})`);
      }
    }

    this.checkpoint = manifest.walCheckpoint;
    const wal = this.log.open({
      ...(manifest.walCheckpoint ? { from: manifest.walCheckpoint } : {}),
      visit: (payload) => {
        const kv = parseKv(payload);
        if (kv) this.memtable.put(kv.key, kv.value);
      },
    });
    report.recordsRecovered = wal.recordsRecovered;
    report.discardedBytes += wal.discardedBytes;
    report.crcFailures += wal.crcFailures;
    report.tornTail = wal.tornTail;
    report.notes.push(...wal.notes);
    if (this.tables.length > 0) {
      const entries = this.tables.reduce((n, t) => n + t.table.entries, 0);
      report.notes.push(`${this.tables.length} SSTable(s) with ${entries} entries`);
    }
    this.isOpen = true;
    return report;
  }

  put(key: Buffer, value: Buffer): void {
    const framed = frameKv(key, value);
    this.log.appendFramed(framed);
    this.policy.append();
    if (this.policy.due()) this.sync();
    // The memtable keeps views into the framed record: one copy per put, made by frameKv.
    const k = framed.subarray(FRAME_HEADER_BYTES + 2, FRAME_HEADER_BYTES + 2 + key.length);
    this.memtable.put(k, framed.subarray(FRAME_HEADER_BYTES + 2 + key.length));
    if (this.memtable.bytes >= this.memtableBytes) this.flush();
  }

  tick(): void {
    if (this.policy.dueByTime()) this.sync();
  }

  private sync(): void {
    // Under `flush-no-fsync` the log issues no sync call; the claim below stays (the defect keeps its mode's claim, so the crash lab can catch it).
    this.log.sync();
    this.policy.synced();
  }

  get(key: Buffer): Buffer | undefined {
    const v = this.memtable.get(key);
    if (v !== undefined) return v;
    for (const t of this.tables) {
      const found = t.table.get(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Write entries to a new SSTable; `beforeSync` runs between writing and fsync (the truncate fault). */
  private writeTable(entries: Iterable<[Buffer, Buffer]>, beforeSync?: () => void): LiveTable {
    const { io } = this.ctx;
    const id = this.nextTableId++;
    const writer = new SSTableWriter(io, this.tablePath(id), this.blockBytes);
    let written: WrittenTable;
    try {
      for (const [k, v] of entries) writer.add(k, v);
      written = writer.finish();
      beforeSync?.();
      if (this.syncSSTables) writer.sync();
    } finally {
      writer.close();
    }
    if (this.syncDir) io.fsyncDir(this.ctx.dir);
    return { id, table: SSTable.fromWriter(io, this.tablePath(id), written) };
  }

  private saveManifest(): void {
    writeManifest(
      this.ctx.io,
      this.ctx.dir,
      { tables: this.tables.map((t) => t.id), nextTableId: this.nextTableId, walCheckpoint: this.checkpoint },
      this.syncDir,
    );
  }

  private truncateWal(checkpoint: WalPosition): void {
    this.log.truncateBefore(checkpoint);
    this.ctx.io.marker('wal-truncated');
  }

  private flush(): void {
    const { io, clockNs } = this.ctx;
    const t0 = clockNs();
    io.marker('flush-start');
    // New records go to a new segment; everything before it is in this memtable (or older tables).
    const checkpoint = this.log.rotate();
    const table = this.writeTable(this.memtable.entries(), this.truncateEarly ? () => this.truncateWal(checkpoint) : undefined);
    io.marker('sstable-synced');
    this.tables.unshift(table);
    this.checkpoint = checkpoint;
    this.saveManifest();
    io.marker('manifest-synced');
    if (this.ctx.mode !== 'none') this.policy.synced();
    if (!this.truncateEarly) this.truncateWal(checkpoint);
    this.counters.flushes += 1;
    this.counters.flushedBytes += table.table.bytes;
    this.memtable = new Memtable();
    this.ctx.recordPhase('flush', Number(clockNs() - t0));
    this.compact();
  }

  /** Merge tiers until none is left (a merge can complete the next tier up). */
  private compact(): void {
    const { io, clockNs } = this.ctx;
    for (;;) {
      const run = pickRun(
        this.tables.map((t) => t.table.bytes),
        this.compactionTables,
      );
      if (!run) return;
      const t0 = clockNs();
      const inputs = this.tables.slice(run.start, run.end);
      const merged = this.writeTable(mergeNewestFirst(inputs.map((t) => t.table.scan())));
      this.tables.splice(run.start, inputs.length, merged);
      this.saveManifest();
      for (const t of inputs) {
        t.table.close();
        io.unlink(this.tablePath(t.id));
      }
      if (this.syncDir) io.fsyncDir(this.ctx.dir);
      this.counters.compactions += 1;
      this.counters.compactedBytes += merged.table.bytes;
      this.counters.sstablesDeleted += inputs.length;
      io.marker('compaction-done');
      this.ctx.recordPhase('compaction', Number(clockNs() - t0));
    }
  }

  close(): void {
    if (!this.isOpen) return;
    if (this.ctx.mode !== 'none' && this.policy.pending > 0) this.sync();
    this.log.close();
    for (const t of this.tables) t.table.close();
    this.isOpen = false;
  }

  stats(): EngineStats {
    const wal = this.log.stats();
    return {
      ...this.counters,
      sstables: this.tables.length,
      sstableBytes: this.tables.reduce((n, t) => n + t.table.bytes, 0),
      memtableBytes: this.memtable.bytes,
      walRotations: wal.rotations,
      walSegmentsDeleted: wal.segmentsDeleted,
      walLiveSegments: wal.liveSegments,
    };
  }
}

export const lsmEngine: EngineFactory = {
  name: 'lsm',
  summary: 'WAL + sorted memtable + SSTable flush + size-tiered compaction + atomic manifest',
  modes: MODES,
  options: [SEGMENT_BYTES_OPTION, PREALLOCATE_OPTION, MEMTABLE_BYTES_OPTION, BLOCK_BYTES_OPTION, COMPACTION_TABLES_OPTION],
  faults: [FLUSH_NO_FSYNC, NO_DIR_FSYNC, SSTABLE_NO_FSYNC, TRUNCATE_BEFORE_DURABLE],
  markers: ['flush-start', 'segment-rotated', 'sstable-synced', 'manifest-synced', 'wal-truncated', 'compaction-done'],
  contract: 'sync',
  create: (ctx) => new LsmEngine(ctx),
};
