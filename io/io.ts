/**
 * The io layer: every file-system operation an engine performs goes through one `Io` instance.
 *
 * Why: the measurement loop can time a commit, but only the io layer sees the sync calls inside it.
 * `Io` times every sync call by kind, counts every mutating operation with a sequence number (the
 * crash lab stops the writer "after the K-th operation", the way ALICE and CrashMonkey enumerate
 * persistence points), and forwards engine phase markers (`flush-start`, `wal-truncated`, ...).
 *
 * All calls are synchronous (`fs.writeSync`, `fs.fdatasyncSync`, ...): inside a worker thread that
 * gives exact timing with no libuv threadpool between the engine and the disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hrtime } from 'node:process';

import { zeroSyncCounts, type SyncCounts, type SyncKind } from '../model/sync-kind.js';

export { SYNC_KINDS, zeroSyncCounts, type SyncCounts, type SyncKind } from '../model/sync-kind.js';

/** Mutating operations that get a sequence number. Reads are not numbered: they change nothing on disk. */
export type IoOpKind = 'create' | 'write' | 'sync' | 'rename' | 'unlink' | 'truncate' | 'mkdir' | 'rmdir' | 'close';

/** One numbered operation, as handed to `IoObserver.afterOp`. */
export interface IoOp {
  /** 1-based sequence number of this operation within this `Io` instance. */
  readonly seq: number;
  readonly kind: IoOpKind;
  /** The file or directory the operation touched (the destination for a rename). */
  readonly path: string;
  readonly syncKind?: SyncKind;
  readonly bytes?: number;
}

/**
 * Hooks into the io layer. The measurement loop records sync latencies through `onSync`; the crash
 * lab's child process stops itself through `afterOp` and `onMarker`. Every hook is optional and
 * called synchronously, so it must be cheap.
 */
export interface IoObserver {
  /** After every sync call returns: its kind and wall time in nanoseconds. */
  onSync?(kind: SyncKind, latencyNs: number): void;
  /** After every numbered operation completed. */
  afterOp?(op: IoOp): void;
  /** When an engine announces a named phase point; `occurrence` counts from 1 per name. */
  onMarker?(name: string, occurrence: number): void;
}

/** How to open a file. */
export interface OpenOptions {
  /** Create the file if it does not exist (counted as a `create` operation when it did not exist). */
  create?: boolean;
  /** Truncate to zero length on open. */
  truncate?: boolean;
  /** Open read-only (not numbered). */
  readOnly?: boolean;
  /** O_APPEND. */
  append?: boolean;
  /** O_DSYNC: every write is a sync, timed as `odsync-write`. */
  dsync?: boolean;
  /** O_SYNC: every write is a full sync, timed as `odsync-write` too. */
  osync?: boolean;
  /** O_DIRECT (caller supplies aligned buffers and sizes). */
  direct?: boolean;
}

interface OpenFile {
  readonly path: string;
  readonly syncsOnWrite: boolean;
}

/**
 * Largest write a fill (zero-fill, random prefill) issues: PostgreSQL's block size. Linux (6.18
 * here) caches what a large write brings in as large folios (up to 2 MiB), and on ext4 every later
 * small overwrite plus fdatasync of such a file costs the kernel more, most likely for the
 * per-block state of the whole folio (xfs and btrfs showed no difference). What this tool measures
 * must not carry a cost of its own set-up: databases fill their files in small writes (PostgreSQL
 * in 8 kB blocks), and fio lays out a file in its block size. `scripts/bench-fill` measures it
 * (README, Benchmarks): 2,300-byte overwrites plus fdatasync ran about 1.2× as fast on a file filled
 * by 8 kB writes as on one filled by 1 MiB writes, and about 1.1× as on 64 KiB writes; the fill
 * itself takes longer (67 MB: 86 against 54 ms), which a mid-run preallocation pays in one commit.
 */
export const FILL_CHUNK_BYTES = 8 * 1024;

export class Io {
  private readonly files = new Map<number, OpenFile>();
  private readonly markerCounts = new Map<string, number>();
  private opSeq = 0;
  /** Sync calls issued so far, by kind. */
  readonly syncCounts: SyncCounts = zeroSyncCounts();
  /** Bytes written through `write`/`pwrite` (including preallocation). */
  bytesWritten = 0;

  constructor(private readonly observer: IoObserver = {}) {}

  /** Number of numbered operations so far. */
  get opCount(): number {
    return this.opSeq;
  }

  /** Total sync calls of every kind. */
  get syncTotal(): number {
    const c = this.syncCounts;
    return c.fdatasync + c.fsync + c.dirfsync + c['odsync-write'];
  }

  /** Number an operation; the hook's object is built only when there is a hook (writes are hot). */
  private op(kind: IoOpKind, p: string, syncKind?: SyncKind, bytes?: number): void {
    this.opSeq += 1;
    const hook = this.observer.afterOp;
    if (hook === undefined) return;
    const op: { seq: number; kind: IoOpKind; path: string; syncKind?: SyncKind; bytes?: number } = { seq: this.opSeq, kind, path: p };
    if (syncKind !== undefined) op.syncKind = syncKind;
    if (bytes !== undefined) op.bytes = bytes;
    hook(op);
  }

  private timeSync(kind: SyncKind, p: string, call: () => void): number {
    // The clock imported from node:process: the `process` global of an ES module is a getter.
    const t0 = hrtime.bigint();
    call();
    const ns = Number(hrtime.bigint() - t0);
    this.syncCounts[kind] += 1;
    this.observer.onSync?.(kind, ns);
    this.op('sync', p, kind);
    return ns;
  }

  /** Announce a named engine phase point (a crash point for `--crash-at marker:NAME`). */
  marker(name: string): void {
    const n = (this.markerCounts.get(name) ?? 0) + 1;
    this.markerCounts.set(name, n);
    this.observer.onMarker?.(name, n);
  }

  /** How often each marker has been announced. */
  markers(): ReadonlyMap<string, number> {
    return this.markerCounts;
  }

  open(p: string, opts: OpenOptions = {}): number {
    const C = fs.constants;
    let flags = opts.readOnly ? C.O_RDONLY : C.O_RDWR;
    if (opts.create) flags |= C.O_CREAT;
    if (opts.truncate) flags |= C.O_TRUNC;
    if (opts.append) flags |= C.O_APPEND;
    if (opts.dsync) flags |= C.O_DSYNC;
    if (opts.osync) flags |= C.O_SYNC;
    if (opts.direct) flags |= C.O_DIRECT;
    const existed = opts.create ? fs.existsSync(p) : true;
    const fd = fs.openSync(p, flags, 0o644);
    this.files.set(fd, { path: p, syncsOnWrite: Boolean(opts.dsync || opts.osync) });
    if (opts.create && !existed) this.op('create', p);
    else if (opts.truncate) this.op('truncate', p, undefined, 0);
    return fd;
  }

  pathOf(fd: number): string {
    return this.files.get(fd)?.path ?? `fd:${fd}`;
  }

  /**
   * Write `length` bytes of `buf` at `position` (or the current offset when null). Writes through a
   * descriptor opened with O_DSYNC/O_SYNC are sync calls and timed as `odsync-write`.
   * Loops on short writes; returns the number of bytes written.
   */
  write(fd: number, buf: Uint8Array, position: number | null = null, offset = 0, length = buf.byteLength - offset): number {
    const file = this.files.get(fd);
    const p = file?.path ?? `fd:${fd}`;
    if (file?.syncsOnWrite) {
      const t0 = hrtime.bigint();
      this.writeAll(fd, p, buf, position, offset, length);
      const ns = Number(hrtime.bigint() - t0);
      this.syncCounts['odsync-write'] += 1;
      this.bytesWritten += length;
      this.observer.onSync?.('odsync-write', ns);
      this.op('write', p, 'odsync-write', length);
      return length;
    }
    this.writeAll(fd, p, buf, position, offset, length);
    this.bytesWritten += length;
    this.op('write', p, undefined, length);
    return length;
  }

  private writeAll(fd: number, p: string, buf: Uint8Array, position: number | null, offset: number, length: number): void {
    let done = 0;
    while (done < length) {
      const n = fs.writeSync(fd, buf, offset + done, length - done, position === null ? null : position + done);
      if (n <= 0) throw Object.assign(new Error(`short write to ${p}`), { code: 'EIO' });
      done += n;
    }
  }

  /** Read up to `length` bytes at `position` (not numbered). Returns bytes read. */
  read(fd: number, buf: Uint8Array, position: number, offset = 0, length = buf.byteLength - offset): number {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  fdatasync(fd: number): number {
    return this.timeSync('fdatasync', this.pathOf(fd), () => fs.fdatasyncSync(fd));
  }

  fsync(fd: number): number {
    return this.timeSync('fsync', this.pathOf(fd), () => fs.fsyncSync(fd));
  }

  /** fsync a directory, making entries created, renamed or removed in it durable. */
  fsyncDir(dir: string): number {
    const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    try {
      return this.timeSync('dirfsync', dir, () => fs.fsyncSync(fd));
    } finally {
      fs.closeSync(fd);
    }
  }

  ftruncate(fd: number, lengthBytes: number): void {
    fs.ftruncateSync(fd, lengthBytes);
    this.op('truncate', this.pathOf(fd), undefined, lengthBytes);
  }

  /**
   * Zero-fill `[from, from + bytes)` with real writes (not a sparse hole and not fallocate), as
   * PostgreSQL and etcd do with WAL segments, so later overwrites need not change the file size.
   * The writes are `FILL_CHUNK_BYTES` each (see there: larger ones slow every later small overwrite).
   * The caller decides whether to sync afterwards.
   */
  zeroFill(fd: number, from: number, bytes: number): void {
    const chunk = Buffer.alloc(Math.min(bytes, FILL_CHUNK_BYTES));
    let pos = from;
    const end = from + bytes;
    while (pos < end) {
      const n = Math.min(chunk.byteLength, end - pos);
      this.write(fd, chunk, pos, 0, n);
      pos += n;
    }
  }

  close(fd: number): void {
    const p = this.pathOf(fd);
    // Forget it first: close(2) releases the descriptor even when it reports an error (EIO), and a
    // later closeAll must never close a number the kernel has since given to another file.
    this.files.delete(fd);
    fs.closeSync(fd);
    this.op('close', p);
  }

  /**
   * Close every descriptor this instance opened and nobody closed: after an engine failed (ENOSPC,
   * EIO) and its own close did not finish, its files must not stay open — a deleted file's space is
   * held for as long as a descriptor on it is. Returns the paths closed; close errors are ignored
   * (the descriptor is gone either way).
   */
  closeAll(): string[] {
    const closed: string[] = [];
    for (const [fd, file] of this.files) {
      try {
        fs.closeSync(fd);
      } catch {
        // EIO on close still releases the descriptor (close(2)).
      }
      closed.push(file.path);
    }
    this.files.clear();
    return closed;
  }

  /** Descriptors open right now. */
  get openCount(): number {
    return this.files.size;
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to);
    this.op('rename', to);
  }

  unlink(p: string): void {
    fs.unlinkSync(p);
    this.op('unlink', p);
  }

  mkdir(p: string): void {
    fs.mkdirSync(p);
    this.op('mkdir', p);
  }

  rmdir(p: string): void {
    fs.rmdirSync(p);
    this.op('rmdir', p);
  }

  /** Directory listing (not numbered). */
  readdir(dir: string): string[] {
    return fs.readdirSync(dir);
  }

  /** File size in bytes (not numbered). */
  sizeOf(fdOrPath: number | string): number {
    return typeof fdOrPath === 'number' ? fs.fstatSync(fdOrPath).size : fs.statSync(fdOrPath).size;
  }

  exists(p: string): boolean {
    return fs.existsSync(p);
  }

  /** Read a whole file (not numbered). */
  readFile(p: string): Buffer {
    return fs.readFileSync(p);
  }

  /**
   * Replace `target` atomically: write a temporary file, fsync it, rename it over `target`, fsync
   * the directory. Used for manifests and hint files. `syncFile`/`syncDir` false reproduce defects.
   */
  replaceFile(target: string, data: Uint8Array, opts: { syncFile?: boolean; syncDir?: boolean } = {}): void {
    const tmp = `${target}.tmp`;
    const fd = this.open(tmp, { create: true, truncate: true });
    try {
      this.write(fd, data, 0);
      if (opts.syncFile !== false) this.fsync(fd);
    } finally {
      this.close(fd);
    }
    this.rename(tmp, target);
    if (opts.syncDir !== false) this.fsyncDir(path.dirname(target));
  }
}
