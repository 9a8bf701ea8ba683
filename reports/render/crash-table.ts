/**
 * Pure tables of crash results: one row per case (detail), the seed table — one row per engine
 * setting, one column per crash kind and filesystem — which says which implementation loses what,
 * and the crash cells a run report's case rows get when `run --crash` ran trials.
 */
import { verdictText } from '../../analysis/crash-verdict.js';
import { engineLabel, type CaseKey } from '../../model/case.js';
import type { CrashCaseResult, CrashReport, CrashSetting, CrashSummary } from '../../model/crash-report.js';
import { durabilityLabel } from '../../model/durability.js';
import { formatNs, sig } from '../../model/units.js';

export const CRASH_TABLE_HEADER = ['case', 'crash', 'at', 'trials', 'with loss', 'lost max', 'lost p50', 'lost p99', 'window max', 'corrupt', 'lab/trial', 'verdict'];

/** `wal batch 32 flush-no-fsync` */
export function settingLabel(k: CaseKey): string {
  return [engineLabel(k.engine), durabilityLabel(k), k.fault ?? '', k.workload === 'unique' ? '' : k.workload].filter((x) => x !== '').join(' ');
}

/** `kill`, `power ext4`, `power xfs (data=journal)` */
export function crashLabel(s: CrashSetting): string {
  if (s.kind === 'kill') return 'kill';
  return `power ${s.filesystem}${s.mountOptions ? ` (${s.mountOptions})` : ''}${s.writeback === 'random' ? ' + writeback' : ''}`;
}

function ms(x: number): string {
  return `${sig(x)} ms`;
}

function verified(s: CrashSummary): number {
  return s.trials.length - s.trialsErrored;
}

export function crashRow(c: CrashCaseResult): string[] {
  const head = [settingLabel(c.key), crashLabel(c.setting), c.setting.crashAt];
  if (c.state !== 'completed') return [...head, c.state, '', '', '', '', '', '', '', c.reason];
  const s = c.crash;
  return [
    ...head,
    String(s.trials.length),
    `${s.trialsWithLoss}/${verified(s)}`,
    String(s.lostMax),
    String(s.lostP50),
    String(s.lostP99),
    ms(s.lossWindowMsMax),
    String(s.corruptTotal),
    formatNs(s.labNsP50),
    s.verdict === 'consistent' ? verdictText(s.verdict) : `${verdictText(s.verdict)}: ${s.verdictReason}`,
  ];
}

export function crashTable(r: CrashReport): string[][] {
  return [CRASH_TABLE_HEADER, ...r.cases.map(crashRow)];
}

/** One cell of the seed table: lost max (trials with loss / trials), flagged when a bug. */
function seedCell(c: CrashCaseResult | undefined): string {
  if (!c) return '';
  if (c.state === 'skipped') return 'skipped';
  if (c.state === 'errored') return 'errored';
  const s = c.crash;
  const cell = `${s.lostMax} (${s.trialsWithLoss}/${verified(s)})`;
  return s.verdict === 'durability-bug' ? `${cell} BUG` : cell;
}

/**
 * Rows: engine setting (and crash point when not random); columns: each crash kind/filesystem.
 * Cells: most acked commits lost in one trial, and in how many trials anything was lost.
 */
export function seedTable(r: CrashReport): string[][] {
  const columns: string[] = [];
  const rows = new Map<string, Map<string, CrashCaseResult>>();
  const severalValueSizes = new Set(r.cases.map((c) => c.key.valueBytes)).size > 1;
  for (const c of r.cases) {
    const col = crashLabel(c.setting);
    if (!columns.includes(col)) columns.push(col);
    const row = `${settingLabel(c.key)}${c.setting.crashAt === 'random' ? '' : ` @ ${c.setting.crashAt}`}${severalValueSizes ? ` v${c.key.valueBytes}` : ''}`;
    if (!rows.has(row)) rows.set(row, new Map());
    rows.get(row)!.set(col, c);
  }
  return [['engine setting', ...columns.map((c) => `${c}: lost max (trials with loss)`)], ...[...rows].map(([row, cells]) => [row, ...columns.map((c) => seedCell(cells.get(c)))])];
}

/** Crash cells for a run report's case rows (`durabench run --crash`): empty strings when no trials ran. */
export const CRASH_CELL_HEADER = ['crash', 'lost max', 'trials with loss', 'loss window max', 'corrupt', 'verdict'];

export function crashCells(crash: CrashSummary | undefined): string[] {
  if (!crash) return CRASH_CELL_HEADER.map(() => '');
  return [
    crashLabel(crash.setting),
    String(crash.lostMax),
    `${crash.trialsWithLoss}/${verified(crash)}`,
    ms(crash.lossWindowMsMax),
    String(crash.corruptTotal),
    verdictText(crash.verdict),
  ];
}
