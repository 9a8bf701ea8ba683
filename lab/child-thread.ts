/**
 * A writer thread of the crash lab's child when the case has several writers: opens its engine,
 * says it is ready, waits for the start signal (all writers start together, as in the benchmark),
 * runs its loop. Errors go back to the main thread, which ends the child.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openWriter } from './child-writer.js';
import type { ChildConfig } from './protocol.js';

const { config, writer, memory } = workerData as { config: ChildConfig; writer: number; memory: SharedArrayBuffer | null };

async function main(): Promise<void> {
  const handle = await openWriter(config, writer, memory);
  await new Promise<void>((resolve) => {
    parentPort!.once('message', () => resolve());
    parentPort!.postMessage({ type: 'ready' });
  });
  await handle.run();
  parentPort!.postMessage({ type: 'done' });
}

main().catch((err: unknown) => {
  parentPort!.postMessage({ type: 'failed', message: (err as Error)?.stack ?? String(err) });
});
