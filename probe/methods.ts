/**
 * The probe's methods: every way of making a write durable that `durabench probe` compares, after
 * pg_test_fsync (PostgreSQL's src/bin/pg_test_fsync), each one as one repeatable operation.
 *
 * A method's `prepare` opens its files inside the probe's work directory (untimed); its `op` performs
 * one operation and returns the nanoseconds of the part that is timed (the whole write + sync, or only
 * the directory fsync for the directory methods). Housekeeping that keeps files bounded (rotating a
 * growing file, removing created files) happens outside the timed part. All file operations go
 * through the io layer (`Io`), as engines' do.
 *
 * Like pg_test_fsync, the overwrite methods of one target share one data file, filled with random
 * bytes and fsynced before the first method (`PrepareContext.dataFile`), and the access pattern is
 * a setting: `rewrite` writes the same block(s) at offset 0 every operation (pg_test_fsync's
 * pattern), `sequential` steps through the file and wraps at its end (a WAL segment's). pg_test_fsync's
 * open_datasync and open_sync are O_DIRECT: `o_direct_dsync` and `o_direct_sync` here.
 */
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hrtime } from 'node:process';
import { FILL_CHUNK_BYTES, type Io, type OpenOptions } from '../io/io.js';
import { PROBE_PATTERNS, type ProbeMethodInfo, type ProbePattern } from '../model/probe-report.js';

export { PROBE_PATTERNS, type ProbePattern } from '../model/probe-report.js';

/** A method the platform or filesystem cannot do: reported as `unsupported` with the reason. */
export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** One prepared method: call `op` repeatedly, then `close`. */
export interface MethodRun {
  /** One operation; returns the nanoseconds of its timed part. */
  op(): number;
  /** Close descriptors (the work directory itself is removed by the caller). */
  close(): void;
  /** Set-up facts worth reporting (e.g. how the O_DIRECT buffer was aligned). */
  readonly notes: string[];
}

/** What a target offers every method prepared on it. */
export interface PrepareContext {
  /**
   * The path of a file of at least `bytes`, filled with random bytes with real writes and fsynced
   * (file and directory) before it is first handed out; shared by the overwrite methods of a target,
   * as pg_test_fsync's one file is. Methods only overwrite it, never change its size.
   */
  dataFile(bytes: number): string;
}

export interface ProbeMethod {
  readonly info: ProbeMethodInfo;
  /** Open files in `dir` (untimed). Throws `UnsupportedError` when the method cannot run here. */
  prepare(dir: string, io: Io, ctx?: PrepareContext): MethodRun;
}

/** Size of the shared data file the overwrite methods write into (pg_test_fsync: one 16 MB WAL segment). */
export const PREALLOCATED_BYTES = 16 * 1024 * 1024;
/** A growing file is truncated back to zero (untimed) when it reaches this size. */
export const APPEND_ROTATE_BYTES = 64 * 1024 * 1024;
/** Created files are removed (untimed) after this many, so the directory stays small. */
export const DIR_ROTATE_FILES = 1000;
/** O_DIRECT: the window of a larger Buffer searched for an offset the kernel accepts. */
const ALIGN_WINDOW = 4096;

/** The O_SYNC write-size series: 16 kB per operation in 1, 2, 4, 8 or 16 writes (pg_test_fsync). */
export const OSYNC_SERIES_BYTES = 16 * 1024;
const OSYNC_SERIES_WRITES = [1, 2, 4, 8, 16] as const;

type SyncStyle = 'fdatasync' | 'fsync' | 'o_dsync' | 'o_sync' | 'o_direct_dsync' | 'o_direct_sync';

// The clock imported from node:process: the `process` global of an ES module is a getter.
const now = hrtime.bigint;

function kib(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024}k` : `${bytes}b`;
}

function randomBuffer(bytes: number): Buffer {
  // Random content: compressing or deduplicating filesystems must not get an easy ride.
  return randomFillSync(Buffer.allocUnsafe(bytes));
}

/** The open flags a sync style needs; throws `UnsupportedError` when the platform lacks them. */
function openFlags(style: SyncStyle): OpenOptions {
  const C = fs.constants as Record<string, number | undefined>;
  const need = (name: string): void => {
    if (C[name] === undefined) throw new UnsupportedError(`${name} is not available on ${process.platform}`, null);
  };
  switch (style) {
    case 'o_dsync':
      need('O_DSYNC');
      return { dsync: true };
    case 'o_sync':
      need('O_SYNC');
      return { osync: true };
    case 'o_direct_dsync':
      need('O_DSYNC');
      need('O_DIRECT');
      return { dsync: true, direct: true };
    case 'o_direct_sync':
      need('O_SYNC');
      need('O_DIRECT');
      return { osync: true, direct: true };
    default:
      return {};
  }
}

/**
 * Create `file` with `bytes` of random content written for real (not a sparse hole, not fallocate)
 * in writes of `FILL_CHUNK_BYTES`, fsync it and its directory (untimed set-up): pg_test_fsync fills
 * its file with random bytes (in 8 kB writes too), so storage that skips or compresses zero blocks
 * gets no easy ride, and no later overwrite has size or extent metadata to commit.
 */
export function prefillRandom(io: Io, file: string, bytes: number): void {
  const fd = io.open(file, { create: true, truncate: true });
  try {
    const chunk = Buffer.allocUnsafe(Math.min(bytes, FILL_CHUNK_BYTES));
    for (let pos = 0; pos < bytes; pos += chunk.byteLength) {
      const n = Math.min(chunk.byteLength, bytes - pos);
      randomFillSync(chunk, 0, n);
      io.write(fd, chunk, pos, 0, n);
    }
    io.fsync(fd);
  } finally {
    io.close(fd);
  }
  io.fsyncDir(path.dirname(file));
}

/** A context for one method alone (tests, `measureMethod`): its own data file in its directory. */
export function standaloneContext(dir: string, io: Io): PrepareContext {
  let file: string | null = null;
  let size = 0;
  return {
    dataFile(bytes) {
      if (file === null || size < bytes) {
        file = path.join(dir, 'probe-data.dat');
        prefillRandom(io, file, bytes);
        size = bytes;
      }
      return file;
    },
  };
}

/**
 * Where each operation writes: `rewrite` the same `opBytes` at offset 0 every time, `sequential`
 * the next `opBytes` of the file, wrapping to 0 when they would pass its end.
 */
function positions(pattern: ProbePattern, opBytes: number, fileBytes: number): () => number {
  if (pattern === 'rewrite') return () => 0;
  let pos = 0;
  return () => {
    if (pos + opBytes > fileBytes) pos = 0;
    const at = pos;
    pos += opBytes;
    return at;
  };
}

/**
 * A Buffer slice the kernel accepts for O_DIRECT writes of `bytes`. Node exposes no memory
 * addresses (a Buffer's `byteOffset` is relative to its ArrayBuffer, whose own address is malloc's
 * choice, not page aligned), so alignment cannot be computed: try each offset
 * in a 4 KiB window of a larger Buffer with a real O_DIRECT write at file offset 0 until the kernel
 * accepts one (EINVAL means misaligned). Whatever the device's DMA alignment (≤ 4096), one offset fits.
 */
function alignedSlice(io: Io, fd: number, bytes: number): { buf: Buffer; note: string } {
  const big = randomBuffer(bytes + ALIGN_WINDOW);
  for (let off = 0; off < ALIGN_WINDOW; off++) {
    try {
      io.write(fd, big, 0, off, bytes);
      return {
        buf: big.subarray(off, off + bytes),
        note: `O_DIRECT buffer: byte ${off} of a ${big.byteLength}-byte Buffer (Node exposes no addresses; the first offset the kernel accepted)`,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    }
  }
  throw new UnsupportedError(
    `every O_DIRECT write of ${bytes} bytes was refused with EINVAL for all ${ALIGN_WINDOW} buffer offsets: the filesystem refuses O_DIRECT, or ${bytes} is not a multiple of the logical block size`,
    'EINVAL',
  );
}

/** Open a method's file with its flags; EINVAL at open (O_DIRECT on tmpfs, older kernels) is unsupported. */
function openWith(io: Io, file: string, style: SyncStyle): number {
  const flags = openFlags(style);
  try {
    return io.open(file, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? null;
    if (code === 'EINVAL' || code === 'EOPNOTSUPP' || code === 'ENOTSUP') {
      throw new UnsupportedError(
        `open with ${style.toUpperCase().replace('_DIRECT_', '_DIRECT|O_')} refused (${code}): the filesystem does not support it`,
        code,
      );
    }
    throw err;
  }
}

/** `writes` writes of `writeBytes` into the data file, then the sync (or each write syncs itself). */
function syncedWrites(info: ProbeMethodInfo, style: SyncStyle, writes: number, writeBytes: number, pattern: ProbePattern): ProbeMethod {
  return {
    info,
    prepare(dir, io, ctx = standaloneContext(dir, io)) {
      const opBytes = writes * writeBytes;
      const file = ctx.dataFile(Math.max(PREALLOCATED_BYTES, 2 * opBytes));
      const size = io.sizeOf(file);
      const fd = openWith(io, file, style);
      const notes: string[] = [];
      let buf: Buffer;
      try {
        if (style === 'o_direct_dsync' || style === 'o_direct_sync') {
          const a = alignedSlice(io, fd, writeBytes);
          buf = a.buf;
          notes.push(a.note);
        } else {
          buf = randomBuffer(writeBytes);
        }
      } catch (err) {
        io.close(fd);
        throw err;
      }
      const next = positions(pattern, opBytes, size);
      const syncCall = style === 'fdatasync' ? 1 : style === 'fsync' ? 2 : 0;
      return {
        notes,
        op() {
          let pos = next();
          const t0 = now();
          for (let w = 0; w < writes; w++) {
            io.write(fd, buf, pos);
            pos += writeBytes;
          }
          if (syncCall === 1) io.fdatasync(fd);
          else if (syncCall === 2) io.fsync(fd);
          return Number(now() - t0);
        },
        close: () => io.close(fd),
      };
    },
  };
}

const STYLE_TEXT: Record<SyncStyle, { name: string; how: string }> = {
  fdatasync: { name: 'fdatasync', how: 'then fdatasync' },
  fsync: { name: 'fsync', how: 'then fsync' },
  o_dsync: { name: 'O_DSYNC', how: 'through an O_DSYNC descriptor (each write syncs)' },
  o_sync: { name: 'O_SYNC', how: 'through an O_SYNC descriptor (each write syncs)' },
  o_direct_dsync: {
    name: 'O_DIRECT|O_DSYNC',
    how: "through an O_DIRECT|O_DSYNC descriptor, aligned buffer (each write syncs; pg_test_fsync's open_datasync)",
  },
  o_direct_sync: {
    name: 'O_DIRECT|O_SYNC',
    how: "through an O_DIRECT|O_SYNC descriptor, aligned buffer (each write syncs; pg_test_fsync's open_sync)",
  },
};

const STYLES: readonly SyncStyle[] = ['fdatasync', 'fsync', 'o_dsync', 'o_sync', 'o_direct_dsync', 'o_direct_sync'];

function syncsPerOp(style: SyncStyle, writes: number): number {
  // fdatasync and fsync sync once per operation; through an O_*SYNC descriptor every write syncs.
  return style === 'fdatasync' || style === 'fsync' ? 1 : writes;
}

/** write + fsync on the same descriptor, or write, close, reopen and fsync the new descriptor. */
function otherDescriptor(info: ProbeMethodInfo, reopen: boolean, pattern: ProbePattern): ProbeMethod {
  return {
    info,
    prepare(dir, io, ctx = standaloneContext(dir, io)) {
      const file = ctx.dataFile(Math.max(PREALLOCATED_BYTES, 2 * info.blockBytes));
      const next = positions(pattern, info.blockBytes, io.sizeOf(file));
      const buf = randomBuffer(info.blockBytes);
      return {
        notes: [],
        op() {
          const pos = next();
          const t0 = now();
          const fd = io.open(file);
          io.write(fd, buf, pos);
          if (reopen) {
            io.close(fd);
            const fd2 = io.open(file);
            io.fsync(fd2);
            io.close(fd2);
          } else {
            io.fsync(fd);
            io.close(fd);
          }
          return Number(now() - t0);
        },
        close: () => undefined,
      };
    },
  };
}

/** Append to a growing file + fdatasync: every sync also has to make the new file size durable. */
function appendMethod(info: ProbeMethodInfo): ProbeMethod {
  return {
    info,
    prepare(dir, io) {
      const file = path.join(dir, `${info.id}-${info.blockBytes}.dat`);
      const fd = io.open(file, { create: true, truncate: true });
      io.fsync(fd);
      io.fsyncDir(dir);
      const buf = randomBuffer(info.blockBytes);
      let size = 0;
      return {
        notes: [`the file is truncated back to 0 (untimed) every ${APPEND_ROTATE_BYTES / (1024 * 1024)} MiB`],
        op() {
          if (size + info.blockBytes > APPEND_ROTATE_BYTES) {
            io.ftruncate(fd, 0);
            io.fsync(fd);
            size = 0;
          }
          const t0 = now();
          io.write(fd, buf, size);
          io.fdatasync(fd);
          const ns = Number(now() - t0);
          size += info.blockBytes;
          return ns;
        },
        close: () => io.close(fd),
      };
    },
  };
}

/** Create a file (or rename one), then fsync the directory; only the directory fsync is timed. */
function dirMethod(info: ProbeMethodInfo, kind: 'create' | 'rename'): ProbeMethod {
  return {
    info,
    prepare(dir, io) {
      const sub = path.join(dir, `${info.id}.d`);
      io.mkdir(sub);
      io.fsyncDir(dir);
      if (kind === 'rename') {
        const a = path.join(sub, 'a');
        const b = path.join(sub, 'b');
        io.close(io.open(a, { create: true }));
        io.fsyncDir(sub);
        let flip = false;
        return {
          notes: [],
          op() {
            io.rename(flip ? b : a, flip ? a : b);
            flip = !flip;
            return io.fsyncDir(sub);
          },
          close: () => undefined,
        };
      }
      let n = 0;
      return {
        notes: [`created files are removed (untimed) every ${DIR_ROTATE_FILES}`],
        op() {
          if (n >= DIR_ROTATE_FILES) {
            for (let i = 0; i < n; i++) io.unlink(path.join(sub, `f${i}`));
            io.fsyncDir(sub);
            n = 0;
          }
          io.close(io.open(path.join(sub, `f${n}`), { create: true }));
          n += 1;
          return io.fsyncDir(sub);
        },
        close: () => undefined,
      };
    },
  };
}

/** Plain writes into the data file, never synced: the ceiling (page cache speed). */
function noSync(info: ProbeMethodInfo, pattern: ProbePattern): ProbeMethod {
  return {
    info,
    prepare(dir, io, ctx = standaloneContext(dir, io)) {
      const file = ctx.dataFile(Math.max(PREALLOCATED_BYTES, 2 * info.blockBytes));
      const next = positions(pattern, info.blockBytes, io.sizeOf(file));
      const fd = io.open(file);
      const buf = randomBuffer(info.blockBytes);
      return {
        notes: [],
        op() {
          const pos = next();
          const t0 = now();
          io.write(fd, buf, pos);
          return Number(now() - t0);
        },
        close: () => io.close(fd),
      };
    },
  };
}

export const GROUPS = {
  one: 'one write per sync',
  two: 'two writes per sync',
  osyncSizes: 'O_SYNC write sizes (16 kB per operation)',
  descriptor: 'sync through another descriptor',
  append: 'append vs overwrite',
  dir: 'directory fsync',
  ceiling: 'non-synced writes (ceiling)',
} as const;

/** How an operation's writes are placed, for the method descriptions. */
function where(pattern: ProbePattern, writes: number): string {
  if (pattern === 'rewrite')
    return writes === 1
      ? 'at offset 0 of the data file (the same block every operation)'
      : 'at offsets 0, 1 block, … of the data file (the same blocks every operation)';
  return 'stepping through the data file';
}

/** Every method for one block size and access pattern, in report order. */
export function methodsFor(blockBytes: number, pattern: ProbePattern = 'rewrite'): ProbeMethod[] {
  const b = blockBytes;
  const out: ProbeMethod[] = [];
  for (const [writes, group, suffix] of [
    [1, GROUPS.one, ''],
    [2, GROUPS.two, '-2w'],
  ] as const) {
    for (const style of STYLES) {
      const t = STYLE_TEXT[style];
      out.push(
        syncedWrites(
          {
            id: `${style}${suffix}`,
            group,
            description: `${writes === 1 ? 'one' : 'two'} ${kib(b)} write${writes === 1 ? '' : 's'} ${where(pattern, writes)}, ${t.how}`,
            blockBytes: b,
            bytesPerOp: writes * b,
            writesPerOp: writes,
            syncsPerOp: syncsPerOp(style, writes),
            pattern,
          },
          style,
          writes,
          b,
          pattern,
        ),
      );
    }
  }
  out.push(
    otherDescriptor(
      {
        id: 'write-fsync-close',
        group: GROUPS.descriptor,
        description: `open, one ${kib(b)} write ${where(pattern, 1)}, fsync, close (the descriptor that wrote syncs)`,
        blockBytes: b,
        bytesPerOp: b,
        writesPerOp: 1,
        syncsPerOp: 1,
        pattern,
      },
      false,
      pattern,
    ),
    otherDescriptor(
      {
        id: 'write-close-reopen-fsync',
        group: GROUPS.descriptor,
        description: `open, one ${kib(b)} write ${where(pattern, 1)}, close, reopen, fsync, close (a different descriptor syncs; similar times mean the kernel syncs what another descriptor wrote)`,
        blockBytes: b,
        bytesPerOp: b,
        writesPerOp: 1,
        syncsPerOp: 1,
        pattern,
      },
      true,
      pattern,
    ),
    noSync(
      {
        id: 'write-nosync',
        group: GROUPS.ceiling,
        description: `one ${kib(b)} write ${where(pattern, 1)}, never synced (page cache speed: the ceiling)`,
        blockBytes: b,
        bytesPerOp: b,
        writesPerOp: 1,
        syncsPerOp: 0,
        pattern,
      },
      pattern,
    ),
  );
  return out;
}

/** The method whose every operation appends, whatever the pattern (one per block size). */
function appendFor(b: number): ProbeMethod {
  return appendMethod({
    id: 'append-fdatasync',
    group: GROUPS.append,
    description: `one ${kib(b)} write appended to a growing file, then fdatasync (the size change is metadata it must sync; compare with fdatasync, which overwrites the data file)`,
    blockBytes: b,
    bytesPerOp: b,
    writesPerOp: 1,
    syncsPerOp: 1,
  });
}

/** Methods that do not depend on the block size: the O_SYNC size series (per pattern) and the directory fsyncs. */
export function fixedMethods(patterns: readonly ProbePattern[] = ['rewrite']): ProbeMethod[] {
  const out: ProbeMethod[] = [];
  for (const pattern of patterns) {
    for (const style of ['o_sync', 'o_direct_sync'] as const) {
      for (const writes of OSYNC_SERIES_WRITES) {
        const size = OSYNC_SERIES_BYTES / writes;
        out.push(
          syncedWrites(
            {
              id: `${style}-${writes}x${kib(size)}`,
              group: GROUPS.osyncSizes,
              description: `${writes} × ${kib(size)} writes ${where(pattern, writes)}, through an ${STYLE_TEXT[style].name} descriptor (16 kB per operation${style === 'o_direct_sync' ? "; pg_test_fsync's open_sync sizes" : ''})`,
              blockBytes: size,
              bytesPerOp: OSYNC_SERIES_BYTES,
              writesPerOp: writes,
              syncsPerOp: writes,
              pattern,
            },
            style,
            writes,
            size,
            pattern,
          ),
        );
      }
    }
  }
  out.push(
    dirMethod(
      {
        id: 'dirfsync-after-create',
        group: GROUPS.dir,
        description: 'create an empty file, then fsync its directory (only the directory fsync is timed)',
        blockBytes: 0,
        bytesPerOp: 0,
        writesPerOp: 0,
        syncsPerOp: 1,
      },
      'create',
    ),
    dirMethod(
      {
        id: 'dirfsync-after-rename',
        group: GROUPS.dir,
        description: 'rename a file within the directory, then fsync the directory (only the directory fsync is timed)',
        blockBytes: 0,
        bytesPerOp: 0,
        writesPerOp: 0,
        syncsPerOp: 1,
      },
      'rename',
    ),
  );
  return out;
}

/**
 * The probe's full method list for the given block sizes and access patterns, in report order:
 * per block size and pattern the one-write, two-write, other-descriptor and ceiling methods, the
 * append method once per block size; then (once per pattern) the O_SYNC size series and (once) the
 * directory fsyncs.
 */
export function allMethods(blockBytes: readonly number[], patterns: readonly ProbePattern[] = ['rewrite']): ProbeMethod[] {
  const all: ProbeMethod[] = [];
  for (const b of blockBytes) {
    for (const pattern of patterns) all.push(...methodsFor(b, pattern));
    all.push(appendFor(b));
  }
  all.push(...fixedMethods(patterns));
  // Keep groups together: every size and pattern of a group, then the next group.
  const order = Object.values(GROUPS) as string[];
  return all
    .map((m, i) => ({ m, i }))
    .sort((a, b) => order.indexOf(a.m.info.group) - order.indexOf(b.m.info.group) || a.i - b.i)
    .map((x) => x.m);
}

/** Every method id (block-size and pattern independent), for validating `--method`. */
export function methodIds(): string[] {
  return [...new Set(allMethods([8192], PROBE_PATTERNS).map((m) => m.info.id))];
}
