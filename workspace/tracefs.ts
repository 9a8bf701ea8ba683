/**
 * Watching the kernel write the drive's cache back behind the lab's back. The cache of the
 * drive-cache model is the page cache of a loop device; the kernel's flusher writes it to the medium
 * about 30 s after it first got dirty (`vm.dirty_expire_centisecs`) and on any `sync(2)` on the
 * machine. That destage is legal drive behaviour but makes a crash state less adversarial, so the lab
 * reports it. The tracepoint `writeback:writeback_single_inode` is emitted by the flusher for each
 * inode it wrote (`wrote=` pages); filtered on the device's bdi name and `wrote > 0` it fires for
 * exactly those writebacks. A flush the filesystem asked for (`vfs_fsync` of the device) goes through
 * `file_write_and_wait_range`, not the flusher, and emits none.
 *
 * A private tracing instance (`instances/<name>`, its own buffer and event switches) on a tracefs the
 * lab mounts in its scratch directory; removed (rmdir) before the tracefs is unmounted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hold, release } from './registry.js';
import { assertLabPath } from './workdir.js';

const EVENT = 'writeback_single_inode';

export class WritebackWatch {
  private constructor(private readonly instance: string) {}

  /** Create an instance under a mounted tracefs at `tracefsDir`; null with the reason when the kernel lacks the event. */
  static create(tracefsDir: string, name: string): WritebackWatch | string {
    assertLabPath(tracefsDir, 'create a tracing instance in');
    const events = path.join(tracefsDir, 'events', 'writeback', EVENT);
    if (!fs.existsSync(events)) return `the kernel has no writeback:${EVENT} tracepoint`;
    const instance = path.join(tracefsDir, 'instances', name);
    fs.mkdirSync(instance);
    hold({ kind: 'trace-instance', path: instance });
    return new WritebackWatch(instance);
  }

  /** Watch one bdi (`7:5`) from now on; earlier events are dropped. */
  watch(bdi: string): void {
    if (!/^\d+:\d+$/.test(bdi)) throw new Error(`not a bdi name: '${bdi}'`);
    const ev = path.join(this.instance, 'events', 'writeback', EVENT);
    fs.writeFileSync(path.join(ev, 'enable'), '0');
    fs.writeFileSync(path.join(ev, 'filter'), `name == "${bdi}" && wrote > 0`);
    fs.writeFileSync(path.join(this.instance, 'trace'), '');
    fs.writeFileSync(path.join(ev, 'enable'), '1');
  }

  /** Pages the flusher wrote back since the last call; clears the buffer. */
  take(): number {
    const text = fs.readFileSync(path.join(this.instance, 'trace'), 'latin1');
    fs.writeFileSync(path.join(this.instance, 'trace'), '');
    return pagesWrittenBack(text);
  }

  close(): void {
    try {
      fs.writeFileSync(path.join(this.instance, 'events', 'writeback', EVENT, 'enable'), '0');
    } finally {
      fs.rmdirSync(this.instance);
      release({ kind: 'trace-instance', path: this.instance });
    }
  }
}

/** `… writeback_single_inode: bdi 7:5: ino=… wrote=12 cgroup_ino=1` lines → the pages they wrote, summed. Pure. */
export function pagesWrittenBack(trace: string): number {
  let pages = 0;
  for (const line of trace.split('\n')) {
    if (!line.includes(`${EVENT}:`)) continue;
    const m = /\bwrote=(\d+)/.exec(line);
    if (m) pages += Number(m[1]);
  }
  return pages;
}

const BLOCK_EVENT = 'block_rq_complete';
/** Per-CPU ring buffer of the block-write instance: the lab drains it at every capture, so it only has to hold the writes of one gap between instants. */
const BLOCK_BUFFER_KB = 4096;

/**
 * Which blocks of a device were ever written: `block:block_rq_complete` on that device (every request
 * the block layer completed, with its first sector and length), drained from a private instance's
 * `trace_pipe` (a consuming read, so nothing between two drains is missed or counted twice). The
 * crash lab's drive cache can only differ from the medium in blocks the inner device wrote, so the
 * capture compares those instead of the whole image. An overrun of the ring buffer (events lost)
 * makes `blocks()` null for good: the caller then compares everything.
 */
export class BlockWriteWatch {
  private readonly written = new Set<number>();
  private lost = false;

  private constructor(
    private readonly instance: string,
    private readonly blockBytes: number,
  ) {}

  /** Watch `devNumbers` (`7:5`, the device's sysfs `dev`) from now on; the reason when the kernel lacks the event. */
  static create(tracefsDir: string, name: string, devNumbers: string, blockBytes: number): BlockWriteWatch | string {
    assertLabPath(tracefsDir, 'create a tracing instance in');
    const m = /^(\d+):(\d+)$/.exec(devNumbers);
    if (!m) throw new Error(`not a device number: '${devNumbers}'`);
    if (!fs.existsSync(path.join(tracefsDir, 'events', 'block', BLOCK_EVENT))) return `the kernel has no block:${BLOCK_EVENT} tracepoint`;
    const instance = path.join(tracefsDir, 'instances', name);
    fs.mkdirSync(instance);
    hold({ kind: 'trace-instance', path: instance });
    const w = new BlockWriteWatch(instance, blockBytes);
    try {
      fs.writeFileSync(path.join(instance, 'buffer_size_kb'), String(BLOCK_BUFFER_KB));
      const ev = path.join(instance, 'events', 'block', BLOCK_EVENT);
      // The kernel's dev_t: major << 20 | minor (include/linux/kdev_t.h, MKDEV).
      fs.writeFileSync(path.join(ev, 'filter'), `dev == ${Number(m[1]) * 2 ** 20 + Number(m[2])}`);
      fs.writeFileSync(path.join(ev, 'enable'), '1');
    } catch (err) {
      w.close();
      throw err;
    }
    return w;
  }

  /** Read every event completed since the last drain. */
  drain(): void {
    if (this.lost) return;
    const fd = fs.openSync(path.join(this.instance, 'trace_pipe'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const buf = Buffer.alloc(1 << 20);
    let text = '';
    try {
      for (;;) {
        let n: number;
        try {
          n = fs.readSync(fd, buf, 0, buf.length, null);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw err;
        }
        if (n === 0) break;
        text += buf.toString('latin1', 0, n);
      }
    } finally {
      fs.closeSync(fd);
    }
    for (const r of blockWrites(text)) {
      const first = Math.floor((r.sector * 512) / this.blockBytes);
      const last = Math.floor(((r.sector + r.sectors) * 512 - 1) / this.blockBytes);
      for (let b = first; b <= last; b++) this.written.add(b);
    }
    if (overrun(this.instance)) this.lost = true;
  }

  /** Indices (ascending) of the blocks written since watching began; null if events were lost. */
  blocks(): number[] | null {
    return this.lost ? null : [...this.written].sort((a, b) => a - b);
  }

  close(): void {
    try {
      fs.writeFileSync(path.join(this.instance, 'events', 'block', BLOCK_EVENT, 'enable'), '0');
    } finally {
      fs.rmdirSync(this.instance);
      release({ kind: 'trace-instance', path: this.instance });
    }
  }
}

/** Events lost by any CPU's ring buffer of the instance (`per_cpu/cpuN/stats`: overrun, dropped events). */
function overrun(instance: string): boolean {
  const dir = path.join(instance, 'per_cpu');
  for (const cpu of fs.readdirSync(dir)) {
    const stats = fs.readFileSync(path.join(dir, cpu, 'stats'), 'latin1');
    for (const m of stats.matchAll(/^(overrun|dropped events): (\d+)/gm)) if (Number(m[2]) > 0) return true;
  }
  return false;
}

/**
 * `… block_rq_complete: 7,5 WS () 123456 + 8 none,0,0 [0]` lines → the ranges of every request
 * that was not a read (rwbs: an optional F for a preflush, then the operation: W write, D discard,
 * Z write-zeroes, R read, …). Pure.
 */
export function blockWrites(trace: string): { sector: number; sectors: number }[] {
  const out: { sector: number; sectors: number }[] = [];
  for (const line of trace.split('\n')) {
    const m = /block_rq_complete: \d+,\d+ (\S+) \(.*?\) (\d+) \+ (\d+)/.exec(line);
    if (!m || /^F?R/.test(m[1]!) || m[3] === '0') continue;
    out.push({ sector: Number(m[2]), sectors: Number(m[3]) });
  }
  return out;
}
