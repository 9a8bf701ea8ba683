/**
 * The writer pool: piscina worker threads, one thread per writer of a case. Threads stay alive
 * between cases (idleTimeout) so a case does not pay for thread start-up.
 */
import { Piscina } from 'piscina';
import type { WriterOutcome, WriterTask } from '../workers/messages.js';

/** The writer entry point next to this file's compiled (or, under tsx, source) location. */
function writerFilename(): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`../workers/writer-worker${ext}`, import.meta.url).href;
}

export class WriterPool {
  private readonly pool: Piscina<WriterTask, WriterOutcome>;

  constructor(threads: number) {
    this.pool = new Piscina({
      filename: writerFilename(),
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
