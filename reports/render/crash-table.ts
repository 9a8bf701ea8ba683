/**
 * Pure tables of a crash report: one row per case (detail), and the seed table — one row per engine
 * setting, one column per crash kind and filesystem — which says which implementation loses what.
 */
import type { CrashCaseKey, CrashCaseResult, CrashReport, CrashSummary } from '../schema.js';
import { engineLabel, formatNs, sig } from './format.js';

export const CRASH_TABLE_HEADER = ['case', 'crash', 'at', 'trials', 'with loss', 'lost max', 'lost p50', 'lost p99', 'window max', 'corrupt', 'lab/trial', 'verdict'];

/** `wal batch 32 flush-no-fsync` */
export function settingLabel(k: CrashCaseKey): string {
  const mode = k.mode === 'batch' ? `batch ${k.batchSize}` : k.mode;
  return [engineLabel(k.engine), mode, k.fault ?? '', k.workload === 'unique' ? '' : k.workload].filter((x) => x !== '').join(' ');
}

/** `kill`, `power ext4`, `power xfs (data=journal)` */
export function crashLabel(k: CrashCaseKey): string {
  if (k.crashKind === 'kill') return 'kill';
  return `power ${k.filesystem}${k.mountOptions ? ` (${k.mountOptions})` : ''}${k.writeback === 'random' ? ' + writeback' : ''}`;
}

function ms(x: number): string {
  return `${sig(x)} ms`;
}

export function crashRow(c: CrashCaseResult): string[] {
  const head = [settingLabel(c.key), crashLabel(c.key), c.key.crashAt];
  if (c.state !== 'completed') return [...head, c.state, '', '', '', '', '', '', '', c.reason];
  const s = c.crash;
  const verified = s.trials.length - (s.trialsErrored ?? 0);
  return [
    ...head,
    String(s.trials.length),
    `${s.trialsWithLoss}/${verified}`,
    String(s.lostMax),
    String(s.lostP50),
    String(s.lostP99),
    ms(s.lossWindowMsMax),
    String(s.corruptTotal),
    formatNs(s.labNsP50 ?? null),
    s.verdict === 'consistent' ? 'consistent' : `DURABILITY BUG: ${s.verdictReason}`,
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
  const s: CrashSummary = c.crash;
  const verified = s.trials.length - (s.trialsErrored ?? 0);
  const cell = s.lostMax === 0 ? `0 (0/${verified})` : `${s.lostMax} (${s.trialsWithLoss}/${verified})`;
  return s.verdict === 'DURABILITY BUG' ? `${cell} BUG` : cell;
}

/**
 * Rows: engine setting (and crash point when not random); columns: each crash kind/filesystem.
 * Cells: most acked commits lost in one trial, and in how many trials anything was lost.
 */
export function seedTable(r: CrashReport): string[][] {
  const columns: string[] = [];
  const rows = new Map<string, Map<string, CrashCaseResult>>();
  for (const c of r.cases) {
    const col = crashLabel(c.key);
    if (!columns.includes(col)) columns.push(col);
    const row = `${settingLabel(c.key)}${c.key.crashAt === 'random' ? '' : ` @ ${c.key.crashAt}`}${r.cases.some((x) => x.key.valueBytes !== c.key.valueBytes) ? ` v${c.key.valueBytes}` : ''}`;
    if (!rows.has(row)) rows.set(row, new Map());
    rows.get(row)!.set(col, c);
  }
  return [['engine setting', ...columns.map((c) => `${c}: lost max (trials with loss)`)], ...[...rows].map(([row, cells]) => [row, ...columns.map((c) => seedCell(cells.get(c)))])];
}

/**
 * Crash cells for a run report's case rows (`durabench run --crash`): the lead's case table, CSV and
 * Markdown can append these beside the latency figures. Empty strings when no trials ran.
 */
export const CRASH_CELL_HEADER = ['crash', 'lost max', 'trials with loss', 'loss window max', 'corrupt', 'verdict'];

export function crashCells(crash: CrashSummary | undefined): string[] {
  if (!crash) return CRASH_CELL_HEADER.map(() => '');
  const verified = crash.trials.length - (crash.trialsErrored ?? 0);
  return [
    crash.crashKind === 'power' ? `power ${crash.filesystem ?? ''}`.trim() : 'kill',
    String(crash.lostMax),
    `${crash.trialsWithLoss}/${verified}`,
    ms(crash.lossWindowMsMax),
    String(crash.corruptTotal),
    crash.verdict,
  ];
}

/** CSV columns for a run report's cases when crash trials ran (`durabench run --crash`). */
export const CRASH_CSV_COLUMNS: readonly [string, (crash: CrashSummary | undefined) => string | number | null][] = [
  ['crash_kind', (x) => x?.crashKind ?? null],
  ['crash_filesystem', (x) => x?.filesystem ?? null],
  ['crash_trials', (x) => x?.trials.length ?? null],
  ['crash_trials_with_loss', (x) => x?.trialsWithLoss ?? null],
  ['lost_max', (x) => x?.lostMax ?? null],
  ['lost_p50', (x) => x?.lostP50 ?? null],
  ['lost_p99', (x) => x?.lostP99 ?? null],
  ['loss_window_ms_max', (x) => x?.lossWindowMsMax ?? null],
  ['loss_window_ms_p99', (x) => x?.lossWindowMsP99 ?? null],
  ['corrupt_total', (x) => x?.corruptTotal ?? null],
  ['crash_verdict', (x) => x?.verdict ?? null],
];
