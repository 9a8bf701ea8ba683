/**
 * The B+tree over the page file, in memory: a cache of decoded nodes, the set of dirty pages, and page
 * allocation. Nothing here writes: the engine (./engine.ts) decides when pages reach the page file
 * (at checkpoint) and in which order.
 *
 * - Keys are sorted byte strings (Buffer.compare); leaves hold values inline when the entry takes at
 *   most a quarter page, else in an overflow run (./page.ts). Nodes split at the byte midpoint when they
 *   outgrow their page, so every node keeps ≥ 2 entries and splits propagate to a new root.
 * - Pages allocated since the last checkpoint are "fresh": the durable page file state does not
 *   reference them, so a checkpoint may write them without a WAL image. Dirty pages that the durable
 *   state does reference are overwritten in place only after their images are in the WAL.
 * - An overflow run freed by an overwrite is reusable at once if it is fresh, else only after the next
 *   checkpoint (the durable state still points at it until then).
 * - A page whose checksum fails reads as an empty leaf and is counted in `lostPages`: recovery loses
 *   what it held but never returns a value that was not written (values in overflow runs are checked
 *   against the crc32c in their leaf entry on every read).
 * - Free space is not stored: `rebuildFreeSpace` walks the tree at open and frees every page that is
 *   not reachable.
 */
import { crc32c } from '../crc32c.js';
import { decodeNode, encodeNode, leafEntryBytes, nodeBytes, type InternalNode, type LeafValue, type Meta, type Node } from './page.js';

export interface PageSource {
  /** The `pageBytes` bytes of page `pageNo` (zero-padded past the end of the file). */
  readPage(pageNo: number): Buffer;
  /** `bytes` bytes starting at page `first`. */
  readRun(first: number, bytes: number): Buffer;
}

interface Run {
  first: number;
  count: number;
}

/** A tree deeper than this can only come from a damaged page file (4 KiB pages give fan-out ≥ 2). */
const MAX_DEPTH = 48;

export class PageTree {
  readonly nodes = new Map<number, Node>();
  /** Tree pages changed since the last checkpoint. */
  readonly dirty = new Set<number>();
  /** Pages allocated since the last checkpoint. */
  readonly fresh = new Set<number>();
  /** Overflow runs allocated since the last checkpoint and not yet written: first page → value. */
  readonly overflow = new Map<number, Buffer>();
  metaDirty = false;
  lostPages = 0;
  private free: Run[] = [];
  private pendingFree: Run[] = [];
  readonly maxKeyBytes: number;

  constructor(
    readonly meta: Meta,
    private readonly pageBytes: number,
    private readonly source: PageSource,
  ) {
    this.maxKeyBytes = Math.floor(pageBytes / 4) - 16;
  }

  private load(pageNo: number): Node {
    const cached = this.nodes.get(pageNo);
    if (cached) return cached;
    let node: Node | null = null;
    if (pageNo > 0 && pageNo < this.meta.pageCount) node = decodeNode(this.source.readPage(pageNo), pageNo, this.pageBytes);
    if (!node) {
      this.lostPages += 1;
      node = { type: 'leaf', keys: [], values: [] };
    }
    this.nodes.set(pageNo, node);
    return node;
  }

  get(key: Buffer): Buffer | undefined {
    let pageNo = this.meta.root;
    if (pageNo === 0) return undefined;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const node = this.load(pageNo);
      if (node.type === 'internal') {
        pageNo = node.children[upperBound(node.keys, key)]!;
        continue;
      }
      const i = lowerBound(node.keys, key);
      if (i >= node.keys.length || !node.keys[i]!.equals(key)) return undefined;
      return this.readValue(node.values[i]!);
    }
    return undefined;
  }

  private readValue(v: LeafValue): Buffer | undefined {
    if (v.kind === 'inline') return Buffer.from(v.value);
    const value = this.overflow.get(v.first) ?? this.source.readRun(v.first, v.bytes);
    return value.length === v.bytes && crc32c(value) === v.crc ? Buffer.from(value) : undefined;
  }

  put(key: Buffer, value: Buffer): void {
    if (key.length > this.maxKeyBytes) {
      throw new Error(`btree: key of ${key.length} bytes exceeds ${this.maxKeyBytes} bytes (a quarter page); raise --btree-page-bytes`);
    }
    let v: LeafValue = { kind: 'inline', value: Buffer.from(value) };
    if (leafEntryBytes(key, v) > this.pageBytes / 4) {
      const first = this.alloc(Math.ceil(value.length / this.pageBytes));
      this.overflow.set(first, Buffer.from(value));
      v = { kind: 'overflow', first, bytes: value.length, crc: crc32c(value) };
    }
    const k = Buffer.from(key);
    if (this.meta.root === 0) {
      const root = this.allocNode({ type: 'leaf', keys: [k], values: [v] });
      this.meta.root = root;
      this.metaDirty = true;
      return;
    }
    const split = this.insert(this.meta.root, k, v, 0);
    if (split) {
      const old = this.meta.root;
      this.meta.root = this.allocNode({ type: 'internal', keys: [split.sep], children: [old, split.right] });
      this.metaDirty = true;
    }
  }

  private insert(pageNo: number, key: Buffer, v: LeafValue, depth: number): { sep: Buffer; right: number } | null {
    if (depth >= MAX_DEPTH) throw new Error(`btree: deeper than ${MAX_DEPTH} levels at page ${pageNo}: the page file is damaged`);
    const node = this.load(pageNo);
    if (node.type === 'internal') {
      const i = upperBound(node.keys, key);
      let child = node.children[i]!;
      if (child <= 0 || child >= this.meta.pageCount) {
        // A pointer out of the file (a damaged page that still passed its checksum cannot do this, but a
        // lost write in `none` mode can): give that key range a new empty leaf rather than write outside.
        child = this.allocNode({ type: 'leaf', keys: [], values: [] });
        node.children[i] = child;
        this.dirty.add(pageNo);
      }
      const split = this.insert(child, key, v, depth + 1);
      if (!split) return null;
      node.keys.splice(i, 0, split.sep);
      node.children.splice(i + 1, 0, split.right);
      this.dirty.add(pageNo);
      return nodeBytes(node) > this.pageBytes ? this.splitInternal(node) : null;
    }
    const i = lowerBound(node.keys, key);
    if (i < node.keys.length && node.keys[i]!.equals(key)) {
      this.release(node.values[i]!);
      node.values[i] = v;
    } else {
      node.keys.splice(i, 0, key);
      node.values.splice(i, 0, v);
    }
    this.dirty.add(pageNo);
    if (nodeBytes(node) <= this.pageBytes) return null;
    const m = splitPoint(node.keys.map((k, j) => leafEntryBytes(k, node.values[j]!)));
    const right = this.allocNode({ type: 'leaf', keys: node.keys.splice(m), values: node.values.splice(m) });
    return { sep: this.nodes.get(right)!.keys[0]!, right };
  }

  private splitInternal(node: InternalNode): { sep: Buffer; right: number } {
    const m = splitPoint(node.keys.map((k) => 2 + k.length + 4));
    const sep = node.keys[m]!;
    const right: InternalNode = { type: 'internal', keys: node.keys.slice(m + 1), children: node.children.slice(m + 1) };
    node.keys.length = m;
    node.children.length = m + 1;
    return { sep, right: this.allocNode(right) };
  }

  private allocNode(node: Node): number {
    const pageNo = this.alloc(1);
    this.nodes.set(pageNo, node);
    this.dirty.add(pageNo);
    this.fresh.add(pageNo);
    return pageNo;
  }

  /** First fit among reusable runs, else at the end of the file. */
  private alloc(count: number): number {
    const i = this.free.findIndex((r) => r.count >= count);
    if (i >= 0) {
      const run = this.free[i]!;
      const first = run.first;
      run.first += count;
      run.count -= count;
      if (run.count === 0) this.free.splice(i, 1);
      return first;
    }
    const first = this.meta.pageCount;
    this.meta.pageCount += count;
    this.metaDirty = true;
    return first;
  }

  private release(v: LeafValue): void {
    if (v.kind === 'inline') return;
    const run = { first: v.first, count: Math.ceil(v.bytes / this.pageBytes) };
    if (this.overflow.delete(v.first))
      this.free.push(run); // never reached the page file
    else this.pendingFree.push(run);
  }

  /** Dirty tree pages, encoded, split into fresh ones and ones the durable state references. */
  dirtyPages(): { fresh: { pageNo: number; image: Buffer }[]; inPlace: { pageNo: number; image: Buffer }[] } {
    const fresh: { pageNo: number; image: Buffer }[] = [];
    const inPlace: { pageNo: number; image: Buffer }[] = [];
    for (const pageNo of [...this.dirty].sort((a, b) => a - b)) {
      const page = { pageNo, image: encodeNode(this.nodes.get(pageNo)!, pageNo, this.pageBytes) };
      (this.fresh.has(pageNo) ? fresh : inPlace).push(page);
    }
    return { fresh, inPlace };
  }

  /** Every dirty page and overflow run reached the page file (a checkpoint, or the faulted commit path). */
  markWritten(): void {
    this.dirty.clear();
    this.overflow.clear();
    this.metaDirty = false;
  }

  /** A checkpoint finished: the page file state is the new durable state. */
  checkpointed(): void {
    this.markWritten();
    this.fresh.clear();
    this.free.push(...this.pendingFree);
    this.pendingFree = [];
  }

  /** Walk the tree from the root; every unreachable page in [1, pageCount) becomes reusable. */
  rebuildFreeSpace(): void {
    const count = this.meta.pageCount;
    const used = new Uint8Array(count);
    used[0] = 1;
    const stack = this.meta.root > 0 ? [this.meta.root] : [];
    while (stack.length > 0) {
      const pageNo = stack.pop()!;
      if (pageNo <= 0 || pageNo >= count || used[pageNo]) continue;
      used[pageNo] = 1;
      const node = this.load(pageNo);
      if (node.type === 'internal') {
        stack.push(...node.children);
        continue;
      }
      for (const v of node.values) {
        if (v.kind !== 'overflow') continue;
        const end = v.first + Math.ceil(v.bytes / this.pageBytes);
        if (v.first <= 0 || end > count || used.subarray(v.first, end).some((u) => u === 1)) continue; // damaged: reads fail its crc
        used.fill(1, v.first, end);
      }
    }
    this.free = [];
    for (let p = 1; p < count; p++) {
      if (used[p]) continue;
      const last = this.free.at(-1);
      if (last && last.first + last.count === p) last.count += 1;
      else this.free.push({ first: p, count: 1 });
    }
  }

  /** Height of the tree (0 when empty), for stats. */
  height(): number {
    let h = 0;
    let pageNo = this.meta.root;
    while (pageNo !== 0 && h < MAX_DEPTH) {
      h += 1;
      const node = this.load(pageNo);
      if (node.type === 'leaf') break;
      pageNo = node.children[0]!;
    }
    return h;
  }
}

/** First index whose key is ≥ `key`. */
function lowerBound(keys: readonly Buffer[], key: Buffer): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose key is > `key` (the child of an internal node that covers `key`). */
function upperBound(keys: readonly Buffer[], key: Buffer): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(keys[mid]!, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index splitting entries of these sizes at the byte midpoint, keeping ≥ 1 entry on each side. */
function splitPoint(sizes: readonly number[]): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  let acc = 0;
  let i = 0;
  while (i < sizes.length - 1 && acc + sizes[i]! <= total / 2) acc += sizes[i++]!;
  return Math.min(Math.max(i, 1), sizes.length - 1);
}
