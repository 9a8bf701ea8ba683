/**
 * A crash report as a document — the console summary (case table, the seed table for suites, the
 * verdict line) and the full report (provenance, what loss means here, which implementation loses
 * what, the durability bugs found, every case) — and as CSV. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import { verdictText } from '../../analysis/crash-verdict.js';
import type { CrashReport } from '../../model/crash-report.js';
import { heading, list, paragraph, table, warnings as warningsBlock, type Block, type Doc } from '../document/model.js';
import { crashLabel, crashTable, seedTable, settingLabel } from './crash-table.js';
import { csvNumber, WHERE_COLUMNS, whereCells } from './csv-values.js';
import { provenanceLine, targetItems } from './provenance.js';

function bugs(r: CrashReport) {
  return r.cases.filter((c) => c.state === 'completed' && c.crash.verdict === 'durability-bug');
}

function verdictLine(r: CrashReport): string {
  const n = bugs(r).length;
  return n > 0 ? `${n} case(s): DURABILITY BUG (acked commits lost beyond what the mode declares)` : 'verdict: consistent in every case';
}

export function crashConsoleDoc(r: CrashReport): Doc {
  const blocks: Block[] = [table(crashTable(r))];
  if (r.suite) blocks.push(table(seedTable(r)));
  blocks.push(paragraph(verdictLine(r), 'verdict'));
  return { title: 'durabench crash report', blocks };
}

export function crashDoc(r: CrashReport): Doc {
  const found = bugs(r);
  return {
    title: `durabench crash report${r.suite ? ` — suite ${r.suite}` : ''}`,
    blocks: [
      heading(1, `durabench crash report${r.suite ? ` — suite ${r.suite}` : ''}`),
      paragraph(`${provenanceLine(r.tool, r.host)}. Started ${r.startedAt}${r.finishedAt ? `, finished ${r.finishedAt}` : ''}; status ${r.status}; ${r.trialsPerCase} trial(s) per case.`),
      list(targetItems(r.host)),
      ...(r.warnings.length > 0 ? [heading(2, 'Warnings'), warningsBlock(r.warnings)] : []),
      paragraph(
        "Loss is measured: acked commits (from the ledger outside the engine) not read back intact after the crash and the engine's own recovery. " +
          '`kill` = SIGKILL of the writer (page cache survives); `power` = the image copied as the loop device held it (page cache lost).',
      ),
      heading(2, 'Which implementation loses what'),
      table(seedTable(r)),
      found.length > 0
        ? paragraph(`${found.length} DURABILITY BUG(S) found — a mode that claims durability lost acked commits:`, 'bug')
        : paragraph('No durability bug found: every measured loss fits what the mode declares.', 'verdict'),
      ...(found.length > 0 ? [list(found.map((c) => (c.state === 'completed' ? `\`${c.id}\`: ${c.crash.verdictReason}` : '')))] : []),
      heading(2, 'Cases'),
      table(crashTable(r)),
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
