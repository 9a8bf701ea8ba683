/**
 * Engine-specific options: collected from every factory for the command line, validated per engine.
 * Pure: problems come back as one-line messages naming the option and the fix.
 */
import type { EngineFactory, EngineOptionSpec, EngineOptionValue } from './types.js';

/** Every option of the given engines, one spec per name (engines sharing a name share its meaning). */
export function allOptionSpecs(factories: readonly EngineFactory[]): EngineOptionSpec[] {
  const byName = new Map<string, EngineOptionSpec>();
  for (const f of factories) for (const o of f.options) if (!byName.has(o.name)) byName.set(o.name, o);
  return [...byName.values()];
}

/** Check one value against its spec; returns the problem or null. */
export function checkOptionValue(spec: EngineOptionSpec, value: unknown): string | null {
  const flag = `--${spec.name}`;
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${flag} must be a number, got '${String(value)}'`;
      if (spec.min !== undefined && value < spec.min) return `${flag} must be at least ${spec.min}, got ${value}`;
      return null;
    case 'boolean':
      return typeof value === 'boolean' ? null : `${flag} is a switch (true/false), got '${String(value)}'`;
    case 'string':
      if (typeof value !== 'string') return `${flag} must be a string, got '${String(value)}'`;
      if (spec.choices && !spec.choices.includes(value)) return `${flag} must be one of ${spec.choices.join(', ')}; got '${value}'`;
      return null;
  }
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
    const value = v === undefined ? spec.default : v;
    const problem = checkOptionValue(spec, value);
    if (problem) return { options, problem };
    options[spec.name] = value;
  }
  return { options, problem: null };
}
