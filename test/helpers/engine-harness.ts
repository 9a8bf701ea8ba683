/**
 * Builds engine instances for tests of the wal and lsm engines: a real `Io` on a real directory, a
 * durability listener that remembers the claim, phases collected by name, and an optional observer
 * (the crash tests stop an engine from `onMarker`).
 */
import { Io, type IoObserver } from '../../io/io.js';
import type { Engine, EngineFactory, EngineOptionValue, Mode } from '../../engines/types.js';

export interface HarnessOptions {
  mode?: Mode;
  batchSize?: number;
  batchMs?: number | null;
  options?: Record<string, EngineOptionValue>;
  faults?: string[];
  observer?: IoObserver;
}

export interface Harness {
  readonly engine: Engine;
  readonly io: Io;
  /** The engine's latest claim: commits 1..durable are durable. */
  readonly claim: { durable: number };
  /** Phase durations recorded by the engine, by name. */
  readonly phases: Map<string, number[]>;
}

/** Create (not open) an engine of `factory` on `dir` with the factory's default options overridden by `opts.options`. */
export function harness(factory: EngineFactory, dir: string, opts: HarnessOptions = {}): Harness {
  const io = new Io(opts.observer ?? {});
  const claim = { durable: 0 };
  const phases = new Map<string, number[]>();
  const options: Record<string, EngineOptionValue> = {};
  for (const spec of factory.options) options[spec.name] = spec.default;
  Object.assign(options, opts.options ?? {});
  const mode = opts.mode ?? 'sync';
  const engine = factory.create({
    dir,
    io,
    mode,
    batchSize: mode === 'batch' ? (opts.batchSize ?? 4) : 1,
    batchMs: mode === 'batch' ? (opts.batchMs ?? null) : null,
    options,
    faults: new Set(opts.faults ?? []),
    durability: {
      durable(n) {
        if (n > claim.durable) claim.durable = n;
      },
    },
    recordPhase(name, ns) {
      const list = phases.get(name) ?? [];
      list.push(ns);
      phases.set(name, list);
    },
    clockNs: process.hrtime.bigint,
  });
  return { engine, io, claim, phases };
}

/** Key and value of commit `i` (1-based) in tests: overwrites every `distinct` keys. */
export function kv(i: number, distinct = Number.MAX_SAFE_INTEGER, valueBytes = 24): { key: Buffer; value: Buffer } {
  const key = Buffer.from(`key-${String(((i - 1) % distinct) + 1).padStart(6, '0')}`);
  const value = Buffer.alloc(valueBytes, `v${i}:`);
  return { key, value };
}

/** Error thrown from an observer hook to abort an engine mid-operation (a simulated process crash). */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}
