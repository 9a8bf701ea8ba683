/**
 * Reads one SSTable. `openSSTable` verifies the whole file before it is used — footer, index and every
 * data block checksum — and returns a reason instead of throwing when anything fails, so recovery can
 * leave a damaged table out and say so. Lookups re-check the checksum of each block they read.
 */
import { crc32c } from '../crc32c.js';
import type { Io } from '../../io/io.js';
import type { WrittenTable } from './sstable-writer.js';
import { decodeFooter, decodeIndex, FOOTER_BYTES, forEachEntry, type BlockHandle } from './sstable-format.js';

export class SSTable {
  /** Blocks whose checksum failed on a lookup after open (the table changed under us). */
  corruptReads = 0;

  private constructor(
    private readonly io: Io,
    readonly path: string,
    private fd: number,
    private readonly handles: readonly BlockHandle[],
    readonly bytes: number,
    readonly entries: number,
    readonly minKey: Buffer | null,
  ) {}

  /** A table this process just wrote and synced: its index is known, no need to read it back. */
  static fromWriter(io: Io, path: string, written: WrittenTable): SSTable {
    return new SSTable(io, path, io.open(path, { readOnly: true }), written.handles, written.bytes, written.entries, written.minKey);
  }

  /** Open and verify `path`; a string says why the table cannot be used. Never throws on bad data. */
  static open(io: Io, path: string): SSTable | string {
    let buf: Buffer;
    try {
      buf = io.readFile(path);
    } catch (err) {
      return `cannot read: ${(err as Error).message}`;
    }
    if (buf.length < FOOTER_BYTES) return `${buf.length} bytes: shorter than a footer`;
    const footer = decodeFooter(buf.subarray(buf.length - FOOTER_BYTES));
    if (typeof footer === 'string') return footer;
    const indexEnd = footer.indexOffset + footer.indexBytes;
    if (indexEnd !== buf.length - FOOTER_BYTES) return 'index does not end at the footer';
    const index = buf.subarray(footer.indexOffset, indexEnd);
    if (crc32c(index) !== footer.indexCrc) return 'index checksum fails';
    const handles = decodeIndex(index, footer.blocks, footer.indexOffset);
    if (typeof handles === 'string') return handles;
    let entries = 0;
    let minKey: Buffer | null = null;
    let prev: Buffer | null = null;
    for (const [i, h] of handles.entries()) {
      const block = buf.subarray(h.offset, h.offset + h.bytes);
      if (crc32c(block) !== h.crc) return `data block ${i} checksum fails`;
      let ordered = true;
      const wellFormed = forEachEntry(block, (key) => {
        if (prev && Buffer.compare(prev, key) >= 0) ordered = false;
        if (!minKey) minKey = Buffer.from(key);
        prev = key;
        entries += 1;
      });
      if (!wellFormed || !ordered) return `data block ${i} is malformed`;
      if (!prev || !(prev as Buffer).equals(h.lastKey)) return `data block ${i} does not end with its index key`;
    }
    if (entries !== footer.entries) return `footer says ${footer.entries} entries, blocks hold ${entries}`;
    const fd = io.open(path, { readOnly: true });
    return new SSTable(io, path, fd, handles, buf.length, entries, minKey);
  }

  private readBlock(h: BlockHandle): Buffer | null {
    const block = Buffer.allocUnsafe(h.bytes);
    const n = this.io.read(this.fd, block, h.offset);
    if (n !== h.bytes || crc32c(block) !== h.crc) {
      this.corruptReads += 1;
      return null;
    }
    return block;
  }

  /** The value of `key` in this table, or undefined (also when its block no longer verifies). */
  get(key: Buffer): Buffer | undefined {
    if (!this.minKey || Buffer.compare(key, this.minKey) < 0) return undefined;
    // First block whose last key is ≥ key.
    let lo = 0;
    let hi = this.handles.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Buffer.compare(this.handles[mid]!.lastKey, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    const h = this.handles[lo];
    if (!h) return undefined;
    const block = this.readBlock(h);
    if (!block) return undefined;
    let found: Buffer | undefined;
    forEachEntry(block, (k, v) => {
      const c = Buffer.compare(k, key);
      if (c === 0) found = v;
      return c < 0;
    });
    return found;
  }

  /** Every entry in key order. Throws if a block stopped verifying since open (compaction must not go on). */
  *scan(): Generator<[Buffer, Buffer]> {
    for (const h of this.handles) {
      const block = this.readBlock(h);
      if (!block) throw new Error(`${this.path}: block at ${h.offset} fails its checksum`);
      const out: [Buffer, Buffer][] = [];
      forEachEntry(block, (k, v) => {
        out.push([k, v]);
      });
      yield* out;
    }
  }

  close(): void {
    if (this.fd < 0) return;
    this.io.close(this.fd);
    this.fd = -1;
  }
}
