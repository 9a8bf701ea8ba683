/**
 * A crash report as a document — the console summary (case table, the seed table for suites, the
 * verdict line) and the full report (the verdict and the crash settings first, warnings, the
 * durability bugs found, every case, the loss distribution (HTML), which implementation loses
 * what, the environment) — and as CSV. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import { verdictText } from '../../analysis/crash-verdict.js';
import type { CrashReport } from '../../model/crash-report.js';
import { plural } from '../../model/units.js';
import { chart, fact, heading, list, paragraph, summary, table, warnings as warningsBlock, type Block, type Doc, type Fact } from '../document/model.js';
import { lossChart } from './charts.js';
import { crashLabel, crashTable, seedTable, settingLabel } from './crash-table.js';
import { csvNumber, WHERE_COLUMNS, whereCells } from './csv-values.js';
import { environmentBlocks, sessionFacts } from './provenance.js';

function bugs(r: CrashReport) {
  return r.cases.filter((c) => c.state === 'completed' && c.crash.verdict === 'durability-bug');
}

function verdictLine(r: CrashReport): string {
  const n = bugs(r).length;
  return n > 0 ? `${plural(n, 'case')}: DURABILITY BUG (acked commits lost beyond what the mode declares)` : 'verdict: consistent in every case';
}

export function crashConsoleDoc(r: CrashReport): Doc {
  const blocks: Block[] = [table(crashTable(r))];
  if (r.suite) blocks.push(table(seedTable(r)));
  blocks.push(paragraph(verdictLine(r), 'verdict'));
  return { title: 'durabench crash report', blocks };
}

/** What each crash setting field is called in the header (fields the lab adds later get a name from their key). */
const SETTING_LABELS: Record<string, string> = {
  kind: 'crash kind',
  filesystem: 'filesystem',
  mountOptions: 'mount options',
  crashAt: 'crash point',
  writeback: 'writeback',
  deviceCache: 'device cache model',
  crashWindow: 'crash window',
};

function settingValue(v: unknown): string {
  if (v === null || v === undefined) return 'default';
  if (typeof v === 'object') return JSON.stringify(v).replace(/[{}"]/g, '').replace(/,/g, ', ').replace(/:/g, ' ');
  return String(v);
}

/** Every crash setting of the run, field by field: the header says how the cases were crashed. */
export function settingFacts(r: CrashReport): Fact[] {
  const values = new Map<string, Set<string>>();
  for (const c of r.cases) {
    for (const [k, v] of Object.entries(c.setting)) {
      if (k === 'filesystem' && c.setting.kind === 'kill') continue;
      values.set(k, (values.get(k) ?? new Set()).add(settingValue(v)));
    }
  }
  return [...values].map(([k, vs]) => fact(SETTING_LABELS[k] ?? k.replace(/([A-Z])/g, ' $1').toLowerCase(), [...vs].join(', ')));
}

/** The verdict first: bugs found, or consistent, or nothing verified. */
function crashSummary(r: CrashReport): Block {
  const found = bugs(r);
  const completed = r.cases.filter((c) => c.state === 'completed');
  const trials = completed.reduce((a, c) => a + (c.state === 'completed' ? c.crash.trials.length : 0), 0);
  const errored = r.cases.filter((c) => c.state === 'errored').length;
  const skipped = r.cases.filter((c) => c.state === 'skipped').length;
  const parts = [
    found.length > 0 ? `DURABILITY BUG in ${plural(found.length, 'case')} of ${r.cases.length}` : completed.length > 0 ? `consistent: no durability bug in ${plural(completed.length, 'case')}` : 'nothing verified',
    plural(trials, 'trial'),
    ...(errored > 0 ? [`${errored} errored`] : []),
    ...(skipped > 0 ? [`${skipped} skipped`] : []),
    ...(r.status !== 'completed' ? [r.status] : []),
  ];
  const tone = found.length > 0 ? 'bug' : completed.length === 0 || errored > 0 || r.status !== 'completed' ? 'warn' : 'ok';
  const unverified = completed.reduce((a, c) => a + (c.state === 'completed' ? c.crash.trialsErrored : 0), 0);
  return summary(tone, parts.join(' · '), [
    fact('trials per case', String(r.trialsPerCase)),
    ...(unverified > 0 ? [fact('trials not verified', String(unverified))] : []),
    ...settingFacts(r),
    ...sessionFacts(r),
  ]);
}

/** Per case, the lost commits of every verified trial (HTML). */
function lossBlocks(r: CrashReport): Block[] {
  const rows = r.cases.flatMap((c) =>
    c.state === 'completed'
      ? [{ label: `${settingLabel(c.key)} · ${crashLabel(c.setting)}${c.setting.crashAt === 'random' ? '' : ` @ ${c.setting.crashAt}`}`, lost: c.crash.trials.filter((t) => t.error === undefined).map((t) => t.lost), bound: c.crash.lossBoundCommits, bug: c.crash.verdict === 'durability-bug' }]
      : [],
  );
  if (rows.length === 0 || rows.every((x) => x.lost.length === 0)) return [];
  const unverified = r.cases.reduce((a, c) => a + (c.state === 'completed' ? c.crash.trials.filter((t) => t.error !== undefined).length : 0), 0);
  return [
    heading(2, 'Loss distribution'),
    chart(
      lossChart(rows),
      `Acked commits lost in each verified trial (identical values drawn as one larger dot); 0 has its own column left of the log scale; the bar is what the setting declares it may lose.${unverified > 0 ? ` ${plural(unverified, 'trial')} could not be verified and are not drawn.` : ''}`,
      'Lost acked commits per trial',
    ),
  ];
}

export function crashDoc(r: CrashReport, opts: { charts: boolean } = { charts: false }): Doc {
  const found = bugs(r);
  return {
    title: `durabench crash report${r.suite ? ` — suite ${r.suite}` : ''}`,
    blocks: [
      heading(1, `durabench crash report${r.suite ? ` — suite ${r.suite}` : ''}`),
      crashSummary(r),
      ...(r.warnings.length > 0 ? [heading(2, 'Warnings'), warningsBlock(r.warnings)] : []),
      ...(found.length > 0
        ? [paragraph(`${found.length} DURABILITY BUG${found.length === 1 ? '' : 'S'} found — a mode that claims durability lost acked commits:`, 'bug'), list(found.map((c) => (c.state === 'completed' ? `\`${c.id}\`: ${c.crash.verdictReason}` : '')))]
        : [paragraph('No durability bug found: every measured loss fits what the mode declares.', 'verdict')]),
      heading(2, 'Cases'),
      table(crashTable(r)),
      paragraph(
        "Loss is measured: acked commits (from the ledger outside the engine) not read back intact after the crash and the engine's own recovery. " +
          '`kill` = SIGKILL of the writer (page cache survives); `power` = the image copied as the loop device held it (page cache lost).',
        'muted',
      ),
      ...(opts.charts ? lossBlocks(r) : []),
      heading(2, 'Which implementation loses what'),
      table(seedTable(r)),
      ...environmentBlocks(r.tool, r.host),
    ],
  };
}

/** One row per crash case: where it ran, key, crash setting, loss statistics, verdict (numbers rounded: csv-values.ts). */
export function renderCrashCsv(r: CrashReport): string {
  const where = whereCells(r);
  const rows = r.cases.map((c) => {
    const s = c.state === 'completed' ? c.crash : null;
    return [
      ...where,
      c.id,
      c.state,
      settingLabel(c.key),
      c.key.engine,
      c.key.fault,
      c.key.mode,
      c.key.mode === 'batch' ? c.key.batchSize : null,
      c.key.valueBytes,
      c.key.workload,
      c.key.target,
      crashLabel(c.setting),
      c.setting.kind,
      c.setting.filesystem,
      c.setting.mountOptions,
      c.setting.crashAt,
      s?.trials.length ?? null,
      s?.trialsErrored ?? null,
      s?.trialsWithLoss ?? null,
      s?.lostMax ?? null,
      csvNumber('commits', s?.lostP50),
      csvNumber('commits', s?.lostP99),
      csvNumber('ms', s?.lossWindowMsMax),
      csvNumber('ms', s?.lossWindowMsP99),
      s?.corruptTotal ?? null,
      s ? verdictText(s.verdict) : null,
      s ? s.verdictReason : c.state === 'completed' ? null : c.reason,
    ];
  });
  const columns = [...WHERE_COLUMNS, 'id', 'state', 'setting', 'engine', 'fault', 'mode', 'batch_size', 'value_bytes', 'workload', 'target', 'crash', 'crash_kind', 'filesystem', 'mount_options', 'crash_at', 'trials', 'trials_errored', 'trials_with_loss', 'lost_max', 'lost_p50', 'lost_p99', 'loss_window_ms_max', 'loss_window_ms_p99', 'corrupt_total', 'verdict', 'reason'];
  return stringify(rows, { header: true, columns });
}
