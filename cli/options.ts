/** Option helpers shared by the commands: comma lists, numbers, formats. */
import type { Argv } from 'yargs';
import { UsageError } from '../coordinator/usage-error.js';
import { allOptionSpecs } from '../engines/options.js';
import { builtinEngines } from '../engines/registry.js';
import type { EngineOptionValue } from '../engines/types.js';

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

/**
 * Declare every built-in engine's options as flags of a command (one spec per name; engines sharing
 * a name share its meaning). No yargs default: an unset flag leaves the engine's own default.
 */
export function withEngineOptionFlags<T>(y: Argv<T>): Argv<T> {
  let b = y;
  for (const spec of allOptionSpecs(builtinEngines())) {
    b = b.option(spec.name, {
      type: spec.type,
      describe: `${spec.describe} (default ${String(spec.default)})`,
      ...(spec.choices ? { choices: [...spec.choices] } : {}),
    }) as Argv<T>;
  }
  return b;
}

/** The built-in engine options the user set on the command line. */
export function engineOptionsFromArgs(args: Readonly<Record<string, unknown>>): Record<string, EngineOptionValue> {
  const out: Record<string, EngineOptionValue> = {};
  for (const spec of allOptionSpecs(builtinEngines())) {
    const v = args[spec.name];
    if (v !== undefined) out[spec.name] = v as EngineOptionValue;
  }
  return out;
}
