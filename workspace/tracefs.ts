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
