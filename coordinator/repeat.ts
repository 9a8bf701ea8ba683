/**
 * `--repeat N`: the order cases run in and how their repeats become one case in the report.
 *
 * Repeats are interleaved — case 1 r1, case 2 r1, …, case 1 r2, … — not back to back, so a slow
 * drift of the machine (page cache filling, SSD garbage collection, a noisy neighbour) spreads over
 * every case instead of landing on one. After each repeat the case's entry in the report is
 * replaced by all its repeats so far merged exactly (histograms add), with per-metric median and
 * 95 % interval in `repeats`, so the report on disk is complete after every case.
 */
import { mergeCompletedCases } from '../analysis/merge.js';
import { mergeCaseMetrics } from '../stats/merge-metrics.js';
import { repeatNoiseWarnings, repeatSummary } from '../analysis/repeat-stats.js';
import { type CaseMetrics, type CaseResult, type CompletedCase, type RunReport } from '../model/run-report.js';
import type { PlannedCase } from './plan.js';

export interface ScheduledRun {
  readonly planned: PlannedCase;
  /** 1-based repeat number. */
  readonly round: number;
  readonly rounds: number;
  /** 1-based position in the whole schedule (unique: names the case's work directory). */
  readonly index: number;
  /** The last repeat of this case in the schedule. */
  readonly last: boolean;
  /** For progress: the case id, with ` (repeat r/N)` when repeating. */
  readonly label: string;
}

/** Interleaved schedule. Skipped cases appear once (there is nothing to repeat). Pure. */
export function repeatSchedule(cases: readonly PlannedCase[], repeat: number): ScheduledRun[] {
  const rounds = Math.max(1, repeat);
  const out: ScheduledRun[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const planned of cases) {
      if (planned.skip !== null && round > 1) continue;
      const last = planned.skip !== null || round === rounds;
      out.push({ planned, round, rounds, index: out.length + 1, last, label: rounds > 1 && planned.skip === null ? `${planned.id} (repeat ${round}/${rounds})` : planned.id });
    }
  }
  return out;
}

/** What the repeats of one case so far amount to. Pure. */
export function combineRepeats(results: readonly CaseResult[]): CaseResult {
  const first = results[0]!;
  if (results.length === 1 || first.state === 'skipped') return first;
  const done = results.filter((r): r is CompletedCase => r.state === 'completed');
  const failedAt = results.findIndex((r) => r.state !== 'completed');
  if (failedAt >= 0) {
    const failed = results[failedAt]!;
    const partial: CaseMetrics[] = [...done.map((d) => d.metrics), ...results.flatMap((r) => (r.state === 'errored' && r.partialMetrics ? [r.partialMetrics] : []))];
    return {
      id: first.id,
      key: first.key,
      params: first.params,
      startedAt: first.startedAt,
      finishedAt: results.at(-1)!.finishedAt,
      state: 'errored',
      reason: `repeat ${failedAt + 1} of ${results.length}: ${failed.state === 'errored' ? failed.reason : failed.state}`,
      code: failed.state === 'errored' ? failed.code : null,
      partialMetrics: partial.length > 0 ? mergeCaseMetrics(partial) : null,
    };
  }
  const merged = mergeCompletedCases(done);
  const repeats = repeatSummary(done);
  return { ...merged, repeats, warnings: [...merged.warnings, ...repeatNoiseWarnings(repeats)] };
}

/** Keeps each case's repeats and its one entry in the report up to date. */
export class RepeatCollector {
  private readonly results = new Map<string, CaseResult[]>();
  private readonly slots = new Map<string, number>();

  constructor(private readonly report: RunReport) {}

  /** Record one repeat's result; returns the case's entry as it now stands in the report. */
  record(run: ScheduledRun, result: CaseResult): CaseResult {
    const id = run.planned.id;
    const list = this.results.get(id) ?? [];
    list.push(result);
    this.results.set(id, list);
    const entry = combineRepeats(list);
    const slot = this.slots.get(id);
    if (slot === undefined) {
      this.slots.set(id, this.report.cases.length);
      this.report.cases.push(entry);
    } else {
      this.report.cases[slot] = entry;
    }
    return entry;
  }
}
