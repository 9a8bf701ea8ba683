/**
 * Writes one SSTable (format in sstable-format.ts) from entries given in ascending key order.
 * Blocks are gathered into ~1 MiB writes. `finish()` writes index and footer; syncing and closing are
 * separate steps because the flush protocol (and its fault switches) decide when they happen.
 */
import { crc32c } from '../crc32c.js';
import type { Io } from '../../io/io.js';
import { encodeFooter, encodeIndex, ENTRY_HEADER_BYTES, type BlockHandle } from './sstable-format.js';

const WRITE_CHUNK_BYTES = 1 << 20;

/** What a finished writer knows about its table: enough to read it without re-reading the file. */
export interface WrittenTable {
  readonly bytes: number;
  readonly entries: number;
  readonly handles: readonly BlockHandle[];
  readonly minKey: Buffer | null;
}

export class SSTableWriter {
  private readonly fd: number;
  /** File bytes handed to the io layer so far. */
  private written = 0;
  private readonly chunk: Buffer[] = [];
  private chunkBytes = 0;
  private block: Buffer[] = [];
  private blockBytes = 0;
  private firstKey: Buffer | null = null;
  private lastKey: Buffer | null = null;
  private readonly handles: BlockHandle[] = [];
  private entryCount = 0;
  private closed = false;

  constructor(
    private readonly io: Io,
    readonly path: string,
    private readonly targetBlockBytes: number,
  ) {
    this.fd = io.open(path, { create: true, truncate: true });
  }

  /** Add the next entry; keys must be strictly ascending. */
  add(key: Buffer, value: Buffer): void {
    if (this.lastKey && Buffer.compare(this.lastKey, key) >= 0) throw new Error(`SSTableWriter: keys out of order in ${this.path}`);
    const header = Buffer.allocUnsafe(ENTRY_HEADER_BYTES);
    header.writeUInt16LE(key.length, 0);
    header.writeUInt32LE(value.length, 2);
    this.block.push(header, key, value);
    this.blockBytes += ENTRY_HEADER_BYTES + key.length + value.length;
    if (!this.firstKey) this.firstKey = key;
    this.lastKey = key;
    this.entryCount += 1;
    if (this.blockBytes >= this.targetBlockBytes) this.endBlock();
  }

  private endBlock(): void {
    if (this.blockBytes === 0 || !this.lastKey) return;
    const block = Buffer.concat(this.block, this.blockBytes);
    const offset = this.written + this.chunkBytes;
    this.handles.push({ lastKey: this.lastKey, offset, bytes: block.length, crc: crc32c(block) });
    this.push(block);
    this.block = [];
    this.blockBytes = 0;
  }

  private push(buf: Buffer): void {
    this.chunk.push(buf);
    this.chunkBytes += buf.length;
    if (this.chunkBytes >= WRITE_CHUNK_BYTES) this.writeChunk();
  }

  private writeChunk(): void {
    if (this.chunkBytes === 0) return;
    this.io.write(this.fd, Buffer.concat(this.chunk, this.chunkBytes), this.written);
    this.written += this.chunkBytes;
    this.chunk.length = 0;
    this.chunkBytes = 0;
  }

  /** Write the last block, the index and the footer. The file is not synced. */
  finish(): WrittenTable {
    this.endBlock();
    const dataEnd = this.written + this.chunkBytes;
    const index = encodeIndex(this.handles);
    this.push(index);
    this.push(
      encodeFooter({
        indexOffset: dataEnd,
        indexBytes: index.length,
        indexCrc: crc32c(index),
        entries: this.entryCount,
        blocks: this.handles.length,
      }),
    );
    this.writeChunk();
    return { bytes: this.written, entries: this.entryCount, handles: this.handles, minKey: this.firstKey };
  }

  /** fsync the file (data and its new size and allocation). */
  sync(): void {
    this.io.fsync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.io.close(this.fd);
  }
}
