/**
 * The writer pool: piscina worker threads, one thread per writer of a case. Threads stay alive
 * between cases (idleTimeout) so a case does not pay for thread start-up.
 */
import { Piscina } from 'piscina';
import { entryUrl } from '../workspace/entry-point.js';
import type { WriterOutcome, WriterTask } from '../workers/messages.js';

export class WriterPool {
  private readonly pool: Piscina<WriterTask, WriterOutcome>;

  constructor(threads: number) {
    this.pool = new Piscina({
      filename: entryUrl('workers/writer-worker').href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
      // Each writer must own its thread: the start barrier needs all writers running at once.
      concurrentTasksPerWorker: 1,
    });
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  /** Run one writer; a thread that dies becomes an `errored` outcome, never a rejection. */
  async run(task: WriterTask): Promise<WriterOutcome> {
    try {
      return await this.pool.run(task);
    } catch (err) {
      return {
        state: 'errored',
        writer: task.writer,
        stage: 'measure',
        reason: `writer ${task.writer}'s worker thread died: ${(err as Error)?.message ?? String(err)}`,
        code: (err as NodeJS.ErrnoException)?.code ?? null,
        measurement: null,
      };
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
