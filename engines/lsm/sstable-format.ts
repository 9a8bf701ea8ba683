/**
 * SSTable file format (`sst-<16-digit id>.sst`), written once, never modified:
 *
 *   [data block]...[data block][index block][footer: 48 bytes]
 *
 * - data block: entries in ascending key order, each `[u16 LE key length][u32 LE value length][key][value]`;
 *   a block is closed once it reaches `--sstable-block-bytes`.
 * - index block: per data block `[u16 LE last-key length][last key][u64 LE offset][u32 LE length][u32 LE crc32c of the block]`.
 * - footer: `[8 bytes magic "durasst1"][u64 LE index offset][u32 LE index length][u32 LE crc32c of the index]
 *   [u64 LE entry count][u32 LE data block count][u32 LE format version][u32 reserved][u32 LE crc32c of the
 *   preceding 44 footer bytes]`.
 *
 * Every byte a reader uses is covered by a checksum: footer, index, and each block (checked on read).
 */
import { crc32c } from '../crc32c.js';

export const SSTABLE_MAGIC = Buffer.from('durasst1', 'latin1');
export const SSTABLE_VERSION = 1;
export const FOOTER_BYTES = 48;
export const ENTRY_HEADER_BYTES = 6;
export const INDEX_ENTRY_FIXED_BYTES = 2 + 8 + 4 + 4;

export interface Footer {
  readonly indexOffset: number;
  readonly indexBytes: number;
  readonly indexCrc: number;
  readonly entries: number;
  readonly blocks: number;
}

/** Where a data block is and how to check it. */
export interface BlockHandle {
  readonly lastKey: Buffer;
  readonly offset: number;
  readonly bytes: number;
  readonly crc: number;
}

export function writeU64(buf: Buffer, value: number, at: number): void {
  buf.writeUInt32LE(value % 0x1_0000_0000, at);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), at + 4);
}

export function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * 0x1_0000_0000;
}

export function encodeFooter(f: Footer): Buffer {
  const out = Buffer.alloc(FOOTER_BYTES);
  SSTABLE_MAGIC.copy(out, 0);
  writeU64(out, f.indexOffset, 8);
  out.writeUInt32LE(f.indexBytes, 16);
  out.writeUInt32LE(f.indexCrc, 20);
  writeU64(out, f.entries, 24);
  out.writeUInt32LE(f.blocks, 32);
  out.writeUInt32LE(SSTABLE_VERSION, 36);
  out.writeUInt32LE(crc32c(out, 0, 0, FOOTER_BYTES - 4), FOOTER_BYTES - 4);
  return out;
}

/** The footer, or a reason it cannot be trusted. */
export function decodeFooter(buf: Buffer): Footer | string {
  if (buf.length !== FOOTER_BYTES) return 'file shorter than a footer';
  if (!buf.subarray(0, 8).equals(SSTABLE_MAGIC)) return 'no SSTable magic in the footer';
  if (crc32c(buf, 0, 0, FOOTER_BYTES - 4) !== buf.readUInt32LE(FOOTER_BYTES - 4)) return 'footer checksum fails';
  if (buf.readUInt32LE(36) !== SSTABLE_VERSION) return `unknown SSTable version ${buf.readUInt32LE(36)}`;
  return {
    indexOffset: readU64(buf, 8),
    indexBytes: buf.readUInt32LE(16),
    indexCrc: buf.readUInt32LE(20),
    entries: readU64(buf, 24),
    blocks: buf.readUInt32LE(32),
  };
}

export function encodeIndex(handles: readonly BlockHandle[]): Buffer {
  let bytes = 0;
  for (const h of handles) bytes += INDEX_ENTRY_FIXED_BYTES + h.lastKey.length;
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const h of handles) {
    out.writeUInt16LE(h.lastKey.length, at);
    h.lastKey.copy(out, at + 2);
    at += 2 + h.lastKey.length;
    writeU64(out, h.offset, at);
    out.writeUInt32LE(h.bytes, at + 8);
    out.writeUInt32LE(h.crc, at + 12);
    at += 16;
  }
  return out;
}

/** The block handles of an index block (already checksum-verified), or a reason it is malformed. */
export function decodeIndex(buf: Buffer, blocks: number, dataEnd: number): BlockHandle[] | string {
  const handles: BlockHandle[] = [];
  let at = 0;
  let expectedOffset = 0;
  while (at < buf.length) {
    if (buf.length - at < INDEX_ENTRY_FIXED_BYTES) return 'index entry cut short';
    const keyLength = buf.readUInt16LE(at);
    if (buf.length - at < INDEX_ENTRY_FIXED_BYTES + keyLength) return 'index entry cut short';
    const lastKey = Buffer.from(buf.subarray(at + 2, at + 2 + keyLength));
    at += 2 + keyLength;
    const h = { lastKey, offset: readU64(buf, at), bytes: buf.readUInt32LE(at + 8), crc: buf.readUInt32LE(at + 12) };
    at += 16;
    if (h.offset !== expectedOffset || h.offset + h.bytes > dataEnd) return 'index points outside the data blocks';
    expectedOffset = h.offset + h.bytes;
    handles.push(h);
  }
  if (handles.length !== blocks || expectedOffset !== dataEnd) return 'index does not cover the data blocks';
  return handles;
}

/** Walk the entries of one (checksum-verified) block. Returns false if the block is malformed. */
export function forEachEntry(block: Buffer, visit: (key: Buffer, value: Buffer) => boolean | void): boolean {
  let at = 0;
  while (at < block.length) {
    if (block.length - at < ENTRY_HEADER_BYTES) return false;
    const keyLength = block.readUInt16LE(at);
    const valueLength = block.readUInt32LE(at + 2);
    const end = at + ENTRY_HEADER_BYTES + keyLength + valueLength;
    if (end > block.length) return false;
    const key = block.subarray(at + ENTRY_HEADER_BYTES, at + ENTRY_HEADER_BYTES + keyLength);
    if (visit(key, block.subarray(at + ENTRY_HEADER_BYTES + keyLength, end)) === false) return true;
    at = end;
  }
  return true;
}
