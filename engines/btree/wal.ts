/**
 * The btree engine's own write-ahead log: one file (`btree.wal`) of framed records (engines/framing.ts:
 * length + CRC32C). Every record carries the checkpoint epoch it belongs to:
 *
 *   put         [u8 1][u32 LE epoch][u16 LE keyLen][key][value]      — one commit (logical redo)
 *   page        [u8 2][u32 LE epoch][u32 LE pageNo][page image]      — a page a checkpoint will overwrite
 *   checkpoint  [u8 3][u32 LE epoch]                                  — the page images of this epoch are complete
 *
 * Recovery (see ./engine.ts): if a complete image batch (page records followed by their checkpoint
 * record) exists, its images are written over the page file (a checkpoint was interrupted while
 * overwriting pages in place: the images repair torn pages, as PostgreSQL's full-page writes do); then
 * the put records of the page file's epoch are replayed in order. Put records of older epochs are
 * already in the pages and are skipped.
 */
import { frame, scanFrames, type ScanResult } from '../framing.js';

export type WalRecord =
  | { readonly type: 'put'; readonly epoch: number; readonly key: Buffer; readonly value: Buffer }
  | { readonly type: 'page'; readonly epoch: number; readonly pageNo: number; readonly image: Buffer }
  | { readonly type: 'checkpoint'; readonly epoch: number };

const PUT = 1;
const PAGE = 2;
const CHECKPOINT = 3;

export function encodePut(epoch: number, key: Buffer, value: Buffer): Buffer {
  const payload = Buffer.allocUnsafe(7 + key.length + value.length);
  payload[0] = PUT;
  payload.writeUInt32LE(epoch, 1);
  payload.writeUInt16LE(key.length, 5);
  key.copy(payload, 7);
  value.copy(payload, 7 + key.length);
  return frame(payload);
}

export function encodePage(epoch: number, pageNo: number, image: Buffer): Buffer {
  const payload = Buffer.allocUnsafe(9 + image.length);
  payload[0] = PAGE;
  payload.writeUInt32LE(epoch, 1);
  payload.writeUInt32LE(pageNo, 5);
  image.copy(payload, 9);
  return frame(payload);
}

export function encodeCheckpoint(epoch: number): Buffer {
  const payload = Buffer.allocUnsafe(5);
  payload[0] = CHECKPOINT;
  payload.writeUInt32LE(epoch, 1);
  return frame(payload);
}

function decodeRecord(p: Buffer): WalRecord | null {
  if (p.length < 5) return null;
  const epoch = p.readUInt32LE(1);
  switch (p[0]) {
    case PUT: {
      if (p.length < 7) return null;
      const keyLen = p.readUInt16LE(5);
      if (7 + keyLen > p.length) return null;
      return { type: 'put', epoch, key: p.subarray(7, 7 + keyLen), value: p.subarray(7 + keyLen) };
    }
    case PAGE:
      return p.length < 9 ? null : { type: 'page', epoch, pageNo: p.readUInt32LE(5), image: p.subarray(9) };
    case CHECKPOINT:
      return { type: 'checkpoint', epoch };
    default:
      return null;
  }
}

/** Decode a WAL: the intact records up to the first damaged frame (or malformed record). Never throws. */
export function decodeWal(buf: Buffer): { records: WalRecord[]; scan: ScanResult; malformed: boolean } {
  const scan = scanFrames(buf);
  const records: WalRecord[] = [];
  for (const f of scan.frames) {
    const r = decodeRecord(f.payload);
    if (!r) return { records, scan, malformed: true };
    records.push(r);
  }
  return { records, scan, malformed: false };
}
