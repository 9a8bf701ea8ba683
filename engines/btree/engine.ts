/**
 * `btree`: a B+tree in a page file (`btree.pages`, fixed-size pages, ./page.ts) with its own
 * write-ahead log (`btree.wal`, ./wal.ts).
 *
 * Commit: append a put record to the WAL, apply the put to the in-memory tree (its pages become dirty
 * in the page cache), sync the WAL as the mode says (`SyncPolicy`), ack. Pages are not written per
 * commit: they stay dirty until the next checkpoint, so a commit costs one WAL append + one fdatasync
 * in `sync` mode, like the WAL-mode engines it models (SQLite WAL, PostgreSQL).
 *
 * Checkpoint, every `--checkpoint-commits` commits and at close (phase `checkpoint`):
 *   1. write fresh pages (allocated since the last checkpoint, so not referenced by the durable
 *      state) and overflow runs; fdatasync the page file
 *   2. append to the WAL the images of the dirty pages that will be overwritten in place, the new meta
 *      page and a checkpoint record; fdatasync the WAL (marker `checkpoint-wal-synced`)
 *   3. overwrite those pages and the meta page in place; fdatasync the page file (`pages-synced`)
 *   4. truncate the WAL to zero and fdatasync it (`wal-truncated`), then `checkpoint-done`
 * A crash in 3 leaves torn pages, which recovery repairs from the images of 2 (full-page writes).
 *
 * Recovery: read the meta page; if the WAL holds a complete image batch, write its images over the
 * page file (and re-read the meta page); replay the put records of the meta page's epoch; checkpoint.
 * Pages whose checksum fails read as empty leaves (lost, never wrong); values in overflow runs are
 * checked against their crc32c.
 *
 * Modes apply to the WAL sync on the commit path. In `none` mode nothing is ever synced (checkpoints
 * included), as SQLite's `synchronous=OFF`.
 *
 * Fault `btree-no-wal-fsync`: the WAL record is written but never synced; instead the dirty pages are
 * written in place right after each commit (no images), and the page file is fdatasynced when the
 * mode says a sync is due; the mode's durability is claimed as usual. Pages thus reach the disk before
 * the WAL record that could redo or repair them is durable: a crash in a multi-page update (a split)
 * loses acked commits. The WAL truncation at checkpoint is not synced either.
 */
import path from 'node:path';
import { SyncPolicy } from '../sync-policy.js';
import { emptyRecovery, MODES, type Engine, type EngineContext, type EngineFactory, type RecoveryReport } from '../types.js';
import { decodeMeta, encodeMeta, pageIntact, type Meta } from './page.js';
import { PageTree, type PageSource } from './tree.js';
import { decodeWal, encodeCheckpoint, encodePage, encodePut, type WalRecord } from './wal.js';

export const BTREE_NO_WAL_FSYNC = 'btree-no-wal-fsync';
const PAGES_FILE = 'btree.pages';
const WAL_FILE = 'btree.wal';

class BtreeEngine implements Engine {
  private readonly policy: SyncPolicy;
  private readonly pageBytes: number;
  private readonly checkpointEvery: number;
  private readonly noWalFsync: boolean;
  /** Whether this mode ever syncs (`none` never does). */
  private readonly syncs: boolean;
  private readonly pagesPath: string;
  private readonly walPath: string;
  private pagesFd = -1;
  private walFd = -1;
  private walPos = 0;
  private tree!: PageTree;
  private commitsSinceCheckpoint = 0;
  private checkpoints = 0;

  constructor(private readonly ctx: EngineContext) {
    this.policy = SyncPolicy.fromContext(ctx);
    this.pageBytes = Number(ctx.options['btree-page-bytes']);
    this.checkpointEvery = Number(ctx.options['checkpoint-commits']);
    this.noWalFsync = ctx.faults.has(BTREE_NO_WAL_FSYNC);
    this.syncs = ctx.mode !== 'none';
    this.pagesPath = path.join(ctx.dir, PAGES_FILE);
    this.walPath = path.join(ctx.dir, WAL_FILE);
  }

  private readonly source: PageSource = {
    readPage: (pageNo) => {
      const buf = Buffer.alloc(this.pageBytes);
      this.ctx.io.read(this.pagesFd, buf, pageNo * this.pageBytes);
      return buf;
    },
    readRun: (first, bytes) => {
      const buf = Buffer.alloc(bytes);
      this.ctx.io.read(this.pagesFd, buf, first * this.pageBytes);
      return buf;
    },
  };

  open(): RecoveryReport {
    const { io } = this.ctx;
    const report = emptyRecovery();
    const created = !io.exists(this.pagesPath) || !io.exists(this.walPath);
    this.pagesFd = io.open(this.pagesPath, { create: true });
    this.walFd = io.open(this.walPath, { create: true });
    if (created && this.syncs) io.fsyncDir(this.ctx.dir);

    const walBytes = io.sizeOf(this.walFd);
    const wal = decodeWal(io.readFile(this.walPath));
    report.discardedBytes = wal.scan.discardedBytes;
    report.tornTail = wal.scan.stop === 'torn';
    if (wal.scan.stop === 'crc' || wal.malformed) report.crcFailures += 1;
    if (wal.scan.stop !== 'end') report.notes.push(`${WAL_FILE}: stopped at offset ${wal.scan.endOffset} (${wal.scan.stop})`);

    let meta = decodeMeta(this.source.readPage(0), this.pageBytes);
    if (this.applyImageBatch(wal.records, meta, report)) meta = decodeMeta(this.source.readPage(0), this.pageBytes);
    if (!meta) {
      const pagesBytes = io.sizeOf(this.pagesFd);
      if (pagesBytes > 0) {
        report.crcFailures += 1;
        report.notes.push(`${PAGES_FILE}: meta page damaged; the tree is lost, only the WAL is replayed`);
      }
      const firstPut = wal.records.find((r) => r.type === 'put');
      meta = { root: 0, pageCount: Math.max(1, Math.floor(pagesBytes / this.pageBytes)), epoch: firstPut?.epoch ?? 1 };
    }
    this.tree = new PageTree(meta, this.pageBytes, this.source);
    this.tree.rebuildFreeSpace();
    for (const r of wal.records) {
      if (r.type !== 'put' || r.epoch !== meta.epoch || r.key.length > this.tree.maxKeyBytes) continue;
      this.tree.put(r.key, r.value);
      report.recordsRecovered += 1;
    }
    if (this.tree.lostPages > 0) {
      report.crcFailures += this.tree.lostPages;
      report.notes.push(`${PAGES_FILE}: ${this.tree.lostPages} page(s) failed their checksum and were dropped`);
    }
    // Make the replayed commits durable in the pages and start the WAL afresh (never append after damage).
    if (walBytes > 0) this.checkpoint();
    return report;
  }

  /**
   * If the WAL ends with a complete image batch (page records of one epoch followed by its checkpoint
   * record) that is not older than the page file, write the images in place. Returns true if it did.
   */
  private applyImageBatch(records: readonly WalRecord[], meta: Meta | null, report: RecoveryReport): boolean {
    const end = records.findLastIndex((r) => r.type === 'checkpoint');
    if (end < 0) return false;
    const epoch = records[end]!.epoch;
    if (meta && epoch < meta.epoch - 1) return false;
    let applied = 0;
    for (const r of records.slice(0, end)) {
      if (r.type !== 'page' || r.epoch !== epoch || r.image.length !== this.pageBytes || !pageIntact(r.image, r.pageNo)) continue;
      this.ctx.io.write(this.pagesFd, r.image, r.pageNo * this.pageBytes);
      applied += 1;
    }
    if (this.syncs) this.ctx.io.fdatasync(this.pagesFd);
    report.notes.push(`${WAL_FILE}: checkpoint ${epoch} was interrupted; ${applied} page image(s) written back`);
    return true;
  }

  put(key: Buffer, value: Buffer): void {
    if (key.length > this.tree.maxKeyBytes) {
      throw new Error(`btree: key of ${key.length} bytes exceeds ${this.tree.maxKeyBytes} bytes; raise --btree-page-bytes`);
    }
    const record = encodePut(this.tree.meta.epoch, key, value);
    this.ctx.io.write(this.walFd, record, this.walPos);
    this.walPos += record.length;
    this.tree.put(key, value);
    this.policy.append();
    if (this.noWalFsync) this.writeDirtyInPlace();
    if (this.policy.due()) this.syncCommits();
    this.commitsSinceCheckpoint += 1;
    if (this.commitsSinceCheckpoint >= this.checkpointEvery) this.checkpoint();
  }

  tick(): void {
    if (this.policy.dueByTime()) this.syncCommits();
  }

  /** Make the appended commits durable: the WAL fdatasync (or, faulted, the page file's). */
  private syncCommits(): void {
    this.ctx.io.fdatasync(this.noWalFsync ? this.pagesFd : this.walFd);
    this.policy.synced();
  }

  /** The faulted commit path: every dirty page and overflow run straight to its place, no image. */
  private writeDirtyInPlace(): void {
    const { io } = this.ctx;
    for (const [first, value] of this.tree.overflow) io.write(this.pagesFd, value, first * this.pageBytes);
    const { fresh, inPlace } = this.tree.dirtyPages();
    for (const p of [...fresh, ...inPlace]) io.write(this.pagesFd, p.image, p.pageNo * this.pageBytes);
    if (this.tree.metaDirty || fresh.length + inPlace.length > 0) io.write(this.pagesFd, encodeMeta(this.tree.meta, this.pageBytes), 0);
    this.tree.markWritten();
  }

  private checkpoint(): void {
    const t0 = this.ctx.clockNs();
    const { io } = this.ctx;
    io.marker('checkpoint-start');
    const P = this.pageBytes;
    if (this.noWalFsync) {
      // Faulted: pages are already in place; sync them, then truncate the WAL without syncing it.
      this.tree.meta.epoch += 1;
      this.writeDirtyInPlace();
      io.write(this.pagesFd, encodeMeta(this.tree.meta, P), 0);
      if (this.syncs) {
        io.fdatasync(this.pagesFd);
        this.policy.synced();
      }
      this.truncateWal(false);
    } else {
      // 1. Fresh pages and overflow runs: nothing durable points at them yet.
      const { fresh, inPlace } = this.tree.dirtyPages();
      for (const [first, value] of this.tree.overflow) io.write(this.pagesFd, value, first * P);
      for (const p of fresh) io.write(this.pagesFd, p.image, p.pageNo * P);
      if (this.syncs && fresh.length + this.tree.overflow.size > 0) io.fdatasync(this.pagesFd);
      // 2. Images of what will be overwritten in place, the new meta page, the checkpoint record.
      const epoch = this.tree.meta.epoch;
      const meta = encodeMeta({ ...this.tree.meta, epoch: epoch + 1 }, P);
      const batch = Buffer.concat([
        ...inPlace.map((p) => encodePage(epoch, p.pageNo, p.image)),
        encodePage(epoch, 0, meta),
        encodeCheckpoint(epoch),
      ]);
      io.write(this.walFd, batch, this.walPos);
      this.walPos += batch.length;
      if (this.syncs) {
        io.fdatasync(this.walFd);
        this.policy.synced();
      }
      io.marker('checkpoint-wal-synced');
      // 3. In place.
      for (const p of inPlace) io.write(this.pagesFd, p.image, p.pageNo * P);
      io.write(this.pagesFd, meta, 0);
      if (this.syncs) io.fdatasync(this.pagesFd);
      this.tree.meta.epoch = epoch + 1;
      io.marker('pages-synced');
      // 4. The WAL is no longer needed.
      this.truncateWal(this.syncs);
    }
    this.tree.checkpointed();
    this.commitsSinceCheckpoint = 0;
    this.checkpoints += 1;
    io.marker('checkpoint-done');
    this.ctx.recordPhase('checkpoint', Number(this.ctx.clockNs() - t0));
  }

  private truncateWal(sync: boolean): void {
    this.ctx.io.ftruncate(this.walFd, 0);
    if (sync) this.ctx.io.fdatasync(this.walFd);
    this.walPos = 0;
    this.ctx.io.marker('wal-truncated');
  }

  get(key: Buffer): Buffer | undefined {
    return this.tree.get(key);
  }

  close(): void {
    if (this.walFd < 0) return;
    // Nothing since the last checkpoint: the page file is already the whole state.
    if (this.commitsSinceCheckpoint > 0 || this.walPos > 0) this.checkpoint();
    this.ctx.io.close(this.walFd);
    this.ctx.io.close(this.pagesFd);
    this.walFd = -1;
    this.pagesFd = -1;
  }

  stats() {
    return { checkpoints: this.checkpoints, pages: this.tree.meta.pageCount, height: this.tree.height() };
  }
}

export const btreeEngine: EngineFactory = {
  name: 'btree',
  summary: 'B+tree in 4 KiB pages + WAL; commit = WAL append + sync, checkpoint = page writes + fsync, then WAL truncate',
  modes: MODES,
  options: [
    { name: 'btree-page-bytes', type: 'number', default: 4096, min: 1024, max: 65536, integer: true, describe: 'btree: page size in bytes' },
    {
      name: 'checkpoint-commits',
      type: 'number',
      default: 1000,
      min: 1,
      // Dirty pages stay in memory until the checkpoint.
      max: 10_000_000,
      integer: true,
      describe: 'btree: checkpoint (write dirty pages, fsync, truncate the WAL) every this many commits',
    },
  ],
  faults: [
    {
      name: BTREE_NO_WAL_FSYNC,
      describe: 'pages are written (and synced) in place before the WAL record is durable; the WAL is never synced',
    },
  ],
  markers: ['checkpoint-start', 'checkpoint-wal-synced', 'pages-synced', 'wal-truncated', 'checkpoint-done'],
  contract: 'sync',
  create: (ctx) => new BtreeEngine(ctx),
};
