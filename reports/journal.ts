/**
 * The report journal: how a session keeps a complete JSON report on disk after every case without
 * rewriting the whole file each time (which costs O(cases) per case, O(cases²) per run: a
 * 1,000-case matrix would rewrite megabytes a thousand times).
 *
 * `report.json` is rewritten whole when the number of cases has doubled since its last rewrite (and
 * at the end); in between, every case that is new or changed since is appended, durably, as one line
 * of `report.journal.jsonl` beside it. The journal's first line names the exact `report.json` it
 * extends (the SHA-256 of its bytes), so a journal left from an older rewrite is never applied over
 * a newer file. Reading a report (reports/read.ts) applies its journal: `report.json` + journal is
 * the complete report after every case, across a crash or a power cut. The session removes the
 * journal after the final rewrite.
 *
 * Lines (JSON, one per line):
 *   {"journal":1,"base":"<sha256 hex of report.json>"}   the first line
 *   {"case":<index>,"value":<the case, as in report.json's cases[index]>}
 *   {"warnings":[...]}                                     the report's warnings, when they changed
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export const JOURNAL_VERSION = 1;

/** The journal beside a report file: `report.json` → `report.journal.jsonl`. */
export function journalPathOf(reportFile: string): string {
  const dir = path.dirname(reportFile);
  const base = path.basename(reportFile).replace(/\.json$/, '');
  return path.join(dir, `${base}.journal.jsonl`);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function journalHeaderLine(reportBytes: Uint8Array): string {
  return JSON.stringify({ journal: JOURNAL_VERSION, base: sha256Hex(reportBytes) }) + '\n';
}

export function journalCaseLine(index: number, value: unknown): string {
  return JSON.stringify({ case: index, value }) + '\n';
}

export function journalWarningsLine(warnings: unknown): string {
  return JSON.stringify({ warnings }) + '\n';
}

/** What applying a journal did. */
export interface JournalApplied {
  /** Lines applied (the header excluded). */
  readonly lines: number;
  /** The journal was for another version of the report file (left from an earlier rewrite): ignored. */
  readonly stale: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Apply `journalText` to the parsed report `value` (pure; mutates `value`). `reportBytes` are the
 * bytes `value` was parsed from. Stops at the first line that does not parse: only the last line can
 * be torn (the process died while appending it), and nothing after a torn line was acknowledged.
 */
export function applyJournal(value: unknown, reportBytes: Uint8Array, journalText: string): JournalApplied {
  const lines = journalText.split('\n');
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch {
    return { lines: 0, stale: true };
  }
  if (!isObject(header) || header['journal'] !== JOURNAL_VERSION || header['base'] !== sha256Hex(reportBytes))
    return { lines: 0, stale: true };
  if (!isObject(value)) return { lines: 0, stale: false };
  let applied = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      break;
    }
    if (!isObject(entry)) break;
    if (typeof entry['case'] === 'number' && Number.isInteger(entry['case']) && entry['case'] >= 0 && 'value' in entry) {
      const cases = Array.isArray(value['cases']) ? (value['cases'] as unknown[]) : (value['cases'] = []);
      if (entry['case'] > cases.length) break;
      cases[entry['case']] = entry['value'];
    } else if (Array.isArray(entry['warnings'])) {
      value['warnings'] = entry['warnings'];
    } else {
      break;
    }
    applied += 1;
  }
  return { lines: applied, stale: false };
}
