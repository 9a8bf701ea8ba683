/**
 * Where the program files that durabench starts as threads or processes are: the writer pool's
 * worker, a case child, a crash-lab child and its threads, the probe's parallel threads.
 *
 * An entry is named by its source path without the extension (`lab/child`). Every layout durabench
 * runs from keeps every module exactly one folder below its root: the sources under tsx, tsc's
 * output in dist/, and the bundle in dist/bundle/ (entries in their folders, shared code in
 * dist/bundle/chunks/), so this module finds its layout's root at `..` wherever it ended up.
 *
 * Compiled code starts the bundle's entry whenever the build made one (it always does), so a
 * compiled module a test imports starts the same child as the CLI does, at the bundle's start-up
 * cost; the compiled entry next to it only without a bundle. Under tsx, the source entries.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const underTsx = import.meta.url.endsWith('.ts');
/** The layout's root: the checkout (tsx), dist/, or dist/bundle/. */
const root = new URL('..', import.meta.url);
const bundleRoot = root.pathname.endsWith('/bundle/') ? root : new URL('bundle/', root);

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
  if (underTsx) return new URL(`${name}.ts`, root);
  const bundled = new URL(`${name}.js`, bundleRoot);
  return fs.existsSync(bundled) ? bundled : new URL(`${name}.js`, root);
}

/** The script and the node options that start an entry as a process. */
export function entryCommand(name: EntryPoint): { script: string; execArgv: string[] } {
  return { script: fileURLToPath(entryUrl(name)), execArgv: underTsx ? ['--import', 'tsx'] : [] };
}
