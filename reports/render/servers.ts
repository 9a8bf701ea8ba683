/**
 * The promise beside the measurement, for server engines: one row per server setting with the
 * documented window against each crash kind, the loss measured under it (max, p99, the oldest lost
 * ack's age), commit latency when the run measured it, and the drive's flushes per commit. Pure.
 */
import { verdictText } from '../../analysis/crash-verdict.js';
import type { CaseKey } from '../../model/case.js';
import type { CrashCaseResult, CrashSummary } from '../../model/crash-report.js';
import type { CaseResult } from '../../model/run-report.js';
import type { ServerFacts, ServerPromise } from '../../model/server.js';
import { formatNs } from '../../model/units.js';
import type { Cell } from '../document/model.js';
import { engineLabel } from '../../model/case.js';
import { crashLabel, settingLabel } from './crash-table.js';

/** What the servers table shows, for people. */
export const SERVER_TABLE_NOTE =
  "Promised: the server's documented durability for its setting against that crash (every ack, acks older than a window, or nothing; docs/real-servers.md cites each). " +
  'Lost: acked commits not read back after the server recovered, max / p99 over the verified crash states, with the age of the oldest lost ack at the crash. ' +
  'Against the promise: a commit older than the window that was lost is a broken promise (DURABILITY BUG), and by how much. Server syncs per commit: fsync, fdatasync, sync_file_range, msync, syncfs and sync calls of the server process tree, counted with strace during the writer runs (startup included). Flushes per commit: the lab drive\'s own counter (≈ on a shared disk).';

/** `every ack`, `≤ 600 ms`, `nothing`. */
export function promiseText(p: ServerPromise): string {
  if (p.windowMs === null) return 'nothing';
  if (p.windowMs === 0) return 'every ack';
  return `≤ ${p.windowMs} ms`;
}

/** How a measured loss compares with the promise: `within`, `+412 ms over`, `12 promised commits lost`. */
export function againstPromise(p: ServerPromise, s: CrashSummary): string {
  if (s.trialsVerified === 0) return 'not measured';
  if (p.windowMs === null) return s.lostMax === 0 ? 'lost nothing' : 'no promise';
  if (s.lostDeclaredMax > 0) {
    return p.windowMs > 0 ? `${s.lostDeclaredMax} lost beyond the window (oldest ${Math.round(s.lossWindowMsMax)} ms, +${Math.round(s.lossWindowMsMax - p.windowMs)} ms)` : `${s.lostDeclaredMax} promised commit(s) lost`;
  }
  return 'within';
}

function lossCell(s: CrashSummary | undefined): string {
  if (!s) return '—';
  if (s.trialsVerified === 0) return `— (${s.trialsErrored + s.recoveryFailures} not verified)`;
  return `${s.lostMax} / ${s.lostP99} (${Math.round(s.lossWindowMsMax)} ms)`;
}

/** The server's own sync calls per commit (strace of the server during the writer runs). */
function syncs(s: CrashSummary | undefined): string | null {
  if (!s || s.syscalls.state !== 'counted' || s.syscalls.syncsPerCommit === null) return null;
  return s.syscalls.syncsPerCommit.toFixed(2);
}

function flushes(s: CrashSummary | undefined): string | null {
  if (!s || s.device.state !== 'measured' || s.device.flushesPerCommit === null) return null;
  return `${s.device.approximate ? '≈' : ''}${s.device.flushesPerCommit.toFixed(2)}`;
}

interface Row {
  facts: ServerFacts;
  key: CaseKey;
  /** Crash summaries by crash label. */
  crashes: Map<string, { kind: 'kill' | 'power'; summary: CrashSummary | undefined; verdict: string }>;
  latency?: { p50Ns: number; p99Ns: number; commitsPerSec: number };
}

interface Entry {
  key: CaseKey;
  facts: ServerFacts | undefined;
  label: string | null;
  kind: 'kill' | 'power' | null;
  summary?: CrashSummary;
  verdict?: string;
  latency?: Row['latency'];
}

function rowsOf(entries: readonly Entry[]): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const e of entries) {
    if (!e.facts) continue;
    const id = settingLabel(e.key);
    let row = rows.get(id);
    if (!row) {
      row = { facts: e.facts, key: e.key, crashes: new Map() };
      rows.set(id, row);
    }
    if (e.latency) row.latency = e.latency;
    if (e.label !== null && e.kind !== null) row.crashes.set(e.label, { kind: e.kind, summary: e.summary, verdict: e.verdict ?? '—' });
  }
  return rows;
}

function table(rows: Map<string, Row>, withLatency: boolean): Cell[][] | null {
  if (rows.size === 0) return null;
  const labels: { label: string; kind: 'kill' | 'power' }[] = [];
  for (const r of rows.values()) for (const [label, c] of r.crashes) if (!labels.some((l) => l.label === label)) labels.push({ label, kind: c.kind });
  labels.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'kill' ? -1 : 1));
  const header = [
    'server: setting',
    ...(withLatency ? ['commits/s', 'commit p50', 'commit p99'] : []),
    'promised: kill',
    'promised: power',
    ...labels.flatMap((l) => [`${l.label}: lost max / p99 (oldest)`, `${l.label === 'kill' ? 'kill' : 'power'}: vs promise`]),
    'server syncs/commit',
    'drive flushes/commit',
  ];
  const body = [...rows].map(([id, r]) => {
    const power = [...r.crashes.values()].find((c) => c.kind === 'power')?.summary;
    const kill = [...r.crashes.values()].find((c) => c.kind === 'kill')?.summary;
    return [
      `${engineLabel(r.key.engine)} ${r.key.mode}: ${r.facts.setting}`,
      ...(withLatency ? (r.latency ? [Math.round(r.latency.commitsPerSec).toLocaleString('en-US'), formatNs(r.latency.p50Ns), formatNs(r.latency.p99Ns)] : ['—', '—', '—']) : []),
      promiseText(r.facts.kill),
      promiseText(r.facts.power),
      ...labels.flatMap((l) => {
        const c = r.crashes.get(l.label);
        const p = l.kind === 'kill' ? r.facts.kill : r.facts.power;
        if (!c) return ['—', '—'];
        // The verdict is in the verdict table; only a broken promise repeats it here.
        return [lossCell(c.summary), c.summary ? againstPromise(p, c.summary) : c.verdict];
      }),
      syncs(kill) ?? syncs(power) ?? '—',
      flushes(power) ?? flushes(kill) ?? '—',
    ];
  });
  // Without crash trials (a plain run) there is nothing to count the server's syncs or the drive's flushes from.
  return labels.length === 0 ? [header.slice(0, -2), ...body.map((r) => r.slice(0, -2))] : [header, ...body];
}

/** The servers table of a crash report (null when it has no server case). */
export function serverCrashTable(cases: readonly CrashCaseResult[]): Cell[][] | null {
  return table(
    rowsOf(
      cases.map((c): Entry => ({
        key: c.key,
        facts: c.state === 'completed' ? c.crash.server : undefined,
        label: crashLabel(c.setting),
        kind: c.setting.kind,
        ...(c.state === 'completed' ? { summary: c.crash, verdict: verdictText(c.crash.verdict) } : { verdict: c.state }),
      })),
    ),
    false,
  );
}

/** The servers table of a run report: latency, and loss when `--crash` attached trials (null without server cases). */
export function serverRunTable(cases: readonly CaseResult[]): Cell[][] | null {
  const entries = cases.flatMap((c): Entry[] => {
    if (c.state !== 'completed' || !c.server) return [];
    const latency = { p50Ns: c.metrics.commitLatency.p50Ns, p99Ns: c.metrics.commitLatency.p99Ns, commitsPerSec: c.metrics.commitsPerSec };
    const base = { key: c.key, facts: c.server, latency };
    return c.crash ? [{ ...base, label: crashLabel(c.crash.setting), kind: c.crash.setting.kind, summary: c.crash, verdict: verdictText(c.crash.verdict) }] : [{ ...base, label: null, kind: null }];
  });
  return table(rowsOf(entries), true);
}
