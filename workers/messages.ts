/**
 * What crosses the thread boundary between the coordinator and a writer: one task in, one outcome out
 * (a tagged union). Histograms travel encoded (compressed base64) and are merged by the coordinator.
 */
import type { EngineOptionValue } from '../engines/types.js';
import type { Durability } from '../model/durability.js';
import type { ServerEndpoint } from '../model/server.js';
import type { WriterMeasurement } from '../model/measurement.js';
import type { WorkloadSpec } from './workload.js';

export type { WriterMeasurement } from '../model/measurement.js';

/** Everything a writer needs to run one engine instance for one case. */
export interface WriterTask {
  readonly kind: 'writer';
  readonly caseId: string;
  readonly writer: number;
  /** The writer's own directory (created by the coordinator, empty), or the shared log's directory. */
  readonly dir: string;
  /** Set when every writer of the case runs on one shared log. */
  readonly share: { readonly kind: 'log'; readonly memory: SharedArrayBuffer; readonly writers: number } | null;
  /** Registered engine name, or a module path for user engines. */
  readonly engine: string;
  readonly durability: Durability;
  readonly engineOptions: Readonly<Record<string, EngineOptionValue>>;
  readonly faults: readonly string[];
  /** Server engines: the case's running server, shared by its writers. */
  readonly server?: ServerEndpoint;
  readonly workload: WorkloadSpec;
  readonly warmupMs: number;
  /** Stop condition: measured duration, or measured commits per writer (exactly one is set). */
  readonly durationMs: number | null;
  readonly commitsPerWriter: number | null;
  /** Timeline interval (ms). */
  readonly intervalMs: number;
  /** Past this many intervals the timeline merges them pairwise and doubles the interval (null: fixed, `--interval-ms`). */
  readonly timelineMaxPoints: number | null;
  /** `SharedControl` memory: barrier, abort flag, progress. */
  readonly control: SharedArrayBuffer;
  /** How long a writer waits at the start barrier before giving up. */
  readonly barrierTimeoutMs: number;
  /** The block device under the case's files (sysfs name), whose counters the writers read at the measured window's edges; null: none. */
  readonly deviceName: string | null;
}

export type WriterOutcome =
  | { readonly state: 'completed'; readonly writer: number; readonly measurement: WriterMeasurement }
  | {
      readonly state: 'errored';
      readonly writer: number;
      readonly stage: 'open' | 'barrier' | 'warmup' | 'measure' | 'close';
      readonly reason: string;
      readonly code: string | null;
      readonly measurement: WriterMeasurement | null;
    }
  | { readonly state: 'aborted'; readonly writer: number; readonly measurement: WriterMeasurement | null };
