/**
 * A crash report as a document — the console summary (the verdict first, the drive-cache model and
 * crash window, the verdict table, the seed table for suites, the reasons) and the full report (the
 * same header, provenance, what loss means here, verdicts, which implementation loses what, the loss
 * distribution, the lost ranges and other findings, device truth and the syscall census) — and as
 * CSV. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import { caseStatus, crashExitCode, verdictText } from '../../analysis/crash-verdict.js';
import type { CrashReport } from '../../model/crash-report.js';
import { heading, list, paragraph, table, warnings as warningsBlock, type Block, type Doc } from '../document/model.js';
import { crashHeaderLines, crashLabel, crashTable, deviceTable, distributionTable, findingsItems, reasonItems, seedTable, settingLabel } from './crash-table.js';
import { SERVER_TABLE_NOTE, serverCrashTable } from './servers.js';
import { provenanceLine, targetItems } from './provenance.js';

/** `verdict: 1 DURABILITY BUG, 1 fault missed, 2 caught as expected, 1 inconclusive, 14 consistent of 19 case(s) — exit 1`. */
function verdictLine(r: CrashReport): Block {
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
    bugs > 0 ? `**${bugs} DURABILITY BUG**` : '',
    missed > 0 ? `**${missed} expectation(s) missed**` : '',
    caught > 0 ? `${caught} DURABILITY BUG(S) caught as expected` : '',
    inconclusive > 0 ? `${inconclusive} inconclusive` : '',
    `${consistent} consistent`,
  ].filter((x) => x !== '');
  const exit = crashExitCode(r.cases);
  return paragraph(`**verdict**: ${parts.join(', ')} of ${r.cases.length} case(s) — exit ${exit}`, exit === 1 ? 'bug' : exit === 3 ? 'worse' : 'verdict');
}

function header(r: CrashReport): Block[] {
  return [verdictLine(r), ...crashHeaderLines(r).map((l) => paragraph(l))];
}

export function crashConsoleDoc(r: CrashReport): Doc {
  const reasons = reasonItems(r);
  const blocks: Block[] = [...header(r), table(crashTable(r))];
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

export function crashDoc(r: CrashReport): Doc {
  const title = `durabench crash report${r.suite ? ` — suite ${r.suite}` : ''}`;
  const reasons = reasonItems(r);
  const findings = findingsItems(r);
  const distribution = distributionTable(r);
  return {
    title,
    blocks: [
      heading(1, title),
      ...header(r),
      paragraph(`${provenanceLine(r.tool, r.host)}. Started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}; status ${r.status}.`),
      list(targetItems(r.host)),
      ...(r.warnings.length > 0 ? [heading(2, 'Warnings'), warningsBlock(r.warnings)] : []),
      paragraph(
        "Loss is measured: acked commits (from the ledger outside the engine) not read back intact after the crash and the engine's own recovery. " +
          'A verdict compares it with what the engine had declared durable at the crash instant: losing a commit it had declared durable, returning a value never written (corrupt) or failing to recover is a DURABILITY BUG; ' +
          '`consistent` needs at least one verified crash state and none errored, else the case is inconclusive. ' +
          '`kill` = SIGKILL of the writer (the page cache survives); `power` = a power cut of the lab\'s drive: what survives is set by its cache model (above).',
      ),
      heading(2, 'Verdicts'),
      table(crashTable(r)),
      ...(reasons.length > 0 ? [list(reasons)] : []),
      heading(2, 'Which implementation loses what'),
      table(seedTable(r)),
      ...serverBlocks(r),
      ...(distribution.length > 1 ? [heading(2, 'Loss distribution'), paragraph('How many verified crash states lost how many acked commits (0, 1, 2–3, 4–7, … per state).'), table(distribution)] : []),
      ...(findings.length > 0
        ? [heading(2, 'Lost ranges and other findings'), paragraph('Per crash state with a finding: the lost commits as sequence ranges (a `tail` is a lost suffix; a `gap` has an intact later commit), corrupt values, failed recoveries.'), list(findings)]
        : []),
      heading(2, 'Device truth, sync calls and lab cost'),
      paragraph(
        "The device's own counters (/sys/block/<dev>/stat) over the case's writer runs: flushes and bytes written per acked commit; exact on the lab's drive, approximate (≈) on a shared disk. " +
          'Sync calls are counted at the system-call boundary (strace) for every engine, including those whose I/O bypasses the io layer. ' +
          'Exposure max: the most acked commits the engine had not declared durable at an instant (what it allowed a crash to lose). Lab/state: the lab\'s own cost per verified crash state (median).',
      ),
      table(deviceTable(r)),
    ],
  };
}

/** One row per crash case: key, crash setting, loss statistics, device truth, census, verdict. */
export function renderCrashCsv(r: CrashReport): string {
  const rows = r.cases.map((c) => {
    const s = c.state === 'completed' ? c.crash : null;
    const d = s?.device.state === 'measured' ? s.device : null;
    const y = s?.syscalls.state === 'counted' ? s.syscalls : null;
    return [
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
      s?.lostP50 ?? null,
      s?.lostP99 ?? null,
      s?.lostGapMax ?? null,
      s?.lostDeclaredMax ?? null,
      s?.exposureMax ?? null,
      s?.lossWindowMsMax ?? null,
      s?.lossWindowMsP99 ?? null,
      s?.corruptTotal ?? null,
      d?.device ?? null,
      d ? d.approximate : null,
      d?.flushesPerCommit ?? null,
      d?.bytesPerCommittedByte ?? null,
      y?.syncsPerCommit ?? null,
      s?.trialsPerMinute ?? null,
      s ? verdictText(s.verdict) : null,
      c.expect ? verdictText(c.expect) : null,
      caseStatus(c).status,
      s ? s.verdictReason : c.state === 'completed' ? null : c.reason,
    ];
  });
  const columns = [
    'id', 'state', 'setting', 'engine', 'fault', 'mode', 'batch_size', 'writers', 'value_bytes', 'workload', 'target',
    'crash', 'crash_kind', 'filesystem', 'mount_options', 'device_cache', 'torn', 'crash_at', 'crash_window',
    'instants', 'trials', 'trials_verified', 'trials_errored', 'recovery_failures', 'trials_with_loss', 'trials_with_gaps',
    'lost_max', 'lost_p50', 'lost_p99', 'lost_gap_max', 'lost_declared_max', 'exposure_max', 'loss_window_ms_max', 'loss_window_ms_p99', 'corrupt_total',
    'device', 'device_approximate', 'device_flushes_per_commit', 'device_bytes_per_committed_byte', 'syscall_syncs_per_commit', 'trials_per_minute',
    'verdict', 'expected_verdict', 'status', 'reason',
  ];
  return stringify(rows, { header: true, columns, cast: { boolean: String } });
}
