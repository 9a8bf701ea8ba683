/**
 * btree page format. Every page of the page file is `pageBytes` long (4 KiB by default):
 *
 *   [u32 LE crc32c(pageNo as u32 LE ‖ bytes 4..pageBytes)][u8 type][u16 LE count][body ...][zero padding]
 *
 * The page number is inside the checksum, so a page image written at the wrong place fails it too.
 *
 *   type 1 meta (always page 0): body = [u32 magic 'BTR1'][u32 pageBytes][u32 root][u32 pageCount][u32 epoch]
 *     root 0 = empty tree; pageCount = pages allocated; epoch = checkpoint generation (see ./wal.ts)
 *   type 2 leaf: count × [u16 keyLen][key][u8 kind][kind 0: u32 valueLen, value | kind 1: u32 firstPage, u32 valueLen, u32 crc32c(value)]
 *   type 3 internal: [u32 child0] then count × [u16 keyLen][key][u32 child]; key i is the smallest key of child i+1
 *
 * Values that do not fit inline (entry > pageBytes/4) live in an overflow run: `ceil(len/pageBytes)`
 * contiguous pages holding the raw value bytes, covered by the crc32c stored in the leaf entry (overflow
 * pages carry no header, so a 1 MiB value takes exactly 256 pages).
 */
import { crc32c } from '../crc32c.js';

export const PAGE_META = 1;
export const PAGE_LEAF = 2;
export const PAGE_INTERNAL = 3;
const HEADER_BYTES = 7;
const MAGIC = 0x31525442; // 'BTR1'

export type LeafValue =
  | { readonly kind: 'inline'; readonly value: Buffer }
  | { readonly kind: 'overflow'; readonly first: number; readonly bytes: number; readonly crc: number };

export interface LeafNode {
  readonly type: 'leaf';
  keys: Buffer[];
  values: LeafValue[];
}

export interface InternalNode {
  readonly type: 'internal';
  keys: Buffer[];
  children: number[];
}

export type Node = LeafNode | InternalNode;

export interface Meta {
  /** Page of the root node; 0 = empty tree. */
  root: number;
  /** Pages allocated (page 0 included): the next page allocated at the end is this one. */
  pageCount: number;
  /** Checkpoint generation: WAL records of this epoch are replayed over this page file state. */
  epoch: number;
}

export function leafEntryBytes(key: Buffer, v: LeafValue): number {
  return 2 + key.length + 1 + (v.kind === 'inline' ? 4 + v.value.length : 12);
}

/** Serialized size of a node (must be ≤ pageBytes to fit its page). */
export function nodeBytes(node: Node): number {
  let n = HEADER_BYTES;
  if (node.type === 'leaf') node.keys.forEach((k, i) => (n += leafEntryBytes(k, node.values[i]!)));
  else n += 4 + node.keys.reduce((s, k) => s + 2 + k.length + 4, 0);
  return n;
}

function seal(page: Buffer, pageNo: number): Buffer {
  page.writeUInt32LE(pageChecksum(page, pageNo), 0);
  return page;
}

function pageChecksum(page: Buffer, pageNo: number): number {
  const no = Buffer.alloc(4);
  no.writeUInt32LE(pageNo >>> 0, 0);
  return crc32c(page, crc32c(no), 4, page.length);
}

export function encodeNode(node: Node, pageNo: number, pageBytes: number): Buffer {
  const page = Buffer.alloc(pageBytes);
  page[4] = node.type === 'leaf' ? PAGE_LEAF : PAGE_INTERNAL;
  page.writeUInt16LE(node.keys.length, 5);
  let off = HEADER_BYTES;
  if (node.type === 'internal') {
    page.writeUInt32LE(node.children[0]!, off);
    off += 4;
  }
  node.keys.forEach((key, i) => {
    page.writeUInt16LE(key.length, off);
    key.copy(page, off + 2);
    off += 2 + key.length;
    if (node.type === 'internal') {
      page.writeUInt32LE(node.children[i + 1]!, off);
      off += 4;
      return;
    }
    const v = node.values[i]!;
    if (v.kind === 'inline') {
      page[off] = 0;
      page.writeUInt32LE(v.value.length, off + 1);
      v.value.copy(page, off + 5);
      off += 5 + v.value.length;
    } else {
      page[off] = 1;
      page.writeUInt32LE(v.first, off + 1);
      page.writeUInt32LE(v.bytes, off + 5);
      page.writeUInt32LE(v.crc, off + 9);
      off += 13;
    }
  });
  return seal(page, pageNo);
}

export function encodeMeta(meta: Meta, pageBytes: number): Buffer {
  const page = Buffer.alloc(pageBytes);
  page[4] = PAGE_META;
  page.writeUInt32LE(MAGIC, HEADER_BYTES);
  page.writeUInt32LE(pageBytes, HEADER_BYTES + 4);
  page.writeUInt32LE(meta.root, HEADER_BYTES + 8);
  page.writeUInt32LE(meta.pageCount, HEADER_BYTES + 12);
  page.writeUInt32LE(meta.epoch, HEADER_BYTES + 16);
  return seal(page, 0);
}

/** True when the page's checksum holds for page number `pageNo`. */
export function pageIntact(page: Buffer, pageNo: number): boolean {
  return page.length >= HEADER_BYTES && page.readUInt32LE(0) === pageChecksum(page, pageNo);
}

export function decodeMeta(page: Buffer, pageBytes: number): Meta | null {
  if (page.length !== pageBytes || !pageIntact(page, 0) || page[4] !== PAGE_META) return null;
  if (page.readUInt32LE(HEADER_BYTES) !== MAGIC || page.readUInt32LE(HEADER_BYTES + 4) !== pageBytes) return null;
  const meta = {
    root: page.readUInt32LE(HEADER_BYTES + 8),
    pageCount: page.readUInt32LE(HEADER_BYTES + 12),
    epoch: page.readUInt32LE(HEADER_BYTES + 16),
  };
  return meta.pageCount >= 1 && meta.root < meta.pageCount ? meta : null;
}

/** Decode a tree page; null when its checksum fails or it is malformed (the caller treats it as lost). */
export function decodeNode(page: Buffer, pageNo: number, pageBytes: number): Node | null {
  if (page.length !== pageBytes || !pageIntact(page, pageNo)) return null;
  const type = page[4];
  const count = page.readUInt16LE(5);
  let off = HEADER_BYTES;
  const keys: Buffer[] = [];
  const need = (n: number): boolean => off + n <= pageBytes;
  const readKey = (): Buffer | null => {
    if (!need(2)) return null;
    const len = page.readUInt16LE(off);
    if (!need(2 + len)) return null;
    const key = Buffer.from(page.subarray(off + 2, off + 2 + len));
    off += 2 + len;
    return key;
  };
  if (type === PAGE_INTERNAL) {
    if (!need(4)) return null;
    const children = [page.readUInt32LE(off)];
    off += 4;
    for (let i = 0; i < count; i++) {
      const key = readKey();
      if (!key || !need(4)) return null;
      keys.push(key);
      children.push(page.readUInt32LE(off));
      off += 4;
    }
    return { type: 'internal', keys, children };
  }
  if (type !== PAGE_LEAF) return null;
  const values: LeafValue[] = [];
  for (let i = 0; i < count; i++) {
    const key = readKey();
    if (!key || !need(1)) return null;
    const kind = page[off];
    if (kind === 0) {
      if (!need(5)) return null;
      const len = page.readUInt32LE(off + 1);
      if (!need(5 + len)) return null;
      values.push({ kind: 'inline', value: Buffer.from(page.subarray(off + 5, off + 5 + len)) });
      off += 5 + len;
    } else if (kind === 1) {
      if (!need(13)) return null;
      values.push({
        kind: 'overflow',
        first: page.readUInt32LE(off + 1),
        bytes: page.readUInt32LE(off + 5),
        crc: page.readUInt32LE(off + 9),
      });
      off += 13;
    } else return null;
    keys.push(key);
  }
  return { type: 'leaf', keys, values };
}
