/**
 * Expands a resolved suite into the ordered list of cases: targets × engines × faults × modes ×
 * batch sizes × writers × value sizes × workloads. Pure. Combinations an engine cannot run become
 * `skip` entries with the reason, so the report says why a cell of the matrix is empty.
 */
import { resolveEngineOptions } from '../engines/options.js';
import type { EngineFactory, EngineOptionValue } from '../engines/types.js';
import { caseId, caseKey, type CaseKey, type CaseParams } from '../model/case.js';
import { expandDurability, type Mode } from '../model/durability.js';
import { type ResolvedSuite } from '../model/run-report.js';
import { serverUnavailable } from './servers.js';

export interface PlannedCase {
  readonly id: string;
  readonly key: CaseKey;
  readonly params: CaseParams;
  readonly factory: EngineFactory;
  /** The engine's options with defaults filled in. */
  readonly engineOptions: Record<string, EngineOptionValue>;
  /** When set, the case is not run: it is reported as skipped with this reason. */
  readonly skip: string | null;
}

export function planCases(suite: ResolvedSuite, factories: readonly EngineFactory[]): PlannedCase[] {
  const cases: PlannedCase[] = [];
  const durabilities = expandDurability(suite.modes, suite.batchSizes, suite.batchMs);
  suite.targets.forEach((target, targetIndex) => {
    suite.engines.forEach((engineName, engineIndex) => {
      const factory = factories[engineIndex]!;
      const { options } = resolveEngineOptions(factory, suite.engineOptions);
      for (const fault of suite.faults) {
        if (fault !== null && !factory.faults.some((f) => f.name === fault)) continue;
        for (const durability of durabilities) {
          for (const writers of suite.writers) {
            for (const valueBytes of suite.valueBytes) {
              for (const workload of suite.workloads) {
                const key = caseKey({ engine: engineName, fault, writers, valueBytes, workload, target }, durability);
                const params: CaseParams = {
                  engineOptions: options,
                  seed: suite.seed,
                  warmupMs: suite.warmupMs,
                  durationMs: suite.durationMs,
                  commitsPerWriter: suite.commitsPerWriter,
                };
                cases.push({ id: caseId(key, targetIndex), key, params, factory, engineOptions: options, skip: skipReason(factory, durability.mode, options) });
              }
            }
          }
        }
      }
    });
  });
  return cases;
}

function skipReason(factory: EngineFactory, mode: Mode, options: Record<string, EngineOptionValue>): string | null {
  if (!factory.modes.includes(mode)) return `${factory.name} does not support mode ${mode} (it supports ${factory.modes.join(', ')})`;
  return factory.check?.(mode, options) ?? serverUnavailable(factory, options);
}
