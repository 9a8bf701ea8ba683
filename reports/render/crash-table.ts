/**
 * Pure tables of crash results: the verdict table (one row per case, the verdict first), the seed
 * table — one row per engine setting, one column per crash kind and filesystem — which says which
 * implementation loses what, the device and syscall table, the loss distribution, the lost ranges,
 * the header lines every view starts with (the drive-cache model and the crash window), and the crash
 * cells a run report's case rows get when `run --crash` ran trials.
 */
import { caseStatus, deviceCacheText, verdictText } from '../../analysis/crash-verdict.js';
import { formatRange } from '../../analysis/loss-ranges.js';
import { engineLabel, shareOf, type CaseKey } from '../../model/case.js';
import { lossMeasured, type CrashCaseResult, type CrashReport, type CrashSetting, type CrashSummary, type CrashTrial, type LossBucket } from '../../model/crash-report.js';
import { durabilityLabel } from '../../model/durability.js';
import { formatNs, sig } from '../../model/units.js';
import type { Cell } from '../document/model.js';

/** `wal batch 32 flush-no-fsync`, `wal sync ×4` (several writers). */
export function settingLabel(k: CaseKey): string {
  return [engineLabel(k.engine), durabilityLabel(k), k.writers > 1 ? `×${k.writers}${shareOf(k) === 'log' ? ' on one log' : ''}` : '', k.fault ?? '', k.workload === 'unique' ? '' : k.workload].filter((x) => x !== '').join(' ');
}

/** `kill`, `power ext4 volatile`, `power xfs reorder+torn (data=journal)`, `power ext4 none + writeback` */
export function crashLabel(s: CrashSetting): string {
  if (s.kind === 'kill') return 'kill';
  const cache = `${s.deviceCache ?? 'none'}${s.torn ? '+torn' : ''}`;
  return `power ${s.filesystem} ${cache}${s.mountOptions ? ` (${s.mountOptions})` : ''}${s.writeback === 'random' ? ' + writeback' : ''}`;
}

function ms(x: number): string {
  return `${sig(x)} ms`;
}

function ratio(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

/** A loss figure, or `—` where no crash state was verified (then it is 0 by construction, not measured). */
function lossFigure(s: CrashSummary, text: string): string {
  return lossMeasured(s) ? text : '—';
}

/** The verdict as a cell: the text, toned. With an expectation, whether it was met. */
export function verdictCell(c: CrashCaseResult): Cell {
  if (c.state !== 'completed') return { text: c.state, tone: 'muted' };
  const v = c.crash.verdict;
  const status = caseStatus(c).status;
  const expect = c.expect === undefined ? '' : status === 'pass' ? ' (expected)' : status === 'fail' ? ` (expected ${verdictText(c.expect)})` : '';
  return { text: `${verdictText(v)}${expect}`, tone: status === 'fail' ? 'bug' : v === 'inconclusive' ? 'worse' : v === 'durability-bug' ? 'muted' : 'verdict' };
}

export const CRASH_TABLE_HEADER = ['verdict', 'case', 'crash', 'at', 'instants', 'states', 'errored', 'with loss', 'lost max', 'in gaps', 'corrupt', 'recovery failed'];

export function crashRow(c: CrashCaseResult): Cell[] {
  const head: Cell[] = [verdictCell(c), settingLabel(c.key), crashLabel(c.setting), c.setting.crashAt];
  if (c.state !== 'completed') return [...head, '', '', '', '', '', '', '', ''];
  const s = c.crash;
  return [
    ...head,
    String(s.instants),
    String(s.trials.length),
    s.trialsErrored > 0 ? { text: String(s.trialsErrored), tone: 'worse' } : '0',
    `${s.trialsWithLoss}/${s.trialsVerified}`,
    lossFigure(s, String(s.lostMax)),
    lossFigure(s, String(s.lostGapMax)),
    s.corruptTotal > 0 ? { text: String(s.corruptTotal), tone: 'bug' } : '0',
    s.recoveryFailures > 0 ? { text: String(s.recoveryFailures), tone: 'bug' } : '0',
  ];
}

export function crashTable(r: CrashReport): Cell[][] {
  return [CRASH_TABLE_HEADER, ...r.cases.map(crashRow)];
}

/** One cell of the seed table: lost max (trials with loss / verified), flagged when a bug, with its expectation. */
function seedCell(c: CrashCaseResult | undefined): Cell {
  if (!c) return '';
  if (c.state === 'skipped') return { text: 'skipped', tone: 'muted' };
  if (c.state === 'errored') return { text: 'errored', tone: 'worse' };
  const s = c.crash;
  const status = caseStatus(c).status;
  const cell = `${lossFigure(s, String(s.lostMax))} (${s.trialsWithLoss}/${s.trialsVerified})`;
  const text =
    s.verdict === 'durability-bug' ? `${cell} BUG` : s.verdict === 'inconclusive' ? `${cell} inconclusive` : cell;
  const expect = c.expect === undefined ? '' : status === 'pass' ? ' ✓' : status === 'fail' ? ' MISSED' : '';
  return { text: `${text}${expect}`, tone: status === 'fail' ? 'bug' : s.verdict === 'inconclusive' ? 'worse' : s.verdict === 'durability-bug' ? 'muted' : undefined } as Cell;
}

/**
 * Rows: engine setting (and crash point when not random); columns: each crash kind/filesystem/model.
 * Cells: most acked commits lost in one crash state, and in how many states anything was lost.
 */
export function seedTable(r: CrashReport): Cell[][] {
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
  return [['engine setting', ...columns.map((c) => `${c}: lost max (states with loss)`)], ...[...rows].map(([row, cells]) => [row, ...columns.map((c) => seedCell(cells.get(c)))])];
}

/** Device truth, the syscall census and the lab's cost per case. */
export const DEVICE_TABLE_HEADER = ['case', 'crash', 'device', 'device flushes/commit', 'device bytes/committed byte', 'syncs/commit (syscalls)', 'fdatasync', 'fsync', 'dir fsync', 'exposure max', 'lab/state', 'states/min'];

export function deviceRow(c: CrashCaseResult): string[] | null {
  if (c.state !== 'completed') return null;
  const s = c.crash;
  const d = s.device;
  const y = s.syscalls;
  const per = (name: string): string => (y.state === 'counted' && y.commits > 0 ? ratio((y.calls[name] ?? 0) / y.commits) : '—');
  const dirPer = y.state === 'counted' && y.commits > 0 ? ratio(((y.calls['fsync-dir'] ?? 0) + (y.calls['fdatasync-dir'] ?? 0)) / y.commits) : '—';
  return [
    settingLabel(c.key),
    crashLabel(c.setting),
    d.state === 'measured' ? `${d.device}${d.approximate ? ' (shared: approximate)' : ''}` : `— (${d.reason})`,
    d.state === 'measured' ? `${d.approximate ? '≈' : ''}${ratio(d.flushesPerCommit)}` : '—',
    d.state === 'measured' ? `${d.approximate ? '≈' : ''}${ratio(d.bytesPerCommittedByte, 1)}` : '—',
    y.state === 'counted' ? ratio(y.syncsPerCommit) : '—',
    per('fdatasync'),
    per('fsync'),
    dirPer,
    String(s.exposureMax),
    formatNs(s.labNsP50),
    s.trialsPerMinute > 0 ? sig(s.trialsPerMinute) : '—',
  ];
}

export function deviceTable(r: CrashReport): string[][] {
  return [DEVICE_TABLE_HEADER, ...r.cases.map(deviceRow).filter((x): x is string[] => x !== null)];
}

/** `0: 25 · 1: 3 · 2–3: 2`. */
export function distributionText(buckets: readonly LossBucket[]): string {
  return buckets
    .filter((b) => b.trials > 0)
    .map((b) => `${b.from === b.to ? b.from : `${b.from}–${b.to}`}: ${b.trials}`)
    .join(' · ');
}

export function distributionTable(r: CrashReport): string[][] {
  const rows: string[][] = [['case', 'crash', 'states verified', 'lost p50', 'lost p99', 'lost acked commits per state (lost: states)']];
  for (const c of r.cases) {
    if (c.state === 'completed' && c.crash.trialsVerified > 0) rows.push([settingLabel(c.key), crashLabel(c.setting), String(c.crash.trialsVerified), String(c.crash.lostP50), String(c.crash.lostP99), distributionText(c.crash.lossDistribution)]);
  }
  return rows;
}

const POINT_ROWS_SHOWN = 40;

/**
 * Cases crashed at chosen points (`op:K`, `marker:…`, `syscall:NAME:K`, or sweeps of them): one row
 * per crash state — the point, the call it stopped at, what was acked and declared durable then,
 * and what came back — so a sweep reads point by point. At most POINT_ROWS_SHOWN rows per case (the
 * JSON has every trial).
 */
export function pointsTable(r: CrashReport): string[][] {
  const rows: string[][] = [['case', 'crash', 'point', 'call', 'state', 'acked', 'declared durable', 'lost', 'outcome']];
  for (const c of r.cases) {
    if (c.state !== 'completed' || c.setting.crashAt === 'random') continue;
    const trials = c.crash.trials;
    for (const t of trials.slice(0, POINT_ROWS_SHOWN)) {
      const outcome = t.outcome === 'verified' ? (t.corrupt > 0 ? `verified, ${t.corrupt} corrupt` : 'verified') : t.outcome === 'recovery-failed' ? `recovery failed: ${t.error ?? ''}` : `errored: ${t.error ?? ''}`;
      rows.push([settingLabel(c.key), crashLabel(c.setting), t.crashPoint, t.syscall ?? '—', t.image, String(t.acked), String(t.declaredDurable), t.outcome === 'verified' ? String(t.lost) : '—', outcome]);
    }
    if (trials.length > POINT_ROWS_SHOWN) rows.push([settingLabel(c.key), crashLabel(c.setting), `… ${trials.length - POINT_ROWS_SHOWN} more crash state(s) in the JSON report`, '', '', '', '', '', '']);
  }
  return rows;
}

const RANGES_SHOWN = 8;

/** `w0 4501–4512 (tail)`, `100, 200, 300, … (gaps; 52 ranges)`. */
export function rangesText(t: CrashTrial, several: boolean): string {
  if (t.lostRangeCount === 0) return t.lost > 0 ? `${t.lost} (ranges not recorded)` : '';
  const parts = t.lostRanges.slice(0, RANGES_SHOWN).map((r) => `${several ? `w${r.writer} ` : ''}${formatRange(r)} (${r.where})`);
  const more = t.lostRangeCount > RANGES_SHOWN ? `, … (${t.lostRangeCount} ranges)` : '';
  return parts.join(', ') + more;
}

function trialWhere(t: CrashTrial): string {
  const at = t.writerRunMs !== undefined ? ` at ${sig(t.writerRunMs / 1000)} s` : '';
  return `instant ${t.instant}${at}, ${t.image}${t.crashPoint !== 'random' ? `, ${t.crashPoint}` : ''}${t.syscall ? ` ${t.syscall}` : ''}`;
}

/** The crash states that lost something, that returned corrupt values, or whose recovery failed, case by case. */
export function findingsItems(r: CrashReport, perCase = 6): string[] {
  const out: string[] = [];
  for (const c of r.cases) {
    if (c.state !== 'completed') continue;
    const several = c.key.writers > 1;
    const bad = c.crash.trials.filter((t) => t.lost > 0 || t.corrupt > 0 || t.outcome === 'recovery-failed');
    for (const t of bad.slice(0, perCase)) {
      const what =
        t.outcome === 'recovery-failed'
          ? `recovery failed: ${t.error ?? ''}`
          : [
              t.lost > 0 ? `lost ${t.lost} of ${t.acked} acked (${t.lostDeclared} declared durable; exposure ${t.exposure}): ${rangesText(t, several)}` : '',
              t.corrupt > 0 ? `${t.corrupt} corrupt value(s)` : '',
            ]
              .filter((x) => x !== '')
              .join('; ');
      out.push(`\`${settingLabel(c.key)}\` ${crashLabel(c.setting)} — ${trialWhere(t)}: ${what}${t.destaged ? ` (cache destaged by kernel writeback: ${t.destaged})` : ''}`);
    }
    if (bad.length > perCase) out.push(`\`${settingLabel(c.key)}\` ${crashLabel(c.setting)} — ${bad.length - perCase} more crash state(s) with findings (see the JSON report)`);
  }
  return out;
}

/** Verdict reasons of the cases that are not plainly consistent (and of every case with an expectation). */
export function reasonItems(r: CrashReport): string[] {
  return r.cases
    .map((c) => {
      const s = caseStatus(c);
      if (c.state === 'completed' && c.crash.verdict === 'consistent' && c.expect === undefined) return null;
      const at = c.setting.crashAt === 'random' ? '' : ` @ ${c.setting.crashAt}`;
      return `\`${settingLabel(c.key)}\` ${crashLabel(c.setting)}${at}: ${s.status === 'fail' ? 'FAIL — ' : s.status === 'inconclusive' ? 'inconclusive — ' : ''}${s.reason}`;
    })
    .filter((x): x is string => x !== null);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** What the header of every view says about how the cases were crashed. */
export interface CrashHeader {
  /** The drive-cache model(s) of the power cuts, or null when nothing was cut. */
  readonly deviceCache: string | null;
  /** Where the random instants fell and the crash points, and the instants per case. */
  readonly crashWindow: string;
}

/** The drive-cache model(s), the crash window(s), instants per case. */
export function crashHeader(r: CrashReport): CrashHeader {
  const power = r.cases.filter((c) => c.setting.kind === 'power');
  const models = new Map<string, string>();
  for (const c of power) {
    const m = c.setting.deviceCache ?? 'none';
    const label = `${m}${c.setting.torn ? ' + torn' : ''}${m === 'reorder' ? ` (${c.setting.reorderStates} subsets per instant)` : ''}`;
    models.set(label, `${label} — ${deviceCacheText(m)}${c.setting.torn ? '; plus one cached block torn at a sector' : ''}`);
  }
  const windows = [
    ...new Set(r.cases.filter((c) => c.setting.crashWindow !== null).map((c) => (c.setting.crashWindow!.includes('%') ? `${c.setting.crashWindow} of each ${seconds(c.setting.runMs)} writer run` : `${c.setting.crashWindow} s after the first ack`))),
  ];
  const points = [...new Set(r.cases.filter((c) => c.setting.crashWindow === null).map((c) => c.setting.crashAt))];
  return {
    deviceCache: power.length > 0 ? [...models.values()].join('; ') : null,
    crashWindow: `${windows.length > 0 ? `random instants ${windows.join(', ')}` : '—'}${points.length > 0 ? `; crash points ${points.join(', ')}` : ''}; ${r.trialsPerCase} crash instant(s) per case`,
  };
}

/** The header as lines (console and Markdown). */
export function crashHeaderLines(r: CrashReport): string[] {
  const h = crashHeader(r);
  return [`**device cache**: ${h.deviceCache ?? '— (no power cut in this run; a kill keeps the page cache)'}`, `**crash window**: ${h.crashWindow}`];
}

/** Crash cells for a run report's case rows (`durabench run --crash`): empty strings when no trials ran. */
export const CRASH_CELL_HEADER = ['crash', 'lost max', 'states with loss', 'errored', 'loss window max', 'corrupt', 'verdict'];

export function crashCells(crash: CrashSummary | undefined): string[] {
  if (!crash) return CRASH_CELL_HEADER.map(() => '');
  return [
    crashLabel(crash.setting),
    lossFigure(crash, String(crash.lostMax)),
    `${crash.trialsWithLoss}/${crash.trialsVerified}`,
    String(crash.trialsErrored),
    lossFigure(crash, ms(crash.lossWindowMsMax)),
    String(crash.corruptTotal),
    verdictText(crash.verdict),
  ];
}
