/**
 * A case child: runs one case — its own writer pool, the same `runCase` as in the coordinator — in
 * a process of its own, for engines whose native library can take a process down
 * (`EngineFactory.isolation: 'process'`). Reads the case from the IPC channel, sends progress and
 * the result back, aborts on the coordinator's word. Started by coordinator/case-process.ts as
 * `node case-child.js --work-dir DIR` (the argument makes it findable by `durabench clean`).
 */
import { loadEngine } from '../engines/registry.js';
import type { SharedControl } from '../workers/control.js';
import type { FromCaseChild, ToCaseChild } from './case-messages.js';
import { WriterPool } from './pool.js';
import { runCase } from './run-case.js';

const send = (m: FromCaseChild): Promise<void> => new Promise((resolve) => process.send!(m, () => resolve()));
const abort = new AbortController();
let control: SharedControl | null = null;

/** The coordinator is gone (the IPC channel closed): stop the writers, the case's result has nowhere to go. */
process.on('disconnect', () => {
  abort.abort();
  control?.abort();
  setTimeout(() => process.exit(1), 2000).unref();
});

process.on('message', (m: ToCaseChild) => {
  if (m.kind === 'abort') {
    abort.abort();
    control?.abort();
    return;
  }
  void (async () => {
    const factory = await loadEngine(m.spec.key.engine).catch((err: unknown) => {
      // One line the coordinator puts in the case's reason (case-process.ts reads the last line of stderr).
      process.stderr.write(`could not load engine ${m.spec.key.engine}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
    const pool = new WriterPool(m.spec.key.writers);
    try {
      const result = await runCase(
        { ...m.spec, factory, skip: null },
        {
          pool,
          ...m.settings,
          signal: abort.signal,
          onControl: (c) => {
            control = c;
            if (c && abort.signal.aborted) c.abort();
          },
          onProgress: (commits) => void send({ kind: 'progress', commits }),
        },
      );
      await send({ kind: 'result', result });
    } finally {
      await pool.close();
      process.disconnect();
    }
  })();
});
