/**
 * Validation of engines against the contract in `engines/types.ts` (documented in docs/engines.md).
 *
 * Two layers, so a broken user engine fails with one clear line naming what is wrong instead of a
 * TypeError deep inside a worker thread:
 *
 * - `factoryProblems` (load time, used by `loadEngine`): the static shape of an `EngineFactory` —
 *   every required member present with the right type, modes and options well formed, and every
 *   declared mode accepted by the engine's own `check()` with its default options.
 * - `guardEngine` (run time, used by workers/engine-instance.ts): wraps the `Engine` that `create()`
 *   returned. The first call of each method checks the return value against the factory's contract
 *   (`sync`: plain values; `async`: promises) and, in `sync` mode, that the first acked commit was
 *   declared durable. After its first call a method is replaced by the engine's own bound method, so
 *   the hot path costs one bound call and nothing else.
 */
import { isGroupMode, type CaseMode } from '../model/durability.js';
import { emptyRecovery, MODES, type DurabilityListener, type Engine, type EngineFactory, type EngineOptionValue, type Mode } from './types.js';

/** An engine broke its contract. The message names the engine, the method and the fix. */
export class EngineContractError extends Error {
  override readonly name = 'EngineContractError';
}

const OPTION_NAME = /^[a-z][a-z0-9-]*$/;
const OPTION_TYPES = ['number', 'string', 'boolean'] as const;
const REQUIRED_METHODS = ['open', 'put', 'get', 'close'] as const;
const OPTIONAL_METHODS = ['tick', 'stats'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** Problems with one option spec, each naming the option. */
function optionProblems(o: unknown, i: number): string[] {
  if (!isObject(o)) return [`options[${i}] must be an object { name, type, default, describe }`];
  const name = typeof o['name'] === 'string' ? o['name'] : `options[${i}]`;
  const out: string[] = [];
  if (typeof o['name'] !== 'string' || !OPTION_NAME.test(o['name'])) {
    out.push(`options[${i}].name must be a lower-case flag name like 'my-option' (got ${JSON.stringify(o['name'])})`);
  }
  const type = o['type'];
  if (!OPTION_TYPES.includes(type as (typeof OPTION_TYPES)[number])) {
    out.push(`option '${name}': type must be one of number, string, boolean (got ${JSON.stringify(type)})`);
  } else if (typeof o['default'] !== type) {
    out.push(`option '${name}': default must be a ${String(type)} (got ${JSON.stringify(o['default'])})`);
  }
  if (typeof o['describe'] !== 'string') out.push(`option '${name}': describe must be a string`);
  if (o['choices'] !== undefined) {
    const c = o['choices'];
    if (!Array.isArray(c) || c.length === 0 || !c.every((x) => typeof x === 'string')) {
      out.push(`option '${name}': choices must be a non-empty array of strings`);
    } else if (type === 'string' && !c.includes(o['default'] as string)) {
      out.push(`option '${name}': default ${JSON.stringify(o['default'])} is not one of its choices (${c.join(', ')})`);
    }
  }
  if (o['min'] !== undefined && typeof o['min'] !== 'number') out.push(`option '${name}': min must be a number`);
  if (o['max'] !== undefined && typeof o['max'] !== 'number') out.push(`option '${name}': max must be a number`);
  if (o['integer'] !== undefined && typeof o['integer'] !== 'boolean') out.push(`option '${name}': integer must be true or false`);
  return out;
}

/** The default value of every option, as an engine instance would get them with no flags given. */
function defaultOptions(factory: EngineFactory): Record<string, EngineOptionValue> {
  return Object.fromEntries(factory.options.map((o) => [o.name, o.default]));
}

/**
 * Everything wrong with the static shape of a would-be `EngineFactory`, one phrase each (empty when
 * it is fine). Pure apart from calling the factory's own `check()`.
 */
export function factoryProblems(factory: unknown): string[] {
  if (!isObject(factory)) return ['the export is not an object (an EngineFactory: { name, summary, modes, options, faults, markers, contract, create })'];
  const f = factory;
  const out: string[] = [];
  if (typeof f['name'] !== 'string' || f['name'].length === 0) out.push('missing name (a non-empty string)');
  if (typeof f['summary'] !== 'string') out.push('missing summary (one line of text)');

  const modes = f['modes'];
  if (!Array.isArray(modes) || modes.length === 0) {
    out.push(`modes must be a non-empty array of ${MODES.join(', ')} (got ${JSON.stringify(modes)})`);
  } else {
    const bad = modes.filter((m) => !(MODES as readonly string[]).includes(m as string));
    if (bad.length > 0) {
      const group = bad.filter((m) => isGroupMode(String(m)));
      out.push(
        group.length > 0
          ? `modes has ${group.map((m) => JSON.stringify(m)).join(', ')}, which only a shared log runs: declare sharedLog instead and keep modes to ${MODES.join(', ')}`
          : `modes has ${bad.map((m) => JSON.stringify(m)).join(', ')}, which ${bad.length === 1 ? 'is not a mode' : 'are not modes'}; use ${MODES.join(', ')}`,
      );
    }
    if (new Set(modes).size !== modes.length) out.push('modes lists a mode twice');
  }

  const options = f['options'];
  if (!Array.isArray(options)) out.push('missing options (an array, [] if the engine has none)');
  else {
    options.forEach((o, i) => out.push(...optionProblems(o, i)));
    const names = options.map((o) => (isObject(o) ? o['name'] : undefined));
    if (new Set(names).size !== names.length) out.push('options lists an option name twice');
  }

  const faults = f['faults'];
  if (!Array.isArray(faults)) out.push('missing faults (an array, [] if the engine has none)');
  else if (!faults.every((x) => isObject(x) && typeof x['name'] === 'string' && typeof x['describe'] === 'string')) {
    out.push('faults must be an array of { name, describe } with string fields');
  }

  const markers = f['markers'];
  if (!Array.isArray(markers)) out.push('missing markers (an array of phase marker names, [] if none)');
  else if (!markers.every((m) => typeof m === 'string')) out.push('markers must be an array of strings');

  if (f['contract'] !== 'sync' && f['contract'] !== 'async') {
    out.push(`contract must be 'sync' (methods return plain values) or 'async' (methods return promises); got ${JSON.stringify(f['contract'])}`);
  }
  if (f['check'] !== undefined && typeof f['check'] !== 'function') out.push('check must be a function (mode, options) => string | null');
  if (f['availability'] !== undefined && typeof f['availability'] !== 'function') out.push('availability must be a function () => Promise<string | null>');
  if (f['isolation'] !== undefined && f['isolation'] !== 'process') out.push(`isolation must be 'process' or absent (got ${JSON.stringify(f['isolation'])})`);
  if (typeof f['create'] !== 'function') out.push('missing create (a function create(ctx) returning an Engine)');
  const shared = f['sharedLog'];
  if (shared !== undefined && (!isObject(shared) || typeof shared['memoryBytes'] !== 'function')) out.push('sharedLog must be absent or { memoryBytes(writers) }');

  // A declared mode must be runnable with the default options: the engine's own check() decides.
  if (out.length === 0 && typeof f['check'] === 'function') {
    const fac = f as unknown as EngineFactory;
    const defaults = defaultOptions(fac);
    for (const m of fac.modes) {
      try {
        const p = fac.check!(m, defaults);
        if (p !== null && p !== undefined) out.push(`declares mode ${m} but its own check() rejects it with the default options (${String(p)}); remove ${m} from modes`);
      } catch (err) {
        out.push(`check('${m}', defaults) threw: ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }
  return out;
}

/** One line for a factory that failed `factoryProblems`. */
export function describeFactoryProblems(source: string, problems: readonly string[]): string {
  return `engine ${source} does not implement the engine interface (see docs/engines.md): ${problems.join('; ')}`;
}

/** Counts durability claims so the guard can check that sync mode acks only durable commits. */
export class DurabilityCounter implements DurabilityListener {
  /** The highest commit count declared durable so far. */
  durableCommits = 0;
  constructor(private readonly inner: DurabilityListener) {}
  durable(commits: number, atNs?: bigint): void {
    if (commits > this.durableCommits) this.durableCommits = commits;
    this.inner.durable(commits, atNs);
  }
}

type Method = (typeof REQUIRED_METHODS)[number] | (typeof OPTIONAL_METHODS)[number];

/**
 * Wrap an engine instance so that the first call of each method is checked against the contract.
 * Throws `EngineContractError` at once if a required method is missing.
 */
export function guardEngine(
  engine: unknown,
  factory: Pick<EngineFactory, 'name' | 'contract'>,
  mode: CaseMode,
  counter: DurabilityCounter | null,
): Engine {
  const who = `engine '${factory.name}'`;
  if (!isObject(engine)) {
    throw new EngineContractError(`${who}: create() returned ${engine === null ? 'null' : typeof engine}, not an Engine object { open, put, get, close }`);
  }
  const missing = REQUIRED_METHODS.filter((m) => typeof engine[m] !== 'function');
  if (missing.length > 0) {
    throw new EngineContractError(
      `${who}: the engine returned by create() lacks ${missing.map((m) => `${m}()`).join(', ')} (required: open, put, get, close; see docs/engines.md)`,
    );
  }
  for (const m of OPTIONAL_METHODS) {
    if (engine[m] !== undefined && typeof engine[m] !== 'function') throw new EngineContractError(`${who}: ${m} must be a method or absent`);
  }
  const isAsync = factory.contract === 'async';
  const target = engine as unknown as Engine;
  const guarded: Partial<Record<Method, unknown>> = {};

  const violation = (method: Method, gotPromise: boolean): EngineContractError =>
    new EngineContractError(
      gotPromise
        ? `${who}: ${method}() returned a promise, but the engine declares contract 'sync' (every method returns a plain value); make ${method}() synchronous or declare contract: 'async'`
        : `${who}: ${method}() returned a plain value, but the engine declares contract 'async' (every method returns a promise); make ${method}() async or declare contract: 'sync'`,
    );

  const checkResult = (method: Method, result: unknown): void => {
    const promise = isThenable(result);
    // stats() is always synchronous: it is read once after the measurement, from plain counters.
    if (method === 'stats') {
      if (promise) throw new EngineContractError(`${who}: stats() returned a promise; it must return a plain object of numbers`);
      return;
    }
    if (promise !== isAsync) {
      // Do not leave a rejected promise unhandled: the contract error is what the user must see.
      if (promise) (result as Promise<unknown>).then(undefined, () => undefined);
      throw violation(method, promise);
    }
  };

  const checkSyncAck = (): void => {
    if ((mode === 'sync' || isGroupMode(mode)) && counter !== null && counter.durableCommits < 1) {
      throw new EngineContractError(
        `${who}: declares mode ${mode}, but its first put() was acked without ctx.durability.durable(1): in ${mode} mode every commit must be durable (and declared so) before put() returns; remove ${mode} from modes or sync and call durable(n)`,
      );
    }
  };

  for (const method of [...REQUIRED_METHODS, ...OPTIONAL_METHODS]) {
    const fn = target[method] as ((...args: unknown[]) => unknown) | undefined;
    if (fn === undefined) continue;
    const direct = fn.bind(target);
    guarded[method] = (...args: unknown[]): unknown => {
      const result = direct(...args);
      checkResult(method, result);
      // From now on, this method is the engine's own: no checks on the hot path.
      (guarded as Record<string, unknown>)[method] = direct;
      if (method === 'put') {
        if (isAsync) return (result as Promise<void>).then(() => checkSyncAck());
        checkSyncAck();
      }
      if (method === 'open' && isAsync) {
        return (result as Promise<unknown>).then((r) => checkRecovery(r));
      }
      if (method === 'open') return checkRecovery(result);
      return result;
    };
  }

  const checkRecovery = (r: unknown): unknown => {
    if (!isObject(r)) {
      throw new EngineContractError(`${who}: open() must return a RecoveryReport (use emptyRecovery() for a fresh directory), got ${r === null ? 'null' : typeof r}`);
    }
    // Missing counters are filled with zeros so a minimal user engine may return just what it knows.
    return { ...emptyRecovery(), ...r };
  };

  return guarded as unknown as Engine;
}
