/**
 * The one way durabench writes its own output files (reports, exports, summaries): write a
 * temporary file next to the target, fsync it, rename it over the target, fsync the directory.
 * After it returns the file is durable under its name with either its old or its new content —
 * never a torn mix — even across a power cut. A durability benchmark whose own "written after every
 * case" reports did not survive a crash would be no benchmark.
 *
 * Through the io layer (`Io`), so the sync calls are counted and timed like an engine's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Io } from './io.js';

/** Write `data` to `file` atomically and durably. The directory must exist. */
export function writeFileAtomic(file: string, data: string | Uint8Array, io: Io = new Io()): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = io.open(tmp, { create: true, truncate: true });
    try {
      io.write(fd, bytes, 0);
      io.fsync(fd);
    } finally {
      io.close(fd);
    }
    io.rename(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  io.fsyncDir(dir);
}

/** Create `dir` (and its parents) and make each new entry durable in its parent. */
export function makeDirDurable(dir: string, io: Io = new Io()): void {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  for (let d = abs; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    io.mkdir(d);
    io.fsyncDir(path.dirname(d));
  }
}
