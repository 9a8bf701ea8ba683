/**
 * bitcask merge (compaction): copy the live records of the immutable data files into new files and
 * delete the old ones. The protocol, in the order that keeps every acked record recoverable:
 *
 *   1. marker `merge-start`
 *   2. per output file: write the live records verbatim (still framed and checksummed), fdatasync
 *      it, then write its hint file atomically (temporary file, fsync, rename, directory fsync, which
 *      also makes the new data file's directory entry durable)
 *   3. marker `merge-outputs-synced`; point the key directory at the outputs
 *   4. unlink the input data and hint files, fsync the directory
 *
 * A crash before 4 leaves inputs and outputs side by side: outputs sort after the inputs
 * (engines/bitcask/files.ts), hold the same live values, so recovery's "later record wins" gives the
 * same answer. A crash during 4 leaves some inputs: their records are older than the outputs' copies.
 */
import path from 'node:path';
import type { Io } from '../../io/io.js';
import { dataName, encodeHints, hintName, readRecord, type FileId, type HintEntry, type KeyLocation } from './files.js';

export interface MergeInput {
  readonly io: Io;
  readonly dir: string;
  /** The immutable files to merge, in id order (the active file is never among them). */
  readonly inputs: readonly FileId[];
  readonly keydir: Map<string, KeyLocation>;
  /** Open descriptors by path; closed and removed for the deleted inputs. */
  readonly fds: Map<string, number>;
  readonly fileBytes: number;
}

/** Merge `inputs`; returns the ids of the output files (the new immutable files). */
export function mergeFiles(m: MergeInput): FileId[] {
  const { io, dir, inputs, keydir, fds } = m;
  io.marker('merge-start');
  const newest = inputs.at(-1);
  if (!newest) return [];
  const order = new Map(inputs.map((id, i) => [path.join(dir, dataName(id)), i]));
  const live = [...keydir].filter(([, loc]) => order.has(loc.file));
  live.sort(([, a], [, b]) => order.get(a.file)! - order.get(b.file)! || a.offset - b.offset);

  const outputs: FileId[] = [];
  const moved: [string, KeyLocation][] = [];
  let out: { id: FileId; file: string; fd: number; pos: number; hints: HintEntry[] } | null = null;
  const finish = (): void => {
    if (!out) return;
    io.fdatasync(out.fd);
    io.close(out.fd);
    io.replaceFile(path.join(dir, hintName(out.id)), encodeHints(out.hints));
    outputs.push(out.id);
    out = null;
  };
  for (const [key, loc] of live) {
    const rec = readRecord(io, fds, loc);
    if (!rec) {
      keydir.delete(key); // damaged on disk: never serve it, and do not copy it
      continue;
    }
    if (out && out.pos > 0 && out.pos + rec.framed.length > m.fileBytes) finish();
    if (!out) {
      const id = { major: newest.major, minor: newest.minor + 1 + outputs.length };
      const file = path.join(dir, dataName(id));
      out = { id, file, fd: io.open(file, { create: true, truncate: true }), pos: 0, hints: [] };
    }
    io.write(out.fd, rec.framed, out.pos);
    out.hints.push({ key: rec.key, offset: out.pos, bytes: rec.framed.length });
    moved.push([key, { file: out.file, offset: out.pos, bytes: rec.framed.length }]);
    out.pos += rec.framed.length;
  }
  finish();
  io.marker('merge-outputs-synced');
  for (const [key, loc] of moved) keydir.set(key, loc);

  for (const id of inputs) {
    const file = path.join(dir, dataName(id));
    const fd = fds.get(file);
    if (fd !== undefined) {
      io.close(fd);
      fds.delete(file);
    }
    io.unlink(file);
    const hint = path.join(dir, hintName(id));
    if (io.exists(hint)) io.unlink(hint);
  }
  io.fsyncDir(dir);
  return outputs;
}
