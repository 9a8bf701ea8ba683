/**
 * The sorted memtable: a skip list (Pugh 1990) ordered by `Buffer.compare` of the keys, so a flush
 * walks it in key order without sorting. Overwrites replace the value in place.
 *
 * `bytes` grows with every put, overwrites included (like a LevelDB/RocksDB arena): it bounds how
 * much WAL a memtable covers, so an overwrite-heavy workload still flushes and truncates its log.
 */

const MAX_LEVEL = 16;
/** Bookkeeping charged per put on top of key and value bytes (node and pointers). */
export const ENTRY_OVERHEAD_BYTES = 32;

interface Node {
  readonly key: Buffer;
  value: Buffer;
  readonly next: (Node | null)[];
}

export class Memtable {
  private readonly head: Node = { key: Buffer.alloc(0), value: Buffer.alloc(0), next: new Array<Node | null>(MAX_LEVEL).fill(null) };
  private level = 1;
  /** xorshift32 state: deterministic levels, no Math.random in the engine. */
  private rng = 0x9e3779b9;
  private readonly update: Node[] = new Array<Node>(MAX_LEVEL);
  /** Bytes put into this memtable (keys, values, overhead), overwrites included. */
  bytes = 0;
  /** Distinct keys. */
  count = 0;

  private randomLevel(): number {
    let level = 1;
    for (;;) {
      let x = this.rng;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.rng = x >>> 0;
      // p = 1/4 per level, as in LevelDB's skiplist.
      if (level < MAX_LEVEL && (this.rng & 3) === 0) level += 1;
      else return level;
    }
  }

  /** Insert or overwrite. The buffers are kept, not copied: callers pass buffers nobody mutates. */
  put(key: Buffer, value: Buffer): void {
    this.bytes += key.length + value.length + ENTRY_OVERHEAD_BYTES;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n && Buffer.compare(n.key, key) < 0; n = x.next[i]) x = n;
      this.update[i] = x;
    }
    const found = x.next[0];
    if (found && found.key.equals(key)) {
      found.value = value;
      return;
    }
    const level = this.randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) this.update[i] = this.head;
      this.level = level;
    }
    const node: Node = { key, value, next: new Array<Node | null>(level).fill(null) };
    for (let i = 0; i < level; i++) {
      const prev = this.update[i]!;
      node.next[i] = prev.next[i] ?? null;
      prev.next[i] = node;
    }
    this.count += 1;
  }

  get(key: Buffer): Buffer | undefined {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      for (let n = x.next[i]; n && Buffer.compare(n.key, key) < 0; n = x.next[i]) x = n;
    }
    const n = x.next[0];
    return n && n.key.equals(key) ? n.value : undefined;
  }

  /** Entries in ascending key order. */
  *entries(): Generator<[Buffer, Buffer]> {
    for (let n = this.head.next[0] ?? null; n; n = n.next[0] ?? null) yield [n.key, n.value];
  }
}
