/**
 * How the commands that print a result (env, engines, compare, gate, report) honour `--format` and
 * `--out`: each requested format is printed on stdout (also with `--out -`), or, with `--out DIR`, written to
 * `DIR/<name>.<ext>` (atomically, durably) with the paths on stderr.
 */
import path from 'node:path';
import { formatsOf, render, rendererOf, type FormatOf, type OutputKind, type ValueOf } from '../reports/formats.js';
import { STDOUT, writeOutputFile } from '../reports/output.js';
import { FLAGS, readFormats, readString } from './flags.js';
import { consoleOptions } from './session.js';

type Args = Readonly<Record<string, unknown>>;

/** `--format` (default `console`) and `--out` of a printing command. */
export function outputFlags<K extends OutputKind>(args: Args, kind: K, fallback: readonly FormatOf<K>[] = ['console' as FormatOf<K>]): { formats: FormatOf<K>[]; outDir: string | null } {
  const formats = readFormats(args, formatsOf(kind), fallback);
  const out = readString(args, FLAGS.out);
  // `--out -`: standard output, as without --out.
  return { formats, outDir: out === undefined || out === STDOUT ? null : path.resolve(out) };
}

/** Print or write `value` in every format (the console view is always printed); returns the files written. */
export function emit<K extends OutputKind>(kind: K, value: ValueOf<K>, formats: readonly FormatOf<K>[], outDir: string | null, name: string): string[] {
  const written: string[] = [];
  for (const f of formats) {
    const text = render(kind, f, value, f === 'console' ? consoleOptions() : undefined);
    if (outDir === null || f === 'console') process.stdout.write(text);
    else {
      const file = path.join(outDir, `${name}.${rendererOf(kind, f).extension}`);
      writeOutputFile(file, text);
      written.push(file);
    }
  }
  if (written.length > 0) process.stderr.write(`written: ${written.join(', ')}\n`);
  return written;
}
