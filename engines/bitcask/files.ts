/**
 * bitcask file naming and the hint format.
 *
 * A data file is named `MMMMMMMMM-NNNNNN.data` by a two-part id (major, minor). Recovery scans data
 * files in id order, and a later record of a key wins, so ids must follow write order:
 *   - rotation starts a file with a new major (`major + 1`, minor 0);
 *   - a merge writes its outputs with the major of the newest merged file and the next minors, so
 *     they sort after every file they replace and before the active file (whose major is higher).
 * If a crash interrupts a merge while inputs and outputs both exist, the outputs (copies of the live
 * records) are scanned after the inputs, so a stale version in an input can never win.
 *
 * A hint file `<id>.hint` lists the records of one merged data file as framed key/value records whose
 * value is `[u48 LE offset][u32 LE frame bytes]` (engines/framing.ts). It is written atomically
 * (temporary file, fsync, rename, directory fsync) after its data file is synced, so a hint that
 * exists describes a complete data file.
 */
import type { Io } from '../../io/io.js';
import { FRAME_HEADER_BYTES, frameKv, parseKv, scanFrames } from '../framing.js';

export interface FileId {
  readonly major: number;
  readonly minor: number;
}

const NAME = /^(\d{9})-(\d{6})\.(data|hint)$/;

export function compareIds(a: FileId, b: FileId): number {
  return a.major - b.major || a.minor - b.minor;
}

export function idKey(id: FileId): string {
  return `${String(id.major).padStart(9, '0')}-${String(id.minor).padStart(6, '0')}`;
}

export function dataName(id: FileId): string {
  return `${idKey(id)}.data`;
}

export function hintName(id: FileId): string {
  return `${idKey(id)}.hint`;
}

/** Parse a file name; null for anything that is not a data or hint file. */
export function parseName(name: string): { id: FileId; kind: 'data' | 'hint' } | null {
  const m = NAME.exec(name);
  if (!m) return null;
  return { id: { major: Number(m[1]), minor: Number(m[2]) }, kind: m[3] as 'data' | 'hint' };
}

/** Where a key's latest record is: data file, frame offset, frame length. */
export interface KeyLocation {
  readonly file: string;
  readonly offset: number;
  readonly bytes: number;
}

export interface HintEntry {
  readonly key: Buffer;
  readonly offset: number;
  readonly bytes: number;
}

const HINT_VALUE_BYTES = 10;

export function encodeHints(entries: readonly HintEntry[]): Buffer {
  const loc = Buffer.alloc(HINT_VALUE_BYTES);
  return Buffer.concat(
    entries.map((e) => {
      loc.writeUIntLE(e.offset, 0, 6);
      loc.writeUInt32LE(e.bytes, 6);
      return frameKv(e.key, loc);
    }),
  );
}

/** Decode a hint file; null if any part of it is damaged (the caller then scans the data file). */
export function decodeHints(buf: Buffer): HintEntry[] | null {
  const scan = scanFrames(buf);
  if (scan.stop !== 'end') return null;
  const out: HintEntry[] = [];
  for (const f of scan.frames) {
    const kv = parseKv(f.payload);
    if (!kv || kv.value.length !== HINT_VALUE_BYTES) return null;
    out.push({ key: Buffer.from(kv.key), offset: kv.value.readUIntLE(0, 6), bytes: kv.value.readUInt32LE(6) });
  }
  return out;
}

/**
 * Read and verify the record at `loc`: its frame checksum must hold and fill exactly `loc.bytes`.
 * Returns the framed bytes too (a merge copies them verbatim). Null when damaged.
 */
export function readRecord(io: Io, fds: Map<string, number>, loc: KeyLocation): { key: Buffer; value: Buffer; framed: Buffer } | null {
  let fd = fds.get(loc.file);
  if (fd === undefined) {
    if (!io.exists(loc.file)) return null;
    fd = io.open(loc.file, { readOnly: true });
    fds.set(loc.file, fd);
  }
  const framed = Buffer.alloc(loc.bytes);
  if (io.read(fd, framed, loc.offset) !== loc.bytes) return null;
  const first = scanFrames(framed).frames[0];
  if (!first || first.payload.length + FRAME_HEADER_BYTES !== loc.bytes) return null;
  const kv = parseKv(first.payload);
  return kv ? { ...kv, framed } : null;
}
