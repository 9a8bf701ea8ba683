/**
 * Where the program files that durabench starts as threads or processes are: the writer pool's
 * worker, a case child, a crash-lab child and its threads, the probe's parallel threads.
 *
 * An entry is named by its source path without the extension (`lab/child`). Every layout durabench
 * runs from keeps every module exactly one folder below its root: the sources under tsx, tsc's
 * output in dist/, and the bundle in dist/bundle/ (entries in their folders, shared code in
 * dist/bundle/chunks/). So the entry is `../<name>` from this module, wherever this module ended up,
 * and a bundled process starts bundled entries while the compiled modules that tests import start
 * compiled ones.
 */
import { fileURLToPath } from 'node:url';

const underTsx = import.meta.url.endsWith('.ts');

/** Every entry besides the CLI's (`cli/main`); the build bundles exactly these. */
export const ENTRY_POINTS = [
  'workers/writer-worker',
  'coordinator/case-child',
  'lab/child',
  'lab/child-thread',
  'probe/parallel-worker',
] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** The URL of an entry (for worker threads). */
export function entryUrl(name: EntryPoint): URL {
  return new URL(`../${name}${underTsx ? '.ts' : '.js'}`, import.meta.url);
}

/** The script and the node options that start an entry as a process. */
export function entryCommand(name: EntryPoint): { script: string; execArgv: string[] } {
  return { script: fileURLToPath(entryUrl(name)), execArgv: underTsx ? ['--import', 'tsx'] : [] };
}
