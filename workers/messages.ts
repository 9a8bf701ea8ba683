/**
 * What crosses the thread boundary between the coordinator and a writer: one task in, one outcome out
 * (a tagged union). Histograms travel encoded (compressed base64) and are merged by the coordinator.
 */
import type { EncodedLatency } from '../reports/hdr.js';
import type { EngineOptionValue, Mode, RecoveryReport } from '../engines/types.js';
import type { SyncKind } from '../io/io.js';
import type { WorkloadSpec } from './workload.js';

/** Everything a writer needs to run one engine instance for one case. */
export interface WriterTask {
  readonly kind: 'writer';
  readonly caseId: string;
  readonly writer: number;
  /** The writer's own directory (created by the coordinator, empty). */
  readonly dir: string;
  /** Registered engine name, or a module path for user engines. */
  readonly engine: string;
  readonly mode: Mode;
  readonly batchSize: number;
  readonly batchMs: number | null;
  readonly engineOptions: Readonly<Record<string, EngineOptionValue>>;
  readonly faults: readonly string[];
  readonly workload: WorkloadSpec;
  readonly warmupMs: number;
  /** Stop condition: measured duration, or measured commits per writer (exactly one is set). */
  readonly durationMs: number | null;
  readonly commitsPerWriter: number | null;
  /** Timeline interval (ms). */
  readonly intervalMs: number;
  /** `SharedControl` memory: barrier, abort flag, progress. */
  readonly control: SharedArrayBuffer;
  /** How long a writer waits at the start barrier before giving up. */
  readonly barrierTimeoutMs: number;
}

/** What one writer measured. */
export interface WriterMeasurement {
  readonly writer: number;
  readonly commits: number;
  readonly bytes: number;
  /** From the common start of measurement to this writer's last ack. */
  readonly durationNs: number;
  readonly commitLatency: EncodedLatency;
  readonly commitLatencyDuringPhase: EncodedLatency;
  readonly commitLatencyOutsidePhase: EncodedLatency;
  readonly syncLatency: Record<SyncKind, EncodedLatency>;
  readonly commitsPerSync: EncodedLatency;
  readonly exposure: { readonly unbounded: boolean; readonly maxCommits: number; readonly latency: EncodedLatency };
  readonly phases: Record<string, EncodedLatency>;
  /** One entry per interval since the start of measurement. */
  readonly timeline: EncodedLatency[];
  readonly engineStats: Record<string, number>;
  readonly ioBytesWritten: number;
  readonly recovery: RecoveryReport;
}

export type WriterOutcome =
  | { readonly kind: 'completed'; readonly writer: number; readonly measurement: WriterMeasurement }
  | {
      readonly kind: 'errored';
      readonly writer: number;
      readonly stage: 'open' | 'barrier' | 'warmup' | 'measure' | 'close';
      readonly reason: string;
      readonly code: string | null;
      readonly measurement: WriterMeasurement | null;
    }
  | { readonly kind: 'aborted'; readonly writer: number; readonly measurement: WriterMeasurement | null };
