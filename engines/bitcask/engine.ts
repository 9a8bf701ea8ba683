/**
 * `bitcask`: the log is the data (Sheehy & Smith, "Bitcask: A Log-Structured Hash Table for Fast
 * Key/Value Data", Basho 2010). Every put appends one framed key/value record (engines/framing.ts:
 * length + CRC32C) to the active data file; an in-memory key directory maps each key to the file,
 * offset and length of its latest record, so a get is one read.
 *
 *   - Modes through `SyncPolicy`: `sync` fdatasyncs the active file after every put (the
 *     `sync_writes=True` default of the analysed code), `batch` every `batchSize` puts, `none` never.
 *   - Rotation: when the active file would pass `--bitcask-file-bytes`, its pending commits are
 *     synced, a new file is created and the directory fsynced (marker `file-rotated`).
 *   - Merge (compaction): once `--bitcask-merge-files` immutable files exist, their live records are
 *     copied into new files, each synced and given a hint file, then the old files are deleted and
 *     the directory fsynced (marker `merge-done`, phase `merge`). See ./merge.ts.
 *   - Recovery: data files in id order; a file with a hint is indexed from its hint, any other file is
 *     scanned record by record up to the first torn, zero or checksum-failing frame. The engine never
 *     appends after damage: it appends only to a last file that scanned cleanly, else starts a new one.
 *   - Fault `flush-no-fsync`: the active file is never synced (neither per commit nor at rotation),
 *     while `SyncPolicy.synced()` is still called, so the engine keeps claiming its mode.
 *
 * In `none` mode the commit path issues no sync call at all (no directory fsync on rotation either).
 * A merge always syncs: it deletes files whose data may long be durable, so it must not risk them.
 * File formats and the protocol: docs/engines-bitcask-btree.md.
 */
import path from 'node:path';
import { FRAME_HEADER_BYTES, FrameScratch, parseKv, scanFrames } from '../framing.js';
import { SyncPolicy } from '../sync-policy.js';
import { emptyRecovery, MODES, type Engine, type EngineContext, type EngineFactory, type RecoveryReport } from '../types.js';
import { compareIds, dataName, decodeHints, hintName, parseName, readRecord, type FileId, type KeyLocation } from './files.js';
import { mergeFiles } from './merge.js';

export const FLUSH_NO_FSYNC = 'flush-no-fsync';

class BitcaskEngine implements Engine {
  private readonly policy: SyncPolicy;
  private readonly fileBytes: number;
  private readonly mergeAt: number;
  private readonly noFsync: boolean;
  private readonly keydir = new Map<string, KeyLocation>();
  /** Records are framed into one reused buffer (write(2) copies it; the keydir keeps offsets, not bytes). */
  private readonly scratch = new FrameScratch();
  /** Data files other than the active one, in id order. */
  private immutable: FileId[] = [];
  private activeId: FileId = { major: 1, minor: 0 };
  private activePath = '';
  private fd = -1;
  private writePos = 0;
  /** Open descriptors by data file path (the active one included), for gets and merges. */
  private readonly fds = new Map<string, number>();
  private rotations = 0;
  private merges = 0;

  constructor(private readonly ctx: EngineContext) {
    this.policy = SyncPolicy.fromContext(ctx);
    this.fileBytes = Number(ctx.options['bitcask-file-bytes']);
    this.mergeAt = Number(ctx.options['bitcask-merge-files']);
    this.noFsync = ctx.faults.has(FLUSH_NO_FSYNC);
  }

  private pathOf(id: FileId): string {
    return path.join(this.ctx.dir, dataName(id));
  }

  open(): RecoveryReport {
    const { io, dir } = this.ctx;
    const report = emptyRecovery();
    const ids: FileId[] = [];
    const hints = new Set<string>();
    for (const name of io.readdir(dir)) {
      if (name.endsWith('.tmp')) {
        io.unlink(path.join(dir, name)); // a hint whose replace did not finish
        continue;
      }
      const parsed = parseName(name);
      if (parsed?.kind === 'data') ids.push(parsed.id);
      else if (parsed?.kind === 'hint') hints.add(name);
    }
    ids.sort(compareIds);
    let lastClean = false;
    for (const id of ids) {
      const file = this.pathOf(id);
      const size = io.sizeOf(file);
      const hint = hints.has(hintName(id)) ? decodeHints(io.readFile(path.join(dir, hintName(id)))) : null;
      if (hints.has(hintName(id)) && !hint) {
        report.crcFailures += 1;
        report.notes.push(`${hintName(id)}: damaged hint file, scanning ${dataName(id)} instead`);
      }
      if (hint) {
        for (const e of hint) {
          if (e.offset + e.bytes > size) continue; // the data file lost its tail: never point past it
          this.keydir.set(e.key.toString('latin1'), { file, offset: e.offset, bytes: e.bytes });
          report.recordsRecovered += 1;
        }
        lastClean = false; // a merged file is immutable
        continue;
      }
      const scan = scanFrames(io.readFile(file));
      for (const f of scan.frames) {
        const kv = parseKv(f.payload);
        if (kv) this.keydir.set(kv.key.toString('latin1'), { file, offset: f.offset, bytes: f.payload.length + FRAME_HEADER_BYTES });
      }
      report.recordsRecovered += scan.frames.length;
      report.discardedBytes += scan.discardedBytes;
      if (scan.stop === 'torn') report.tornTail = true;
      if (scan.stop === 'crc') report.crcFailures += 1;
      if (scan.stop !== 'end') report.notes.push(`${dataName(id)}: stopped at offset ${scan.endOffset} (${scan.stop})`);
      lastClean = scan.stop === 'end' && size < this.fileBytes;
    }
    const last = ids.at(-1);
    if (last && lastClean) {
      // Keep appending to the last file: it ends exactly after its last intact record.
      this.immutable = ids.slice(0, -1);
      this.activeId = last;
      this.activePath = this.pathOf(last);
      this.fd = io.open(this.activePath);
      this.writePos = io.sizeOf(this.fd);
    } else {
      this.immutable = ids;
      this.startFile({ major: (last?.major ?? 0) + 1, minor: 0 });
    }
    this.fds.set(this.activePath, this.fd);
    return report;
  }

  /** Create a new active file; make its directory entry durable unless the mode never syncs. */
  private startFile(id: FileId): void {
    this.activeId = id;
    this.activePath = this.pathOf(id);
    this.fd = this.ctx.io.open(this.activePath, { create: true, truncate: true });
    this.writePos = 0;
    if (this.ctx.mode !== 'none') this.ctx.io.fsyncDir(this.ctx.dir);
  }

  put(key: Buffer, value: Buffer): void {
    const length = this.scratch.frameKv(key, value);
    if (this.writePos > 0 && this.writePos + length > this.fileBytes) this.rotate();
    this.ctx.io.write(this.fd, this.scratch.buf, this.writePos, 0, length);
    this.keydir.set(key.toString('latin1'), { file: this.activePath, offset: this.writePos, bytes: length });
    this.writePos += length;
    this.policy.append();
    if (this.policy.due()) this.sync();
    if (this.mergeAt > 0 && this.immutable.length >= this.mergeAt) this.merge();
  }

  tick(): void {
    if (this.policy.dueByTime()) this.sync();
  }

  private sync(): void {
    // Under flush-no-fsync the write stays in the page cache; the claim below is made anyway.
    if (!this.noFsync) this.ctx.io.fdatasync(this.fd);
    this.policy.synced();
  }

  private rotate(): void {
    const t0 = this.ctx.clockNs();
    if (this.ctx.mode !== 'none' && this.policy.pending > 0) this.sync();
    this.immutable.push(this.activeId);
    this.startFile({ major: this.activeId.major + 1, minor: 0 });
    this.fds.set(this.activePath, this.fd);
    this.rotations += 1;
    this.ctx.io.marker('file-rotated');
    this.ctx.recordPhase('rotate', Number(this.ctx.clockNs() - t0));
  }

  private merge(): void {
    const t0 = this.ctx.clockNs();
    this.immutable = mergeFiles({
      io: this.ctx.io,
      dir: this.ctx.dir,
      inputs: this.immutable,
      keydir: this.keydir,
      fds: this.fds,
      fileBytes: this.fileBytes,
    });
    this.merges += 1;
    this.ctx.io.marker('merge-done');
    this.ctx.recordPhase('merge', Number(this.ctx.clockNs() - t0));
  }

  get(key: Buffer): Buffer | undefined {
    const loc = this.keydir.get(key.toString('latin1'));
    if (!loc) return undefined;
    const kv = readRecord(this.ctx.io, this.fds, loc);
    return kv && kv.key.equals(key) ? kv.value : undefined;
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.ctx.mode !== 'none' && this.policy.pending > 0) this.sync();
    for (const fd of this.fds.values()) this.ctx.io.close(fd);
    this.fds.clear();
    this.fd = -1;
  }

  stats() {
    return { dataFiles: this.immutable.length + 1, keys: this.keydir.size, rotations: this.rotations, merges: this.merges };
  }
}

export const bitcaskEngine: EngineFactory = {
  name: 'bitcask',
  summary: 'append-only data files + in-memory key directory; rotation, merge with hint files, recovery by scanning',
  modes: MODES,
  options: [
    {
      name: 'bitcask-file-bytes',
      type: 'number',
      default: 64 * 1024 * 1024,
      min: 4096,
      max: 64 * 1024 ** 3,
      integer: true,
      describe: 'bitcask: rotate the active data file when it would grow past this many bytes',
    },
    {
      name: 'bitcask-merge-files',
      type: 'number',
      default: 8,
      min: 0,
      max: 10_000,
      integer: true,
      describe: 'bitcask: merge the immutable data files once there are this many (0 = never)',
    },
  ],
  faults: [{ name: FLUSH_NO_FSYNC, describe: 'the data file is written but never fsynced, while the mode claims it is' }],
  markers: ['file-rotated', 'merge-start', 'merge-outputs-synced', 'merge-done'],
  contract: 'sync',
  create: (ctx) => new BitcaskEngine(ctx),
};
