/**
 * Builds one engine instance with its io layer and context. Shared by the pool's writer threads and
 * the crash lab's child process, so both run engines exactly the same way.
 */
import { Io, type IoObserver } from '../io/io.js';
import { loadEngine } from '../engines/registry.js';
import { DurabilityCounter, guardEngine } from '../engines/validate.js';
import type { DurabilityListener, Engine, EngineFactory, EngineOptionValue } from '../engines/types.js';
import type { Durability } from '../model/durability.js';
import type { ServerEndpoint } from '../model/server.js';

export interface InstanceSpec {
  readonly engine: string;
  readonly dir: string;
  /** Passed to the engine unchanged (spread into its context). */
  readonly durability: Durability;
  readonly engineOptions: Readonly<Record<string, EngineOptionValue>>;
  readonly faults: readonly string[];
  /** Server engines: the running server (started by the coordinator or the crash lab). */
  readonly server?: ServerEndpoint;
}

export interface EngineInstance {
  readonly factory: EngineFactory;
  readonly engine: Engine;
  readonly io: Io;
  readonly isAsync: boolean;
}

export async function createEngineInstance(
  spec: InstanceSpec,
  observer: IoObserver,
  durability: DurabilityListener,
  recordPhase: (name: string, durationNs: number) => void,
): Promise<EngineInstance> {
  const factory = await loadEngine(spec.engine);
  const io = new Io(observer);
  // The guard checks the first call of each method against the factory's contract (engines/validate.ts).
  const counter = new DurabilityCounter(durability);
  const created = factory.create({
    ...spec.durability,
    dir: spec.dir,
    io,
    options: spec.engineOptions,
    faults: new Set(spec.faults),
    durability: counter,
    recordPhase,
    clockNs: process.hrtime.bigint,
    ...(spec.server ? { server: spec.server } : {}),
  });
  const engine = guardEngine(created, factory, spec.durability.mode, counter);
  return { factory, engine, io, isAsync: factory.contract === 'async' };
}
