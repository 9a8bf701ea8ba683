/**
 * A crash report as a document — the console summary (the verdict first, the drive-cache model and
 * crash window, the verdict table, the seed table for suites, the reasons) and the full report (the
 * verdict, the drive-cache model, the crash window and the session in one summary at the top,
 * warnings, the verdicts and their reasons, the loss distribution (a chart in HTML), crash points,
 * the lost ranges and other findings, which implementation loses what, device truth and the syscall
 * census, the environment) — and as CSV. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import { caseStatus, crashExitCode, verdictText } from '../../analysis/crash-verdict.js';
import type { CrashReport } from '../../model/crash-report.js';
import { plural } from '../../model/units.js';
import { chart, fact, heading, list, paragraph, summary, table, warnings as warningsBlock, type Block, type Doc, type Fact } from '../document/model.js';
import { lossChart } from './charts.js';
import { crashHeader, crashHeaderLines, crashLabel, crashTable, deviceTable, distributionTable, findingsItems, pointsTable, reasonItems, seedTable, settingLabel } from './crash-table.js';
import { csvNumber, WHERE_COLUMNS, whereCells } from './csv-values.js';
import { environmentBlocks, sessionFacts } from './provenance.js';
import { SERVER_TABLE_NOTE, serverCrashTable } from './servers.js';

/** `verdict: 1 DURABILITY BUG, 1 fault missed, 2 caught as expected, 1 inconclusive, 14 consistent of 19 case(s) — exit 1`, without markup. */
function crashVerdictSummary(r: CrashReport): { text: string; exit: number } {
  let bugs = 0;
  let missed = 0;
  let caught = 0;
  let inconclusive = 0;
  let consistent = 0;
  for (const c of r.cases) {
    const st = caseStatus(c).status;
    const v = c.state === 'completed' ? c.crash.verdict : null;
    if (st === 'inconclusive') inconclusive += 1;
    else if (st === 'fail') {
      if (v === 'durability-bug') bugs += 1;
      else missed += 1;
    } else if (v === 'durability-bug') caught += 1;
    else consistent += 1;
  }
  const parts = [
    bugs > 0 ? `${bugs} DURABILITY BUG` : '',
    missed > 0 ? `${missed} expectation(s) missed` : '',
    caught > 0 ? `${caught} DURABILITY BUG(S) caught as expected` : '',
    inconclusive > 0 ? `${inconclusive} inconclusive` : '',
    `${consistent} consistent`,
  ].filter((x) => x !== '');
  const exit = crashExitCode(r.cases);
  return { text: `${parts.join(', ')} of ${r.cases.length} case(s) — exit ${exit}`, exit };
}

function verdictLine(r: CrashReport): Block {
  const { text, exit } = crashVerdictSummary(r);
  const bold = text.replace(/^(\d+ DURABILITY BUG)/, '**$1**').replace(/(\d+ expectation\(s\) missed)/, '**$1**');
  return paragraph(`**verdict**: ${bold}`, exit === 1 ? 'bug' : exit === 3 ? 'worse' : 'verdict');
}

export function crashConsoleDoc(r: CrashReport): Doc {
  const reasons = reasonItems(r);
  const blocks: Block[] = [verdictLine(r), ...crashHeaderLines(r).map((l) => paragraph(l)), table(crashTable(r))];
  if (r.suite) blocks.push(table(seedTable(r)));
  const servers = serverCrashTable(r.cases);
  if (servers) blocks.push(paragraph('**Servers: the promise beside the measurement**'), table(servers));
  if (reasons.length > 0) blocks.push(list(reasons));
  return { title: 'durabench crash report', blocks };
}

function serverBlocks(r: CrashReport): Block[] {
  const t = serverCrashTable(r.cases);
  return t ? [heading(2, 'Servers: the promise beside the measurement'), paragraph(SERVER_TABLE_NOTE, 'muted'), table(t)] : [];
}

/** What each crash setting field is called in the header. */
const SETTING_LABELS: Record<string, string> = {
  kind: 'crash kind',
  filesystem: 'filesystem',
  mountOptions: 'mount options',
  writeback: 'writeback',
};

/** The crash settings the drive-cache and crash-window facts do not already say, field by field. */
export function settingFacts(r: CrashReport): Fact[] {
  const values = new Map<string, Set<string>>();
  for (const c of r.cases) {
    for (const k of Object.keys(SETTING_LABELS) as (keyof typeof c.setting)[]) {
      const v = c.setting[k];
      if (c.setting.kind === 'kill' && k !== 'kind') continue;
      if (k === 'writeback' && v === 'none') continue;
      values.set(k, (values.get(k) ?? new Set()).add(v === null ? 'default' : String(v)));
    }
  }
  return [...values].map(([k, vs]) => fact(SETTING_LABELS[k]!, [...vs].join(', ')));
}

/** The verdict first, then how the cases were crashed (drive-cache model, crash window) and the session. */
function crashSummary(r: CrashReport): Block {
  const { text, exit } = crashVerdictSummary(r);
  const h = crashHeader(r);
  const states = r.cases.reduce((a, c) => a + (c.state === 'completed' ? c.crash.trials.length : 0), 0);
  const verified = r.cases.reduce((a, c) => a + (c.state === 'completed' ? c.crash.trialsVerified : 0), 0);
  const tone = exit === 1 ? 'bug' : exit === 3 || r.status !== 'completed' ? 'warn' : 'ok';
  return summary(tone, `verdict: ${text}${r.status !== 'completed' ? ` · ${r.status}` : ''}`, [
    fact('device cache', h.deviceCache ?? '— (no power cut in this run; a kill keeps the page cache)'),
    fact('crash window', h.crashWindow),
    fact('crash states', `${verified} of ${plural(states, 'state')} verified`),
    ...settingFacts(r),
    ...sessionFacts(r),
  ]);
}

/** Per case, the lost commits of every verified crash state (HTML). */
function lossBlocks(r: CrashReport): Block[] {
  const rows = r.cases.flatMap((c) =>
    c.state === 'completed'
      ? [
          {
            label: `${settingLabel(c.key)} · ${crashLabel(c.setting)}${c.setting.crashAt === 'random' ? '' : ` @ ${c.setting.crashAt}`}`,
            // A state breaks a promise when it lost a commit declared durable or returned a value never written.
            states: c.crash.trials.filter((t) => t.outcome === 'verified').map((t) => ({ lost: t.lost, broken: t.lostDeclared > 0 || t.corrupt > 0 })),
            bound: c.crash.exposureMax,
          },
        ]
      : [],
  );
  if (rows.length === 0 || rows.every((x) => x.states.length === 0)) return [];
  const unverified = r.cases.reduce((a, c) => a + (c.state === 'completed' ? c.crash.trials.length - c.crash.trialsVerified : 0), 0);
  return [
    chart(
      lossChart(rows),
      `Acked commits lost in each verified crash state (identical values drawn as one larger dot; red: the state lost a commit the engine had declared durable, or returned a value never written); 0 has its own column left of the log scale; the bar is the case's largest declared exposure at a crash instant — the most the engine itself allowed a crash to lose.${unverified > 0 ? ` ${plural(unverified, 'crash state')} could not be verified (errored or recovery failed) and are not drawn.` : ''}`,
      'Lost acked commits per crash state',
    ),
  ];
}

export function crashDoc(r: CrashReport, opts: { charts: boolean } = { charts: false }): Doc {
  const title = `durabench crash report${r.suite ? ` — suite ${r.suite}` : ''}`;
  const reasons = reasonItems(r);
  const findings = findingsItems(r);
  const distribution = distributionTable(r);
  const points = pointsTable(r);
  const lossChartBlocks = opts.charts ? lossBlocks(r) : [];
  return {
    title,
    blocks: [
      heading(1, title),
      crashSummary(r),
      ...(r.warnings.length > 0 ? [heading(2, 'Warnings'), warningsBlock(r.warnings)] : []),
      heading(2, 'Verdicts'),
      table(crashTable(r)),
      ...(reasons.length > 0 ? [list(reasons)] : []),
      paragraph(
        "Loss is measured: acked commits (from the ledger outside the engine) not read back intact after the crash and the engine's own recovery. " +
          'A verdict compares it with what the engine had declared durable at the crash instant: losing a commit it had declared durable, returning a value never written (corrupt) or failing to recover is a DURABILITY BUG; ' +
          '`consistent` needs at least one verified crash state and none errored, else the case is inconclusive. ' +
          "`kill` = SIGKILL of the writer (the page cache survives); `power` = a power cut of the lab's drive: what survives is set by its cache model (above).",
        'muted',
      ),
      ...(lossChartBlocks.length > 0 || distribution.length > 1
        ? [heading(2, 'Loss distribution'), ...lossChartBlocks, ...(distribution.length > 1 ? [paragraph('How many verified crash states lost how many acked commits (0, 1, 2–3, 4–7, … per state).', 'muted'), table(distribution)] : [])]
        : []),
      ...(findings.length > 0
        ? [heading(2, 'Lost ranges and other findings'), paragraph('Per crash state with a finding: the lost commits as sequence ranges (a `tail` is a lost suffix; a `gap` has an intact later commit), corrupt values, failed recoveries.', 'muted'), list(findings)]
        : []),
      ...(points.length > 1 ? [heading(2, 'Crash points'), paragraph('Cases crashed at chosen points, one crash state per row: the point, the system call it stopped at (syscall points), what was acked and declared durable then, and what recovery gave back.', 'muted'), table(points)] : []),
      heading(2, 'Which implementation loses what'),
      table(seedTable(r)),
      ...serverBlocks(r),
      heading(2, 'Device truth, sync calls and lab cost'),
      paragraph(
        "The device's own counters (/sys/block/<dev>/stat) over the case's writer runs: flushes and bytes written per acked commit; exact on the lab's drive, approximate (≈) on a shared disk. " +
          'Sync calls are counted at the system-call boundary (strace) for every engine, including those whose I/O bypasses the io layer. ' +
          "Exposure max: the most acked commits the engine had not declared durable at an instant (what it allowed a crash to lose). Lab/state: the lab's own cost per verified crash state (median).",
        'muted',
      ),
      table(deviceTable(r)),
      ...environmentBlocks(r.tool, r.host),
    ],
  };
}

/** One row per crash case: where it ran, key, crash setting, loss statistics, device truth, census, verdict (numbers rounded: csv-values.ts). */
export function renderCrashCsv(r: CrashReport): string {
  const where = whereCells(r);
  const rows = r.cases.map((c) => {
    const s = c.state === 'completed' ? c.crash : null;
    const d = s?.device.state === 'measured' ? s.device : null;
    const y = s?.syscalls.state === 'counted' ? s.syscalls : null;
    return [
      ...where,
      c.id,
      c.state,
      settingLabel(c.key),
      c.key.engine,
      c.key.fault,
      c.key.mode,
      c.key.mode === 'batch' ? c.key.batchSize : null,
      c.key.writers,
      c.key.valueBytes,
      c.key.workload,
      c.key.target,
      crashLabel(c.setting),
      c.setting.kind,
      c.setting.filesystem,
      c.setting.mountOptions,
      c.setting.deviceCache,
      c.setting.torn,
      c.setting.crashAt,
      c.setting.crashWindow,
      s?.instants ?? null,
      s?.trials.length ?? null,
      s?.trialsVerified ?? null,
      s?.trialsErrored ?? null,
      s?.recoveryFailures ?? null,
      s?.trialsWithLoss ?? null,
      s?.trialsWithGaps ?? null,
      s?.lostMax ?? null,
      csvNumber('commits', s?.lostP50),
      csvNumber('commits', s?.lostP99),
      s?.lostGapMax ?? null,
      s?.lostDeclaredMax ?? null,
      s?.exposureMax ?? null,
      csvNumber('ms', s?.lossWindowMsMax),
      csvNumber('ms', s?.lossWindowMsP99),
      s?.corruptTotal ?? null,
      d?.device ?? null,
      d ? d.approximate : null,
      csvNumber('ratio', d?.flushesPerCommit),
      csvNumber('ratio', d?.bytesPerCommittedByte),
      csvNumber('ratio', y?.syncsPerCommit),
      csvNumber('ops/s', s?.trialsPerMinute),
      s ? verdictText(s.verdict) : null,
      c.expect ? verdictText(c.expect) : null,
      caseStatus(c).status,
      s ? s.verdictReason : c.state === 'completed' ? null : c.reason,
    ];
  });
  const columns = [
    ...WHERE_COLUMNS,
    'id', 'state', 'setting', 'engine', 'fault', 'mode', 'batch_size', 'writers', 'value_bytes', 'workload', 'target',
    'crash', 'crash_kind', 'filesystem', 'mount_options', 'device_cache', 'torn', 'crash_at', 'crash_window',
    'instants', 'trials', 'trials_verified', 'trials_errored', 'recovery_failures', 'trials_with_loss', 'trials_with_gaps',
    'lost_max', 'lost_p50', 'lost_p99', 'lost_gap_max', 'lost_declared_max', 'exposure_max', 'loss_window_ms_max', 'loss_window_ms_p99', 'corrupt_total',
    'device', 'device_approximate', 'device_flushes_per_commit', 'device_bytes_per_committed_byte', 'syscall_syncs_per_commit', 'trials_per_minute',
    'verdict', 'expected_verdict', 'status', 'reason',
  ];
  return stringify(rows, { header: true, columns, cast: { boolean: String } });
}
