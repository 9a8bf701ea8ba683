/**
 * `raw`: the physical floor. Fixed-size records appended to one file (`data.raw`), each synced by
 * `--sync-call` (fdatasync, fsync, or a write through an O_DSYNC descriptor). With `--preallocate`
 * the file is zero-filled and synced first (as PostgreSQL and etcd do with WAL segments), so records
 * overwrite allocated blocks and fdatasync need not commit size metadata; when the records reach the
 * end, another `--prealloc-bytes` is zero-filled (timed as the `preallocate` phase).
 *
 * The same job as fio `--rw=write --ioengine=sync --fdatasync=1 --bs=<record-bytes>`: see scripts/vs-fio.
 * Records are framed (length + CRC32C) so recovery finds the end and never returns garbage.
 */
import path from 'node:path';
import { FRAME_HEADER_BYTES, FrameScratch, parseKv, scanFrames } from './framing.js';
import { SyncPolicy } from './sync-policy.js';
import { emptyRecovery, MODES, type Engine, type EngineContext, type EngineFactory, type RecoveryReport } from './types.js';

const FILE = 'data.raw';

class RawEngine implements Engine {
  private readonly policy: SyncPolicy;
  private readonly file: string;
  private readonly recordBytes: number;
  private readonly syncCall: string;
  private readonly preallocate: boolean;
  private readonly preallocBytes: number;
  /** Records are framed into one reused buffer (write(2) copies it; nothing keeps a reference). */
  private readonly scratch = new FrameScratch();
  private fd = -1;
  private writePos = 0;
  private allocatedBytes = 0;
  /** key → record offset; built lazily by the first get() so puts stay on the floor. */
  private index: Map<string, number> | null = null;

  constructor(private readonly ctx: EngineContext) {
    this.policy = SyncPolicy.fromContext(ctx);
    this.file = path.join(ctx.dir, FILE);
    this.recordBytes = Number(ctx.options['record-bytes']);
    this.syncCall = String(ctx.options['sync-call']);
    this.preallocate = ctx.options['preallocate'] === true;
    this.preallocBytes = Number(ctx.options['prealloc-bytes']);
  }

  open(): RecoveryReport {
    const { io } = this.ctx;
    const existed = io.exists(this.file);
    this.fd = io.open(this.file, { create: true, dsync: this.syncCall === 'odsync' });
    const report = emptyRecovery();
    if (existed) {
      const scan = scanFrames(io.readFile(this.file), 0, this.recordBytes);
      this.writePos = scan.endOffset;
      report.recordsRecovered = scan.frames.length;
      report.discardedBytes = scan.discardedBytes;
      report.tornTail = scan.stop === 'torn';
      report.crcFailures = scan.stop === 'crc' ? 1 : 0;
      if (scan.stop !== 'end') report.notes.push(`${FILE}: stopped at offset ${scan.endOffset} (${scan.stop})`);
      if (scan.stop === 'crc' || scan.stop === 'torn') {
        // Cut the damage off before appending: intact records after a damaged one must never come
        // back on a later open (they would outrank newer values written over the damaged slot).
        io.ftruncate(this.fd, scan.endOffset);
        io.fsync(this.fd);
        report.notes.push(`${FILE}: truncated to ${scan.endOffset} bytes`);
      }
      this.allocatedBytes = io.sizeOf(this.fd);
    } else {
      io.fsyncDir(this.ctx.dir);
      if (this.preallocate) this.extend();
    }
    return report;
  }

  /** Zero-fill the next `prealloc-bytes` and make the new size durable. */
  private extend(): void {
    const t0 = this.ctx.clockNs();
    this.ctx.io.zeroFill(this.fd, this.allocatedBytes, this.preallocBytes);
    this.allocatedBytes += this.preallocBytes;
    this.ctx.io.fsync(this.fd);
    this.ctx.recordPhase('preallocate', Number(this.ctx.clockNs() - t0));
  }

  put(key: Buffer, value: Buffer): void {
    const length = this.scratch.frameKv(key, value, this.recordBytes);
    if (this.preallocate && this.writePos + length > this.allocatedBytes) this.extend();
    this.ctx.io.write(this.fd, this.scratch.buf, this.writePos, 0, length);
    this.index?.set(key.toString('latin1'), this.writePos);
    this.writePos += length;
    this.policy.append();
    if (this.policy.due()) this.sync();
  }

  tick(): void {
    if (this.policy.dueByTime()) this.sync();
  }

  private sync(): void {
    // With odsync the write itself was the sync (counted by the io layer as `odsync-write`).
    if (this.syncCall === 'fdatasync') this.ctx.io.fdatasync(this.fd);
    else if (this.syncCall === 'fsync') this.ctx.io.fsync(this.fd);
    this.policy.synced();
  }

  get(key: Buffer): Buffer | undefined {
    if (!this.index) {
      this.index = new Map();
      const scan = scanFrames(this.ctx.io.readFile(this.file), 0, this.recordBytes);
      for (const f of scan.frames) {
        const kv = parseKv(f.payload);
        if (kv && f.offset < this.writePos) this.index.set(kv.key.toString('latin1'), f.offset);
      }
    }
    const off = this.index.get(key.toString('latin1'));
    if (off === undefined) return undefined;
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    this.ctx.io.read(this.fd, header, off);
    const framed = Buffer.alloc(FRAME_HEADER_BYTES + header.readUInt32LE(0));
    this.ctx.io.read(this.fd, framed, off);
    const first = scanFrames(framed).frames[0];
    return first ? parseKv(first.payload)?.value : undefined;
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.ctx.mode !== 'none' && this.policy.pending > 0) this.sync();
    this.ctx.io.close(this.fd);
    this.fd = -1;
  }

  stats() {
    return { fileBytes: this.writePos, preallocatedBytes: this.preallocate ? this.allocatedBytes : 0 };
  }
}

export const rawEngine: EngineFactory = {
  name: 'raw',
  summary: 'fixed-size records appended to one file + fdatasync: the physical floor (compare with fio)',
  modes: MODES,
  options: [
    {
      name: 'sync-call',
      type: 'string',
      choices: ['fdatasync', 'fsync', 'odsync'],
      default: 'fdatasync',
      describe: 'raw: how a commit is synced (odsync = write through an O_DSYNC descriptor)',
    },
    {
      name: 'preallocate',
      type: 'boolean',
      default: false,
      describe: 'raw, wal: zero-fill files before writing so syncs need not commit size metadata',
    },
    {
      name: 'prealloc-bytes',
      type: 'number',
      default: 64 * 1024 * 1024,
      min: 4096,
      max: 64 * 1024 ** 3,
      integer: true,
      describe: 'raw: bytes zero-filled at a time with --preallocate',
    },
    { name: 'record-bytes', type: 'number', default: 0, min: 0, max: 64 * 1024 * 1024, integer: true, describe: 'raw: pad every record to this size (0 = header + key + value)' },
  ],
  faults: [],
  markers: [],
  contract: 'sync',
  check(mode, options) {
    if (options['sync-call'] === 'odsync' && mode !== 'sync') {
      return `--sync-call odsync makes every write a sync, so it only fits --mode sync; use --sync-call fdatasync for ${mode} mode`;
    }
    return null;
  },
  create: (ctx) => new RawEngine(ctx),
};
