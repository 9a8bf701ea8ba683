/**
 * Where the build's outputs are: the program files that durabench starts as threads or processes
 * (the writer pool's worker, a case child, a crash-lab child and its threads, the probe's parallel
 * threads), and the files the build makes beside the compiled tree (dist/vendor/).
 *
 * An entry is named by its source path without the extension (`lab/child`). In every layout
 * durabench runs from, this module and every entry sit exactly one folder below the layout's root:
 * the sources under tsx, tsc's output in dist/, and the bundle in dist/bundle/ (entries in their
 * folders, shared code in dist/bundle/chunks/), so the root is `..` from here wherever this module
 * ended up.
 *
 * Bundled code starts the bundle's entries. Compiled code starts them too while the bundle is
 * current, so a compiled module a test imports starts the same child as the CLI does, at the
 * bundle's start-up cost; after a plain `tsc` (which does not bundle) the compiled tree is newer
 * than the bundle, and compiled code starts the compiled entries. Under tsx, the source entries.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const underTsx = import.meta.url.endsWith('.ts');
/** The layout's root: the checkout (tsx), dist/, or dist/bundle/. */
const root = new URL('..', import.meta.url);
const inBundle = root.pathname.endsWith('/bundle/');

/** Every entry besides the CLI's (`cli/main`); the build bundles exactly these. */
export const ENTRY_POINTS = [
  'workers/writer-worker',
  'coordinator/case-child',
  'lab/child',
  'lab/child-thread',
  'probe/parallel-worker',
] as const;
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** Is the bundle's entry there and at least as new as tsc's last build (dist/.tsbuildinfo, absent in an installed package)? */
function bundleCurrent(bundled: URL): boolean {
  let bundledMs: number;
  try {
    bundledMs = fs.statSync(bundled).mtimeMs;
  } catch {
    return false;
  }
  try {
    return bundledMs >= fs.statSync(new URL('.tsbuildinfo', root)).mtimeMs;
  } catch {
    return true;
  }
}

/** The URL of an entry (for worker threads). */
export function entryUrl(name: EntryPoint): URL {
  if (underTsx) return new URL(`${name}.ts`, root);
  if (inBundle) return new URL(`${name}.js`, root);
  const bundled = new URL(`bundle/${name}.js`, root);
  return bundleCurrent(bundled) ? bundled : new URL(`${name}.js`, root);
}

/** A file the build made under dist/ (`vendor/echarts.cjs`), or null under tsx (no build). */
export function builtFile(rel: string): string | null {
  if (underTsx) return null;
  return fileURLToPath(new URL(rel, inBundle ? new URL('..', root) : root));
}

/** The script and the node options that start an entry as a process. */
export function entryCommand(name: EntryPoint): { script: string; execArgv: string[] } {
  return { script: fileURLToPath(entryUrl(name)), execArgv: underTsx ? ['--import', 'tsx'] : [] };
}
