/**
 * Where engines are found: the built-in ones by name, user engines by module path (a path containing
 * a `/` or ending in .js/.mjs is loaded with import(); its default export, or its `engine` export,
 * must be an `EngineFactory`).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nullEngine } from './null.js';
import { rawEngine } from './raw.js';
import type { EngineFactory } from './types.js';

const BUILTIN: readonly EngineFactory[] = [rawEngine, nullEngine];

export function builtinEngines(): readonly EngineFactory[] {
  return BUILTIN;
}

export function builtinEngineNames(): string[] {
  return BUILTIN.map((e) => e.name);
}

/** True when `name` should be loaded as a module rather than looked up. */
export function isModulePath(name: string): boolean {
  return name.includes('/') || /\.(m?js|cjs|ts)$/.test(name);
}

export class EngineLoadError extends Error {
  override readonly name = 'EngineLoadError';
}

/** Look up a built-in engine or load a user engine module. Throws EngineLoadError with a clear line. */
export async function loadEngine(name: string): Promise<EngineFactory> {
  const builtin = BUILTIN.find((e) => e.name === name);
  if (builtin) return builtin;
  if (!isModulePath(name)) {
    throw new EngineLoadError(
      `unknown engine '${name}'; choose one of ${builtinEngineNames().join(', ')} or give a module path like ./my-engine.mjs`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path.resolve(name)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new EngineLoadError(`cannot load engine module '${name}': ${(err as Error).message}`);
  }
  const factory = (mod['default'] ?? mod['engine']) as EngineFactory | undefined;
  if (!factory || typeof factory !== 'object' || typeof factory.create !== 'function') {
    throw new EngineLoadError(`engine module '${name}' must export an EngineFactory as default or as 'engine' (see docs/engines.md)`);
  }
  return factory;
}
