/**
 * The manifest (`MANIFEST`): which SSTables are live, newest first, and the WAL checkpoint (records
 * before it are in those SSTables). One framed record (length + CRC32C, engines/framing.ts) holding
 * JSON, replaced atomically with `Io.replaceFile` (write `MANIFEST.tmp`, fsync, rename, fsync the
 * directory), so a reader sees the old or the new manifest, never a mix.
 */
import path from 'node:path';
import { frame, scanFrames } from '../framing.js';
import type { Io } from '../../io/io.js';
import type { WalPosition } from '../wal/position.js';

export const MANIFEST_FILE = 'MANIFEST';
const VERSION = 1;

export interface Manifest {
  /** Live SSTable ids, newest first (a lookup stops at the first table holding the key). */
  readonly tables: readonly number[];
  /** The next SSTable id to use. */
  readonly nextTableId: number;
  /** WAL records before this position are in the SSTables; replay starts here. Null: replay all. */
  readonly walCheckpoint: WalPosition | null;
}

export const EMPTY_MANIFEST: Manifest = { tables: [], nextTableId: 1, walCheckpoint: null };

export function sstableName(id: number): string {
  return `sst-${String(id).padStart(16, '0')}.sst`;
}

const SST_NAME = /^sst-(\d{16})\.sst$/;

/** The id of an SSTable file name, or null for any other file. */
export function parseSSTableName(name: string): number | null {
  const m = SST_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

export function encodeManifest(m: Manifest): Buffer {
  return frame(Buffer.from(JSON.stringify({ version: VERSION, ...m })));
}

const isId = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0;

/** Parse manifest bytes; a string says why they cannot be trusted. Never throws. */
export function decodeManifest(buf: Buffer): Manifest | string {
  const scan = scanFrames(buf);
  const payload = scan.frames[0]?.payload;
  if (!payload || scan.frames.length !== 1 || scan.stop !== 'end') return `not one intact record (${scan.stop})`;
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (typeof v !== 'object' || v === null) return 'not an object';
  const o = v as Record<string, unknown>;
  if (o['version'] !== VERSION) return `unknown version ${String(o['version'])}`;
  const tables = o['tables'];
  if (!Array.isArray(tables) || !tables.every(isId) || new Set(tables).size !== tables.length) return 'bad table list';
  const next = o['nextTableId'];
  if (!isId(next) || tables.some((t) => t >= next)) return 'bad nextTableId';
  const cp = o['walCheckpoint'];
  let walCheckpoint: WalPosition | null = null;
  if (cp !== null) {
    const c = cp as Record<string, unknown> | undefined;
    if (!c || !isId(c['segment']) || typeof c['offset'] !== 'number' || !Number.isSafeInteger(c['offset']) || c['offset'] < 0) {
      return 'bad walCheckpoint';
    }
    walCheckpoint = { segment: c['segment'], offset: c['offset'] };
  }
  return { tables, nextTableId: next, walCheckpoint };
}

export type ManifestRead =
  | { readonly state: 'missing' }
  | { readonly state: 'ok'; readonly manifest: Manifest }
  | { readonly state: 'bad'; readonly reason: string };

export function readManifest(io: Io, dir: string): ManifestRead {
  const file = path.join(dir, MANIFEST_FILE);
  if (!io.exists(file)) return { state: 'missing' };
  const m = decodeManifest(io.readFile(file));
  return typeof m === 'string' ? { state: 'bad', reason: m } : { state: 'ok', manifest: m };
}

/** Replace the manifest atomically. `syncDir: false` reproduces the `no-dir-fsync` defect. */
export function writeManifest(io: Io, dir: string, m: Manifest, syncDir: boolean): void {
  io.replaceFile(path.join(dir, MANIFEST_FILE), encodeManifest(m), { syncDir });
}
