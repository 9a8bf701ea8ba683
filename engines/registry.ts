/**
 * Where engines are found: the built-in ones by name, user engines by module path (a path containing
 * a `/` or ending in .js/.mjs is loaded with import(); its default export, or its `engine` export,
 * must be an `EngineFactory`).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nullEngine } from './null.js';
import { rawEngine } from './raw.js';
import { walEngine } from './wal/engine.js';
import { lsmEngine } from './lsm/engine.js';
import { bitcaskEngine } from './bitcask/engine.js';
import { btreeEngine } from './btree/engine.js';
import { sqliteEngine } from './sqlite/index.js';
import { leveldbEngine } from './leveldb/index.js';
import { lmdbEngine } from './lmdb/index.js';
import { redisEngine } from './servers/redis.js';
import { postgresEngine } from './servers/postgres.js';
import { mariadbEngine } from './servers/mariadb.js';
import { etcdEngine } from './servers/etcd.js';
import type { EngineFactory } from './types.js';
import { describeFactoryProblems, factoryProblems } from './validate.js';

// The real engines (sqlite, leveldb, lmdb) load their optional native libraries lazily, in
// availability(): registering them here costs nothing when a library is missing.
const BUILTIN: readonly EngineFactory[] = [rawEngine, walEngine, lsmEngine, nullEngine, bitcaskEngine, btreeEngine, sqliteEngine, leveldbEngine, lmdbEngine, redisEngine, postgresEngine, mariadbEngine, etcdEngine];

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

/**
 * Whether an engine can run here: null when it can, else the reason (its optional native library
 * failed to install or load). Engines without `availability()` are always available. Never throws.
 */
export async function engineAvailability(factory: EngineFactory): Promise<string | null> {
  if (!factory.availability) return null;
  try {
    return (await factory.availability()) ?? null;
  } catch (err) {
    return `its availability check threw: ${(err as Error)?.message ?? String(err)}`;
  }
}

async function requireAvailable(factory: EngineFactory, label: string): Promise<EngineFactory> {
  const reason = await engineAvailability(factory);
  if (reason !== null) throw new EngineLoadError(`engine ${label} is not available on this machine: ${reason}`);
  return factory;
}

/**
 * Look up a built-in engine or load a user engine module, check its shape (engines/validate.ts) and
 * that it is available here. Throws EngineLoadError with one clear line.
 */
export async function loadEngine(name: string): Promise<EngineFactory> {
  const builtin = BUILTIN.find((e) => e.name === name);
  if (builtin) return requireAvailable(builtin, `'${name}'`);
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
  const factory = mod['default'] ?? mod['engine'];
  if (factory === undefined) {
    throw new EngineLoadError(`engine module '${name}' must export an EngineFactory as default or as 'engine' (see docs/engines.md)`);
  }
  const problems = factoryProblems(factory);
  if (problems.length > 0) throw new EngineLoadError(describeFactoryProblems(`module '${name}'`, problems));
  return requireAvailable(factory as EngineFactory, `module '${name}'`);
}
