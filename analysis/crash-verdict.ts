/**
 * Pure: a case's crash trials → its summary and verdict.
 *
 * The verdict compares measured loss with what the durability setting declares:
 *   sync  — every acked commit is durable: any loss is a durability bug;
 *   batch — at most batchSize − 1 acked commits per writer are unsynced (the commit that fills a
 *           batch is synced before its ack): losing more is a bug;
 *   none  — unbounded by the engine: any loss is consistent with the claim.
 * A value that was never written (corrupt), or a recovery that throws, is a bug in every mode.
 */
import type { CrashSetting, CrashSummary, CrashTrial, CrashVerdict } from '../model/crash-report.js';
import { batchAck, type Durability } from '../model/durability.js';
import { nearestRank } from '../stats/summary.js';

/** Prefix of a trial error whose engine threw while recovering (a contract violation). */
export const RECOVERY_FAILED = 'recovery failed: ';

/** The declared bound on lost acked commits per writer, or null when unbounded. */
export function lossBound(d: Durability): number | null {
  switch (d.mode) {
    case 'sync':
    case 'delay':
    case 'pipelined':
      return 0;
    case 'batch':
      // Acked after its sync (a shared log's durable group commit): nothing acked is unsynced.
      return batchAck(d) === 'after-sync' ? 0 : Math.max(0, d.batchSize - 1);
    case 'none':
      return null;
  }
}

/** How a verdict is shown to people. */
export function verdictText(v: CrashVerdict): string {
  return v === 'durability-bug' ? 'DURABILITY BUG' : 'consistent';
}

/** `process kill`, `power cut on ext4 with random partial writeback`. */
export function describeCrash(s: CrashSetting): string {
  return s.kind === 'power' ? `power cut on ${s.filesystem ?? '?'}${s.writeback === 'random' ? ' with random partial writeback' : ''}` : 'process kill';
}

export function summarizeTrials(setting: CrashSetting, durability: Durability, trials: readonly CrashTrial[]): CrashSummary {
  const ok = trials.filter((t) => t.error === undefined);
  const lost = ok.map((t) => t.lost);
  const windows = ok.map((t) => t.lossWindowMs);
  const lostMax = Math.max(0, ...lost);
  const corruptTotal = ok.reduce((s, t) => s + t.corrupt, 0);
  const bound = lossBound(durability);
  const labNs = ok.map((t) => t.labNs ?? 0).filter((n) => n > 0);
  const recoveryFailures = trials.filter((t) => t.error?.startsWith(RECOVERY_FAILED));
  const { verdict, reason } = judge(setting, durability, ok, lostMax, corruptTotal, bound, trials.length - ok.length, recoveryFailures);
  return {
    setting,
    trials: [...trials],
    trialsWithLoss: ok.filter((t) => t.lost > 0).length,
    trialsErrored: trials.length - ok.length,
    lostMax,
    lostP50: nearestRank(lost, 50),
    lostP99: nearestRank(lost, 99),
    lossWindowMsMax: Math.max(0, ...windows),
    lossWindowMsP99: nearestRank(windows, 99),
    corruptTotal,
    verdict,
    verdictReason: reason,
    lossBoundCommits: bound,
    labNsP50: nearestRank(labNs, 50),
    labNsMax: Math.max(0, ...labNs),
  };
}

function judge(
  setting: CrashSetting,
  durability: Durability,
  ok: readonly CrashTrial[],
  lostMax: number,
  corrupt: number,
  bound: number | null,
  errored: number,
  recoveryFailures: readonly CrashTrial[],
): { verdict: CrashVerdict; reason: string } {
  const where = describeCrash(setting);
  if (recoveryFailures.length > 0) {
    return { verdict: 'durability-bug', reason: `recovery threw after a ${where} in ${recoveryFailures.length} trial(s): ${recoveryFailures[0]!.error}` };
  }
  if (corrupt > 0) {
    return { verdict: 'durability-bug', reason: `recovery returned ${corrupt} value(s) that were never written (${where})` };
  }
  const withLoss = ok.filter((t) => t.lost > 0).length;
  if (bound !== null && lostMax > bound) {
    const claim =
      durability.mode === 'sync' ? 'sync mode claims every acked commit durable' : `batch ${durability.mode === 'batch' ? durability.batchSize : ''} claims at most ${bound} unsynced acked commits`;
    return {
      verdict: 'durability-bug',
      reason: `${claim}, but a ${where} lost up to ${lostMax} acked commits (${withLoss} of ${ok.length} trials)`,
    };
  }
  const tail = errored > 0 ? `; ${errored} trial(s) could not be verified` : '';
  if (ok.length === 0) return { verdict: 'consistent', reason: `no trial was verified${tail}` };
  if (bound === null) {
    return {
      verdict: 'consistent',
      reason: `none mode declares unbounded exposure; ${where} lost up to ${lostMax} acked commits in ${withLoss} of ${ok.length} trials${tail}`,
    };
  }
  return { verdict: 'consistent', reason: `lost at most ${lostMax} acked commits (declared bound ${bound}) in ${ok.length} trials under ${where}${tail}` };
}
