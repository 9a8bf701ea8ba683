/**
 * What the coordinator and a case child (coordinator/case-child.ts) say to each other over the IPC
 * channel: one case in, progress and one result out, and an abort on SIGINT/SIGTERM. Tagged unions.
 */
import type { CaseKey, CaseParams } from '../model/case.js';
import type { CaseResult } from '../model/run-report.js';
import type { EngineOptionValue } from '../engines/types.js';

/** A planned case without its factory (the child loads the engine itself). */
import type { CaseRunContext } from './run-case.js';

export interface CaseSpec {
  readonly id: string;
  readonly key: CaseKey;
  readonly params: CaseParams;
  readonly engineOptions: Record<string, EngineOptionValue>;
}

/** What a case child needs of the coordinator's case context: the plain, serialisable part of it. */
export type CaseChildSettings = Pick<CaseRunContext, 'workDir' | 'caseIndex' | 'intervalMs' | 'timelineMaxPoints' | 'barrierTimeoutMs' | 'keep' | 'device'>;

export type ToCaseChild = { readonly kind: 'case'; readonly spec: CaseSpec; readonly settings: CaseChildSettings } | { readonly kind: 'abort' };

export type FromCaseChild = { readonly kind: 'progress'; readonly commits: number } | { readonly kind: 'result'; readonly result: CaseResult };
