/**
 * Builds one engine instance with its io layer and context. Shared by the pool's writer threads and
 * the crash lab's child process, so both run engines exactly the same way.
 */
import { hrtime } from 'node:process';
import { Io, type IoObserver } from '../io/io.js';
import { loadEngine } from '../engines/registry.js';
import { DurabilityCounter, guardEngine } from '../engines/validate.js';
import type { DurabilityListener, Engine, EngineFactory, EngineOptionValue } from '../engines/types.js';
import type { Durability } from '../model/durability.js';
import type { ServerEndpoint } from '../model/server.js';

/** One writer's part of a shared log (`--share log`): the case's shared memory, this writer, how many. */
export interface ShareSpec {
  readonly kind: 'log';
  readonly memory: SharedArrayBuffer;
  readonly writer: number;
  readonly writers: number;
}

export interface InstanceSpec {
  readonly engine: string;
  readonly dir: string;
  /** Set when the case's writers share one log; null or absent: this writer's own instance. */
  readonly share?: ShareSpec | null;
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
  /** Shared log: each sync this writer's thread issued (commits covered, leader wait). */
  recordGroup: (commits: number, waitNs: number) => void = () => undefined,
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
    clockNs: hrtime.bigint,
    share: spec.share ? { ...spec.share, recordGroup } : null,
    ...(spec.server ? { server: spec.server } : {}),
  });
  const engine = guardEngine(created, factory, spec.durability.mode, counter);
  return { factory, engine, io, isAsync: factory.contract === 'async' };
}
