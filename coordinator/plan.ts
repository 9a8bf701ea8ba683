/**
 * Expands a resolved suite into the ordered list of cases: targets × engines × faults × durabilities
 * (modes × batch sizes, delays, parallelisms) × shares × writers × value sizes × workloads. Pure.
 * Combinations an engine cannot run become `skip` entries with the reason, so the report says why a
 * cell of the matrix is empty. Writers vary fastest but for value sizes and workloads, so one
 * setting's writer counts sit together: one curve of throughput against writers.
 */
import { resolveEngineOptions } from '../engines/options.js';
import type { EngineFactory, EngineOptionValue } from '../engines/types.js';
import { caseId, caseKey, type CaseKey, type CaseParams, type Share } from '../model/case.js';
import { acksAfterSync, engineModeOf, expandDurability, isGroupMode, type Durability } from '../model/durability.js';
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
  const shares: readonly Share[] = suite.shares ?? ['none'];
  const settings = {
    batchSizes: suite.batchSizes,
    batchMs: suite.batchMs,
    commitDelaysUs: suite.commitDelaysUs ?? [],
    commitSiblings: suite.commitSiblings ?? 0,
    syncParallelisms: suite.syncParallelisms ?? [],
  };
  // A shared log's batch is acked after its sync unless --ack says otherwise; a single writer's batch
  // can only ack before the sync (it cannot fill a batch while it waits for it).
  const perWriter = expandDurability(suite.modes, { ...settings, ack: suite.ack === 'after-sync' ? 'after-sync' : null });
  const sharedLog = expandDurability(suite.modes, { ...settings, ack: suite.ack ?? 'after-sync' });
  const pairs = perWriter.flatMap((d, i) => shares.map((share) => ({ durability: share === 'log' ? sharedLog[i]! : d, share })));
  suite.targets.forEach((target, targetIndex) => {
    suite.engines.forEach((engineName, engineIndex) => {
      const factory = factories[engineIndex]!;
      const { options } = resolveEngineOptions(factory, suite.engineOptions);
      for (const fault of suite.faults) {
        if (fault !== null && !factory.faults.some((f) => f.name === fault)) continue;
        for (const { durability, share } of pairs) {
          for (const writers of suite.writers) {
            for (const valueBytes of suite.valueBytes) {
              for (const workload of suite.workloads) {
                const key = caseKey({ engine: engineName, fault, writers, share, valueBytes, workload, target }, durability);
                const params: CaseParams = {
                  engineOptions: options,
                  seed: suite.seed,
                  warmupMs: suite.warmupMs,
                  durationMs: suite.durationMs,
                  commitsPerWriter: suite.commitsPerWriter,
                };
                cases.push({ id: caseId(key, targetIndex), key, params, factory, engineOptions: options, skip: skipReason(factory, durability, share, options) });
              }
            }
          }
        }
      }
    });
  });
  return cases;
}

function skipReason(factory: EngineFactory, d: Durability, share: Share, options: Record<string, EngineOptionValue>): string | null {
  const mode = d.mode;
  if (share === 'log') {
    if (!factory.sharedLog) return `${factory.name} does not run a shared log (--share log runs wal)`;
  } else {
    if (isGroupMode(mode)) return `mode ${mode} runs only on a shared log (--share log)`;
    if (mode === 'batch' && acksAfterSync(d)) return 'batch acked after its sync needs a shared log (--share log): a writer alone cannot fill a batch it waits for';
  }
  // A shared log runs delay and pipelined as sync: the engine's own check sees the mode a commit's ack means.
  const engineMode = engineModeOf(mode);
  if (!factory.modes.includes(engineMode)) return `${factory.name} does not support mode ${mode} (it supports ${factory.modes.join(', ')})`;
  return factory.check?.(engineMode, options) ?? serverUnavailable(factory, options);
}
