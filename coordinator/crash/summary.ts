/**
 * Pure: a case's crash trials → its summary and verdict (DESIGN §1 "loss (measured)", §4).
 *
 * The verdict compares measured loss with what the mode declares:
 *   sync  — every acked commit is durable: any loss is a durability bug;
 *   batch — at most batchSize − 1 acked commits per writer are unsynced (the commit that fills a
 *           batch is synced before its ack): losing more is a bug;
 *   none  — unbounded by the engine: any loss is consistent with the claim.
 * A value that was never written (corrupt), or a recovery that throws, is a bug in every mode.
 */
import type { Mode } from '../../engines/types.js';
import type { CrashSummary, CrashTrial } from '../../reports/schema.js';

/** Prefix of a trial error whose engine threw while recovering (a contract violation: DESIGN §2). */
export const RECOVERY_FAILED = 'recovery failed: ';

/** The declared bound on lost acked commits per writer, or null when unbounded. */
export function lossBound(mode: Mode, batchSize: number): number | null {
  switch (mode) {
    case 'sync':
      return 0;
    case 'batch':
      return Math.max(0, batchSize - 1);
    case 'none':
      return null;
  }
}

/** Nearest-rank percentile (p in 0..100) of a list; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface SummaryContext {
  readonly crashKind: 'kill' | 'power';
  /** Power: `random` when a random half of the unsynced blocks was written back before the cut. */
  readonly writeback?: 'none' | 'random' | null;
  readonly filesystem: string | null;
  readonly mountOptions: string | null;
  readonly crashAt: string;
  readonly mode: Mode;
  readonly batchSize: number;
}

export function summarizeTrials(ctx: SummaryContext, trials: readonly CrashTrial[]): CrashSummary {
  const ok = trials.filter((t) => t.error === undefined);
  const lost = ok.map((t) => t.lost);
  const windows = ok.map((t) => t.lossWindowMs);
  const lostMax = Math.max(0, ...lost);
  const corruptTotal = ok.reduce((s, t) => s + t.corrupt, 0);
  const bound = lossBound(ctx.mode, ctx.batchSize);
  const labNs = ok.map((t) => t.labNs ?? 0).filter((n) => n > 0);
  const recoveryFailures = trials.filter((t) => t.error?.startsWith(RECOVERY_FAILED));
  const { verdict, reason } = judge(ctx, ok, lostMax, corruptTotal, bound, trials.length - ok.length, recoveryFailures);
  return {
    crashKind: ctx.crashKind,
    filesystem: ctx.filesystem,
    trials: [...trials],
    trialsWithLoss: ok.filter((t) => t.lost > 0).length,
    lostMax,
    lostP50: percentile(lost, 50),
    lostP99: percentile(lost, 99),
    lossWindowMsMax: Math.max(0, ...windows),
    lossWindowMsP99: percentile(windows, 99),
    corruptTotal,
    verdict,
    verdictReason: reason,
    mountOptions: ctx.mountOptions,
    crashAt: ctx.crashAt,
    ...(ctx.writeback === 'random' ? { writeback: 'random' as const } : {}),
    lossBoundCommits: bound,
    trialsErrored: trials.length - ok.length,
    labNsP50: percentile(labNs, 50),
    labNsMax: Math.max(0, ...labNs),
  };
}

function judge(
  ctx: SummaryContext,
  ok: readonly CrashTrial[],
  lostMax: number,
  corrupt: number,
  bound: number | null,
  errored: number,
  recoveryFailures: readonly CrashTrial[],
): { verdict: CrashSummary['verdict']; reason: string } {
  const where = ctx.crashKind === 'power' ? `power cut on ${ctx.filesystem ?? '?'}${ctx.writeback === 'random' ? ' with random partial writeback' : ''}` : 'process kill';
  if (recoveryFailures.length > 0) {
    return { verdict: 'DURABILITY BUG', reason: `recovery threw after a ${where} in ${recoveryFailures.length} trial(s): ${recoveryFailures[0]!.error}` };
  }
  if (corrupt > 0) {
    return { verdict: 'DURABILITY BUG', reason: `recovery returned ${corrupt} value(s) that were never written (${where})` };
  }
  const withLoss = ok.filter((t) => t.lost > 0).length;
  if (bound !== null && lostMax > bound) {
    const claim = ctx.mode === 'sync' ? 'sync mode claims every acked commit durable' : `batch ${ctx.batchSize} claims at most ${bound} unsynced acked commits`;
    return {
      verdict: 'DURABILITY BUG',
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
