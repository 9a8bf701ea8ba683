/**
 * Prepared data directories, kept for reuse: a server's preparation (initdb, mariadb-install-db)
 * costs 1–3 s and writes the same cluster every time for the same command line, so a crash lab case
 * prepares it once, keeps a copy in its scratch directory, and gives every later trial a copy
 * (`cp -a`: owners, modes and times as the preparation left them; postgres's cluster belongs to
 * nobody). A preparation is keyed by its command lines with the data directory's path taken out:
 * other options, another binary or another engine prepare their own.
 *
 * The copy is not synced: a power trial makes its fresh data directory durable (syncfs) after the
 * server started, before the writers run, as it does after a preparation.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ServerCommand } from '../engines/server-spec.js';
import { run } from '../workspace/exec.js';

/** Marks a finished copy: a template without it (a preparation interrupted mid-copy) is not used. */
const COMPLETE = 'complete';

/** The template's directory for these preparation commands under `templates`. */
export function templateDirOf(templates: string, engine: string, commands: readonly ServerCommand[], dataDir: string): string {
  const strip = (s: string): string => s.split(dataDir).join('<data>');
  const key = JSON.stringify([engine, commands.map((c) => [c.program, c.args.map(strip), strip(c.cwd), c.user ?? null])]);
  return path.join(templates, `${engine}-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`);
}

/**
 * Fill `dataDir` (the preparation created it, empty) from the template, if one is complete.
 * Returns false when there is none: the caller runs the preparation, then `keepTemplate`.
 */
export function fromTemplate(template: string, dataDir: string): boolean {
  if (!fs.existsSync(path.join(template, COMPLETE))) return false;
  // `data/.` onto the existing directory: its contents, and its own owner and mode.
  run('cp', ['-a', '--', `${path.join(template, 'data')}/.`, dataDir]);
  return true;
}

/** Keep a copy of the prepared `dataDir` as the template (before the server first starts on it). */
export function keepTemplate(template: string, dataDir: string): void {
  fs.rmSync(template, { recursive: true, force: true });
  fs.mkdirSync(template, { recursive: true });
  run('cp', ['-a', '--', dataDir, path.join(template, 'data')]);
  fs.writeFileSync(path.join(template, COMPLETE), '');
}
