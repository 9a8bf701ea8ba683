/**
 * The crash lab's writer child: the case's writers, each with its own engine instance, built and
 * driven exactly as the benchmark does (lab/child-writer.ts). One writer runs on the main thread;
 * several run on one worker thread each and start together. On a shared log (`--share log`) the
 * child allocates the case's one shared memory, zeroed, and hands it to every writer thread: all of
 * them write one log in one directory, as `coordinator/run-case.ts` runs them. The first record on fd 3 is this
 * process's id (under strace, the coordinator's own child is strace, not this process). At a crash
 * point writer 0 stops the whole process with SIGSTOP; the coordinator then kills it (kind `kill`) or
 * snapshots the drive and lets it continue or kills it (kind `power`).
 *
 * Run as `node dist/lab/child.js '<ChildConfig JSON>'` with fd 3 open for writing.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { openWriter } from './child-writer.js';
import { entryUrl } from '../workspace/entry-point.js';
import { encodeRecord, RECORD_BYTES, RecordType, type ChildConfig } from './protocol.js';

/**
 * The second line of defence when the kernel cannot be asked to kill us with our parent (no
 * setpriv): once the coordinator is gone (we were re-parented), stop. Runs whenever the event loop
 * does — between async commits, and while idling after the caps.
 */
function watchParent(): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
  }, 200).unref();
}

async function main(): Promise<void> {
  watchParent();
  const config = JSON.parse(process.argv[2] ?? '') as ChildConfig;
  fs.writeSync(3, encodeRecord(Buffer.alloc(RECORD_BYTES), RecordType.Hello, process.pid, process.hrtime.bigint()));
  // A SharedArrayBuffer in workerData is shared, not copied: every thread sees the one log tail.
  const memory = config.sharedLogBytes === null ? null : new SharedArrayBuffer(config.sharedLogBytes);
  if (config.writers <= 1) {
    const handle = await openWriter(config, 0, memory);
    await handle.run();
  } else {
    const workers = Array.from({ length: config.writers }, (_, w) => new Worker(entryUrl('lab/child-thread'), { workerData: { config, writer: w, memory } }));
    await new Promise<void>((resolve, reject) => {
      let ready = 0;
      let done = 0;
      for (const worker of workers) {
        worker.on('error', reject);
        worker.on('message', (m: { type: string; message?: string }) => {
          if (m.type === 'failed') reject(new Error(m.message));
          else if (m.type === 'ready' && ++ready === workers.length) for (const x of workers) x.postMessage('go');
          else if (m.type === 'done' && ++done === workers.length) resolve();
        });
      }
    });
  }
  // Every writer reached its cap: idle without closing the engines; the coordinator kills us.
  setInterval(() => {}, 1 << 30);
}

main().then(
  () => {},
  (err: unknown) => {
    process.stderr.write(`crash child: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
