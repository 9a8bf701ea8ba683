/**
 * The probe's methods: every way of making a write durable that `durabench probe` compares, after
 * pg_test_fsync (PostgreSQL's src/bin/pg_test_fsync), each one as one repeatable operation.
 *
 * A method's `prepare` opens and preallocates its files inside the probe's work directory (untimed);
 * its `op` performs one operation and returns the nanoseconds of the part that is timed (the whole
 * write + sync, or only the directory fsync for the directory methods). Housekeeping that keeps
 * files bounded (rotating a growing file, removing created files) happens outside the timed part.
 * All file operations go through the io layer (`Io`), as engines' do.
 */
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Io, OpenOptions } from '../io/io.js';
import { type ProbeMethodInfo } from '../model/probe-report.js';

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

export interface ProbeMethod {
  readonly info: ProbeMethodInfo;
  /** Open and preallocate files in `dir` (untimed). Throws `UnsupportedError` when the method cannot run here. */
  prepare(dir: string, io: Io): MethodRun;
}

/** Size of the preallocated file that overwrite methods cycle through (pg_test_fsync: one 16 MB WAL segment). */
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

type SyncStyle = 'fdatasync' | 'fsync' | 'o_dsync' | 'o_sync' | 'o_direct_dsync';

const now = (): bigint => process.hrtime.bigint();

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
    default:
      return {};
  }
}

/** Create `file` zero-filled to `bytes` with real writes and make it durable (untimed set-up). */
function preallocate(io: Io, file: string, bytes: number): void {
  const fd = io.open(file, { create: true, truncate: true });
  try {
    io.zeroFill(fd, 0, bytes);
    io.fsync(fd);
  } finally {
    io.close(fd);
  }
  io.fsyncDir(path.dirname(file));
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
      throw new UnsupportedError(`open with ${style.toUpperCase().replace('_DIRECT_', '_DIRECT|O_')} refused (${code}): the filesystem does not support it`, code);
    }
    throw err;
  }
}

/** `writes` writes of `writeBytes` into a preallocated file, then the sync (or each write syncs itself). */
function syncedWrites(info: ProbeMethodInfo, style: SyncStyle, writes: number, writeBytes: number): ProbeMethod {
  return {
    info,
    prepare(dir, io) {
      const file = path.join(dir, `${info.id}-${info.blockBytes}.dat`);
      preallocate(io, file, Math.max(PREALLOCATED_BYTES, 2 * writes * writeBytes));
      const size = io.sizeOf(file);
      const fd = openWith(io, file, style);
      const notes: string[] = [];
      let buf: Buffer;
      try {
        if (style === 'o_direct_dsync') {
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
      let pos = 0;
      const opBytes = writes * writeBytes;
      return {
        notes,
        op() {
          if (pos + opBytes > size) pos = 0;
          const t0 = now();
          for (let w = 0; w < writes; w++) {
            io.write(fd, buf, pos);
            pos += writeBytes;
          }
          if (style === 'fdatasync') io.fdatasync(fd);
          else if (style === 'fsync') io.fsync(fd);
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
  o_direct_dsync: { name: 'O_DIRECT|O_DSYNC', how: 'through an O_DIRECT|O_DSYNC descriptor, aligned buffer (each write syncs)' },
};

const STYLES: readonly SyncStyle[] = ['fdatasync', 'fsync', 'o_dsync', 'o_sync', 'o_direct_dsync'];

function syncsPerOp(style: SyncStyle, writes: number): number {
  return style === 'fdatasync' || style === 'fsync' ? 1 : writes;
}

/** write + fsync on the same descriptor, or write, close, reopen and fsync the new descriptor. */
function otherDescriptor(info: ProbeMethodInfo, reopen: boolean): ProbeMethod {
  return {
    info,
    prepare(dir, io) {
      const file = path.join(dir, `${info.id}-${info.blockBytes}.dat`);
      preallocate(io, file, Math.max(PREALLOCATED_BYTES, 2 * info.blockBytes));
      const size = io.sizeOf(file);
      const buf = randomBuffer(info.blockBytes);
      let pos = 0;
      return {
        notes: [],
        op() {
          if (pos + info.blockBytes > size) pos = 0;
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
          pos += info.blockBytes;
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

/** Plain writes into a preallocated file, never synced: the ceiling (page cache speed). */
function noSync(info: ProbeMethodInfo): ProbeMethod {
  return {
    info,
    prepare(dir, io) {
      const file = path.join(dir, `${info.id}-${info.blockBytes}.dat`);
      preallocate(io, file, Math.max(PREALLOCATED_BYTES, 2 * info.blockBytes));
      const size = io.sizeOf(file);
      const fd = io.open(file);
      const buf = randomBuffer(info.blockBytes);
      let pos = 0;
      return {
        notes: [],
        op() {
          if (pos + info.blockBytes > size) pos = 0;
          const t0 = now();
          io.write(fd, buf, pos);
          pos += info.blockBytes;
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

/** Every method for one block size, in report order. */
export function methodsFor(blockBytes: number): ProbeMethod[] {
  const b = blockBytes;
  const out: ProbeMethod[] = [];
  for (const style of STYLES) {
    const t = STYLE_TEXT[style];
    out.push(
      syncedWrites(
        {
          id: style,
          group: GROUPS.one,
          description: `one ${kib(b)} write ${t.how}${style === 'fdatasync' || style === 'fsync' ? ', overwriting a preallocated file' : ''}`,
          blockBytes: b,
          bytesPerOp: b,
          writesPerOp: 1,
          syncsPerOp: syncsPerOp(style, 1),
        },
        style,
        1,
        b,
      ),
    );
  }
  for (const style of STYLES) {
    const t = STYLE_TEXT[style];
    out.push(
      syncedWrites(
        {
          id: `${style}-2w`,
          group: GROUPS.two,
          description: `two ${kib(b)} writes ${t.how}`,
          blockBytes: b,
          bytesPerOp: 2 * b,
          writesPerOp: 2,
          syncsPerOp: syncsPerOp(style, 2),
        },
        style,
        2,
        b,
      ),
    );
  }
  out.push(
    otherDescriptor(
      {
        id: 'write-fsync-close',
        group: GROUPS.descriptor,
        description: `open, one ${kib(b)} write, fsync, close (the descriptor that wrote syncs)`,
        blockBytes: b,
        bytesPerOp: b,
        writesPerOp: 1,
        syncsPerOp: 1,
      },
      false,
    ),
    otherDescriptor(
      {
        id: 'write-close-reopen-fsync',
        group: GROUPS.descriptor,
        description: `open, one ${kib(b)} write, close, reopen, fsync, close (a different descriptor syncs; similar times mean the kernel syncs what another descriptor wrote)`,
        blockBytes: b,
        bytesPerOp: b,
        writesPerOp: 1,
        syncsPerOp: 1,
      },
      true,
    ),
    appendMethod({
      id: 'append-fdatasync',
      group: GROUPS.append,
      description: `one ${kib(b)} write appended to a growing file, then fdatasync (the size change is metadata it must sync; compare with fdatasync, which overwrites a preallocated file)`,
      blockBytes: b,
      bytesPerOp: b,
      writesPerOp: 1,
      syncsPerOp: 1,
    }),
    noSync({
      id: 'write-nosync',
      group: GROUPS.ceiling,
      description: `one ${kib(b)} write into a preallocated file, never synced (page cache speed: the ceiling)`,
      blockBytes: b,
      bytesPerOp: b,
      writesPerOp: 1,
      syncsPerOp: 0,
    }),
  );
  return out;
}

/** Methods that do not depend on the block size: the O_SYNC size series and the directory fsyncs. */
export function fixedMethods(): ProbeMethod[] {
  const out: ProbeMethod[] = [];
  for (const writes of OSYNC_SERIES_WRITES) {
    const size = OSYNC_SERIES_BYTES / writes;
    out.push(
      syncedWrites(
        {
          id: `o_sync-${writes}x${kib(size)}`,
          group: GROUPS.osyncSizes,
          description: `${writes} × ${kib(size)} writes through an O_SYNC descriptor (16 kB per operation)`,
          blockBytes: size,
          bytesPerOp: OSYNC_SERIES_BYTES,
          writesPerOp: writes,
          syncsPerOp: writes,
        },
        'o_sync',
        writes,
        size,
      ),
    );
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
 * The probe's full method list for the given block sizes, in report order: per block size the
 * one-write, two-write, other-descriptor, append and ceiling methods; then (once) the O_SYNC size
 * series and the directory fsyncs.
 */
export function allMethods(blockBytes: readonly number[]): ProbeMethod[] {
  const perBlock = blockBytes.map(methodsFor);
  const first = perBlock[0] ?? [];
  const rest = perBlock.slice(1).flat();
  // Keep groups together: one/two-write methods of every size first, then the fixed series.
  const order = Object.values(GROUPS) as string[];
  const all = [...first, ...rest, ...fixedMethods()];
  return all
    .map((m, i) => ({ m, i }))
    .sort((a, b) => order.indexOf(a.m.info.group) - order.indexOf(b.m.info.group) || a.i - b.i)
    .map((x) => x.m);
}

/** Every method id (block-size independent), for validating `--method`. */
export function methodIds(): string[] {
  return [...new Set(allMethods([8192]).map((m) => m.info.id))];
}
