/**
 * Pure: a case's crash trials → its summary and verdict; a case's verdict against a suite's
 * expectation; the exit status of a crash run.
 *
 * The verdict compares what came back with what the engine itself declared durable at the crash
 * instant (its `durable(n)` claims, streamed to the ledger outside the crash), not with the mode's
 * nominal bound: a lost acked commit the engine had declared durable is a broken promise in every
 * mode. A value that was never written (corrupt), or a recovery that throws, is a bug in every mode.
 * A verdict needs evidence: `consistent` only with at least one verified crash state and no errored
 * one; otherwise `inconclusive`, with the reason.
 */
import type { DeviceTruth } from '../model/device.js';
import type { CrashCaseResult, CrashSetting, CrashSummary, CrashTrial, CrashVerdict, DeviceCache, LossBucket, SyscallCensus } from '../model/crash-report.js';
import { batchAck, type Durability } from '../model/durability.js';
import { nearestRank } from '../stats/summary.js';

/** Prefix of a trial error whose engine threw while recovering (a contract violation). */
export const RECOVERY_FAILED = 'recovery failed: ';

/**
 * The mode's nominal bound on lost acked commits per writer, or null when no count bounds it (for
 * reference: the verdict holds every writer to what its engine declared). On a shared log acked
 * before its sync, the other writers keep committing while the batch's sync runs, so a writer's
 * acked-unsynced commits are bounded by its declared exposure, not by `batchSize − 1`.
 */
export function lossBound(d: Durability, sharedLog = false): number | null {
  switch (d.mode) {
    case 'sync':
    case 'delay':
    case 'pipelined':
      return 0;
    case 'batch':
      // Acked after its sync (a shared log's durable group commit): nothing acked is unsynced.
      if (batchAck(d) === 'after-sync') return 0;
      return sharedLog ? null : Math.max(0, d.batchSize - 1);
    case 'none':
      return null;
  }
}

/** How a verdict is shown to people. */
export function verdictText(v: CrashVerdict): string {
  return v === 'durability-bug' ? 'DURABILITY BUG' : v;
}

/** What each drive-cache model keeps at a power cut, for people. */
export function deviceCacheText(c: DeviceCache): string {
  switch (c) {
    case 'none':
      return 'no drive cache: every write the device completed survives';
    case 'volatile':
      return 'volatile drive cache: only writes a flush or FUA made durable survive';
    case 'reorder':
      return 'volatile, reordering drive cache: flushed writes plus random subsets of the cached blocks survive';
  }
}

/** `process kill`, `power cut on ext4 (volatile cache, torn)`, `power cut on xfs (no cache) with random partial writeback`. */
export function describeCrash(s: CrashSetting): string {
  if (s.kind === 'kill') return 'process kill';
  const cache = s.deviceCache === null ? '' : s.deviceCache === 'none' ? 'no cache' : `${s.deviceCache} cache`;
  const extras = [cache, s.torn ? 'torn' : ''].filter((x) => x !== '').join(', ');
  return `power cut on ${s.filesystem ?? '?'}${extras ? ` (${extras})` : ''}${s.writeback === 'random' ? ' with random partial writeback' : ''}`;
}

/** Crash states per loss: 0, 1, 2–3, 4–7, … (powers of two), only buckets up to the largest loss. */
export function lossDistribution(lost: readonly number[]): LossBucket[] {
  if (lost.length === 0) return [];
  const max = Math.max(...lost);
  const buckets: LossBucket[] = [{ from: 0, to: 0, trials: 0 }];
  for (let from = 1; from <= max; from *= 2) buckets.push({ from, to: from * 2 - 1, trials: 0 });
  for (const n of lost) {
    const i = n === 0 ? 0 : Math.floor(Math.log2(n)) + 1;
    buckets[i]!.trials += 1;
  }
  return buckets;
}

export interface SummaryExtras {
  /** Crash instants the trials came from. */
  readonly instants: number;
  /** Wall time of the case's trials, ms. */
  readonly wallMs: number;
  readonly device: DeviceTruth;
  readonly syscalls: SyscallCensus;
  /** The writers shared one log (`--share log`). */
  readonly sharedLog?: boolean;
}

export function summarizeTrials(setting: CrashSetting, durability: Durability, trials: readonly CrashTrial[], extras: SummaryExtras): CrashSummary {
  const ok = trials.filter((t) => t.outcome === 'verified');
  const failedRecovery = trials.filter((t) => t.outcome === 'recovery-failed');
  const errored = trials.filter((t) => t.outcome === 'errored');
  const lost = ok.map((t) => t.lost);
  const windows = ok.map((t) => t.lossWindowMs);
  const labNs = trials.map((t) => t.labNs ?? 0).filter((n) => n > 0);
  const summary = {
    setting,
    trials: [...trials],
    instants: extras.instants,
    trialsVerified: ok.length,
    trialsErrored: errored.length,
    recoveryFailures: failedRecovery.length,
    trialsWithLoss: ok.filter((t) => t.lost > 0).length,
    trialsWithGaps: ok.filter((t) => t.lostGap > 0).length,
    lostMax: Math.max(0, ...lost),
    lostP50: nearestRank(lost, 50),
    lostP99: nearestRank(lost, 99),
    lostGapMax: Math.max(0, ...ok.map((t) => t.lostGap)),
    lostDeclaredMax: Math.max(0, ...ok.map((t) => t.lostDeclared)),
    exposureMax: Math.max(0, ...ok.map((t) => t.exposure)),
    lossWindowMsMax: Math.max(0, ...windows),
    lossWindowMsP99: nearestRank(windows, 99),
    corruptTotal: ok.reduce((s, t) => s + t.corrupt, 0),
    lossDistribution: lossDistribution(lost),
    lossBoundCommits: lossBound(durability, extras.sharedLog ?? false),
    labNsP50: nearestRank(labNs, 50),
    labNsMax: Math.max(0, ...labNs),
    wallMs: extras.wallMs,
    trialsPerMinute: extras.wallMs > 0 ? (ok.length + failedRecovery.length) / (extras.wallMs / 60_000) : 0,
    destagedTrials: trials.filter((t) => t.destaged !== undefined).length,
    device: extras.device,
    syscalls: extras.syscalls,
  };
  const { verdict, reason } = judge(setting, durability, summary, ok, failedRecovery, errored, extras.sharedLog ?? false);
  return { ...summary, verdict, verdictReason: reason };
}

type Counts = Pick<CrashSummary, 'lostMax' | 'lostDeclaredMax' | 'exposureMax' | 'corruptTotal' | 'lossBoundCommits' | 'instants'>;

function judge(
  setting: CrashSetting,
  durability: Durability,
  s: Counts,
  ok: readonly CrashTrial[],
  failedRecovery: readonly CrashTrial[],
  errored: readonly CrashTrial[],
  sharedLog = false,
): { verdict: CrashVerdict; reason: string } {
  const where = describeCrash(setting);
  const states = ok.length + failedRecovery.length + errored.length;
  const erroredTail = errored.length > 0 ? `; ${errored.length} crash state(s) could not be verified (${errored[0]!.error ?? 'no reason given'})` : '';
  if (failedRecovery.length > 0) {
    return { verdict: 'durability-bug', reason: `recovery failed after a ${where} in ${failedRecovery.length} of ${states} crash state(s): ${failedRecovery[0]!.error ?? ''}${erroredTail}` };
  }
  if (s.corruptTotal > 0) {
    return { verdict: 'durability-bug', reason: `recovery returned ${s.corruptTotal} value(s) that were never written (corrupt) after a ${where}${erroredTail}` };
  }
  const outOfOrder = ok.filter((t) => (t.orderViolations ?? 0) > 0);
  if (outOfOrder.length > 0) {
    const worst = Math.max(...outOfOrder.map((t) => t.orderViolations ?? 0));
    const example = outOfOrder[0]!.notes.find((n) => n.startsWith('not a prefix of the log')) ?? '';
    return {
      verdict: 'durability-bug',
      reason: `after a ${where} what survived of the shared log was not a prefix of its order: up to ${worst} surviving commit(s) came after a lost acked commit, in ${outOfOrder.length} of ${ok.length} verified crash state(s)${example ? ` (${example})` : ''}${erroredTail}`,
    };
  }
  if (s.lostDeclaredMax > 0) {
    const broken = ok.filter((t) => t.lostDeclared > 0);
    const claim = durability.mode === 'sync' ? 'sync mode: the engine declared every acked commit durable' : 'the engine had declared them durable';
    return {
      verdict: 'durability-bug',
      reason: `a ${where} lost up to ${s.lostDeclaredMax} acked commit(s) the engine had declared durable (${claim}) in ${broken.length} of ${ok.length} verified crash state(s)${erroredTail}`,
    };
  }
  if (ok.length === 0) {
    return { verdict: 'inconclusive', reason: states === 0 ? 'no crash state was run' : `no crash state was verified: ${errored.length} of ${states} errored (${errored[0]?.error ?? 'no reason given'})` };
  }
  if (errored.length > 0) {
    return {
      verdict: 'inconclusive',
      reason: `${errored.length} of ${states} crash state(s) could not be verified (${errored[0]!.error ?? 'no reason given'}); the ${ok.length} verified lost nothing the engine had declared durable`,
    };
  }
  const nominal = s.lossBoundCommits;
  const overNominal =
    nominal !== null && s.exposureMax > nominal * Math.max(1, ok[0]?.writers?.length ?? 1)
      ? `; note: the declared exposure reached ${s.exposureMax} commits, more than the mode's nominal ${nominal}`
      : '';
  const lossPart =
    s.lostMax === 0 ? 'lost no acked commit' : `lost at most ${s.lostMax} acked commit(s), all within the declared exposure (at most ${s.exposureMax} acked, not declared durable)`;
  const ordered = ok.filter((t) => t.orderViolations !== undefined).length;
  const orderPart = sharedLog && ordered > 0 ? `; every writer checked against its declared durability in one shared log, and what survived was a prefix of the log in ${ordered} state(s)` : '';
  return {
    verdict: 'consistent',
    reason: `${lossPart} in ${ok.length} verified crash state(s) from ${s.instants} instant(s) under ${where}${orderPart}${overNominal}`,
  };
}

/** A case against its expectation: `pass` (consistent, or the expected verdict), `fail` (an unexpected bug, or a missed fault), `inconclusive`. */
export type CaseStatus = { readonly status: 'pass' | 'fail' | 'inconclusive'; readonly reason: string };

export function caseStatus(c: CrashCaseResult): CaseStatus {
  if (c.state !== 'completed') return { status: 'inconclusive', reason: `${c.state}: ${c.reason}` };
  const v = c.crash.verdict;
  if (v === 'inconclusive') return { status: 'inconclusive', reason: c.crash.verdictReason };
  if (c.expect === undefined) return v === 'durability-bug' ? { status: 'fail', reason: c.crash.verdictReason } : { status: 'pass', reason: c.crash.verdictReason };
  if (v === c.expect) return { status: 'pass', reason: `${verdictText(v)}, as expected: ${c.crash.verdictReason}` };
  return c.expect === 'durability-bug'
    ? { status: 'fail', reason: `expected DURABILITY BUG, but the lab did not catch it: ${c.crash.verdictReason}` }
    : { status: 'fail', reason: `expected ${verdictText(c.expect)}, got ${verdictText(v)}: ${c.crash.verdictReason}` };
}

/** `durabench crash` exit status: 1 when any case fails, else 3 when any is inconclusive (or none ran), else 0. */
export function crashExitCode(cases: readonly CrashCaseResult[]): 0 | 1 | 3 {
  const statuses = cases.map((c) => caseStatus(c).status);
  if (statuses.includes('fail')) return 1;
  if (statuses.length === 0 || statuses.includes('inconclusive')) return 3;
  return 0;
}
