/**
 * Engine-specific options: collected from every factory for the command line, validated per engine.
 * Pure: problems come back as one-line messages naming the option and the fix.
 */
import { describeRule, fits, quote, type NumberRule } from '../model/validate.js';
import type { EngineFactory, EngineOptionSpec, EngineOptionValue } from './types.js';

/** Every option of the given engines, one spec per name (engines sharing a name share its meaning). */
export function allOptionSpecs(factories: readonly EngineFactory[]): EngineOptionSpec[] {
  const byName = new Map<string, EngineOptionSpec>();
  for (const f of factories) for (const o of f.options) if (!byName.has(o.name)) byName.set(o.name, o);
  return [...byName.values()];
}

/** The limits of a number option, as the value checks of every other setting state them. */
export function optionRule(spec: EngineOptionSpec): NumberRule {
  return { ...(spec.integer ? { integer: true } : {}), ...(spec.min !== undefined ? { min: spec.min } : {}), ...(spec.max !== undefined ? { max: spec.max } : {}) };
}

/**
 * A given value in its option's type, or the problem. Numbers and switches typed on the command
 * line arrive as the text the user typed (and are quoted that way in the message); suite files give
 * JSON values.
 */
export function coerceOptionValue(spec: EngineOptionSpec, given: unknown): { value: EngineOptionValue; problem: null } | { value: null; problem: string } {
  const flag = `--${spec.name}`;
  const bad = (problem: string): { value: null; problem: string } => ({ value: null, problem });
  switch (spec.type) {
    case 'number': {
      const n = typeof given === 'number' ? given : typeof given === 'string' && given.trim() !== '' ? Number(given.trim()) : NaN;
      const rule = optionRule(spec);
      return fits(n, rule) ? { value: n, problem: null } : bad(`${flag} must be ${describeRule(rule)}, got ${quote(given)}`);
    }
    case 'boolean':
      if (typeof given === 'boolean') return { value: given, problem: null };
      if (given === 'true' || given === 'false') return { value: given === 'true', problem: null };
      return bad(`${flag} is a switch: give ${flag} (or ${flag}=false), got ${quote(given)}`);
    case 'string':
      if (typeof given !== 'string') return bad(`${flag} must be a string, got ${quote(given)}`);
      if (spec.choices && !spec.choices.includes(given)) return bad(`${flag} must be one of ${spec.choices.join(', ')}; got '${given}'`);
      return { value: given, problem: null };
  }
}

/** Check one value against its spec; returns the problem or null. */
export function checkOptionValue(spec: EngineOptionSpec, value: unknown): string | null {
  return coerceOptionValue(spec, value).problem;
}

/**
 * The options an engine instance gets: the given values of its own options, defaults for the rest.
 * Values for options the engine does not have are ignored (they belong to other engines of the matrix).
 */
export function resolveEngineOptions(
  factory: EngineFactory,
  given: Readonly<Record<string, EngineOptionValue | undefined>>,
): { options: Record<string, EngineOptionValue>; problem: string | null } {
  const options: Record<string, EngineOptionValue> = {};
  for (const spec of factory.options) {
    const v = given[spec.name];
    const { value, problem } = coerceOptionValue(spec, v === undefined ? spec.default : v);
    if (problem !== null) return { options, problem };
    options[spec.name] = value;
  }
  return { options, problem: null };
}
