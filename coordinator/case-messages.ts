/**
 * What the coordinator and a case child (coordinator/case-child.ts) say to each other over the IPC
 * channel: one case in, progress and one result out, and an abort on SIGINT/SIGTERM. Tagged unions.
 */
import type { CaseKey, CaseParams } from '../model/case.js';
import type { CaseResult } from '../model/run-report.js';
import type { EngineOptionValue } from '../engines/types.js';

/** A planned case without its factory (the child loads the engine itself). */
import type { CaseDevice } from '../model/device.js';

export interface CaseSpec {
  readonly id: string;
  readonly key: CaseKey;
  readonly params: CaseParams;
  readonly engineOptions: Record<string, EngineOptionValue>;
}

export interface CaseChildSettings {
  readonly workDir: string;
  readonly caseIndex: number;
  readonly intervalMs: number;
  /** null: a fixed --interval-ms (no cap on the points). */
  readonly timelineMaxPoints: number | null;
  readonly barrierTimeoutMs: number;
  readonly keep: boolean;
  readonly device: CaseDevice;
}

export type ToCaseChild = { readonly kind: 'case'; readonly spec: CaseSpec; readonly settings: CaseChildSettings } | { readonly kind: 'abort' };

export type FromCaseChild = { readonly kind: 'progress'; readonly commits: number } | { readonly kind: 'result'; readonly result: CaseResult };
