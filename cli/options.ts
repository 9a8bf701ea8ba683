/** Option helpers shared by the commands: comma lists, numbers, formats. */
import { UsageError } from '../coordinator/usage-error.js';

/** A repeatable option whose values may also be comma lists: `--mode sync,batch --mode none`. */
export function listOption(describe: string) {
  return {
    type: 'string' as const,
    array: true as const,
    describe,
    coerce: (v: unknown): string[] =>
      (Array.isArray(v) ? v : [v])
        .flatMap((x) => String(x).split(','))
        .map((x) => x.trim())
        .filter((x) => x !== ''),
  };
}

/** Parse a list of numeric strings; one clear line for the first that is not a number. */
export function numberList(values: readonly string[], flag: string): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number (or a comma list of numbers), got '${v}'`);
    return n;
  });
}

/** Check a list of formats against the known ones. */
export function parseFormats<F extends string>(values: readonly string[], isKnown: (f: string) => f is F, known = 'json, csv, md'): F[] {
  for (const f of values) if (!isKnown(f)) throw new UsageError(`--format '${f}' is not a format; use ${known}`);
  return [...new Set(values)] as F[];
}
