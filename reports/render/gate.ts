/**
 * The gate's verdict as a document, fit for a pull-request comment (or $GITHUB_STEP_SUMMARY) in
 * Markdown and for the console as text: the verdict, one line per rule (what it checked), the
 * failing checks, the rules that checked nothing, the checks that could not be made, then every
 * other check. Every check is listed with its values and its verdict. Pure.
 */
import type { GateCheck, GateResult } from '../../analysis/gate.js';
import { details, heading, list, paragraph, table, type Block, type Doc } from '../document/model.js';

const ICON: Record<GateCheck['status'], string> = { pass: '✅ pass', noise: '〰️ noise (pass)', fail: '❌ FAIL', missing: '⚠️ missing', 'not-measured': '⚠️ not measured' };

function checkTable(checks: readonly GateCheck[], multiReport: boolean): Block {
  const header = ['status', 'rule', ...(multiReport ? ['report'] : []), 'case', 'value', 'statistic', 'baseline', 'expected', 'detail'];
  return table([header, ...checks.map((c) => [ICON[c.status], `\`${c.rule}\``, ...(multiReport ? [c.report] : []), `\`${c.caseKey}\``, c.value, c.statistic, c.baseline ?? '', c.expectation, c.detail])]);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function headline(result: GateResult, title: string): string {
  const problems = result.unchecked.length > 0 && !result.allowMissing ? `, ${plural(result.unchecked.length, 'rule')} checked nothing` : '';
  if (result.failed > 0) return `${title}: ❌ ${plural(result.failed, 'check')} failed (${result.passed} passed${problems})`;
  if (problems) return `${title}: ❌ not checked — ${plural(result.unchecked.length, 'rule')} checked nothing (${plural(result.passed, 'check')} passed)`;
  return `${title}: ✅ passed (${plural(result.passed, 'check')}${result.unchecked.length > 0 ? `; ${plural(result.unchecked.length, 'rule')} checked nothing, allowed by --allow-missing` : ''})`;
}

/** One row per rule and report: how many checks it made and how they came out. */
function ruleTable(result: GateResult): Block {
  const rows: string[][] = [['rule', 'report', 'checks', 'passed', 'failed', 'not checked']];
  const seen = new Map<string, { rule: string; report: string; n: number; pass: number; fail: number; not: number }>();
  for (const c of result.checks) {
    const k = `${c.rule}\u0000${c.report}`;
    const r = seen.get(k) ?? { rule: c.rule, report: c.report, n: 0, pass: 0, fail: 0, not: 0 };
    r.n += 1;
    if (c.status === 'pass' || c.status === 'noise') r.pass += 1;
    else if (c.status === 'fail') r.fail += 1;
    else r.not += 1;
    seen.set(k, r);
  }
  for (const u of result.unchecked) if (!seen.has(`${u.rule}\u0000${u.report}`)) seen.set(`${u.rule}\u0000${u.report}`, { rule: u.rule, report: u.report, n: 0, pass: 0, fail: 0, not: 0 });
  for (const r of seen.values()) rows.push([`\`${r.rule}\``, r.report, String(r.n), String(r.pass), String(r.fail), String(r.not)]);
  return table(rows);
}

export function gateDoc(result: GateResult, title = 'durabench gate'): Doc {
  const multi = new Set(result.checks.map((c) => c.report)).size > 1;
  const failing = result.checks.filter((c) => c.status === 'fail');
  const notMade = result.checks.filter((c) => c.status === 'missing' || c.status === 'not-measured');
  const other = result.checks.filter((c) => c.status === 'pass' || c.status === 'noise');
  const noise = other.filter((c) => c.status === 'noise');
  const blocks: Block[] = [heading(2, headline(result, title)), ruleTable(result)];
  if (result.unchecked.length > 0) {
    blocks.push(
      paragraph(result.allowMissing ? 'Rules that checked nothing (allowed by --allow-missing):' : 'Rules that checked nothing (exit 2: a typo or a missing measurement must not switch a gate off; --allow-missing lists them instead):'),
      list(result.unchecked.map((u) => `⚠️ \`${u.rule}\`: ${u.reason}`)),
    );
  }
  if (failing.length > 0) blocks.push(heading(3, 'Failed'), checkTable(failing, multi));
  if (notMade.length > 0) blocks.push(paragraph(`${plural(notMade.length, 'check')} could not be made (the case or the metric is missing on one side):`), checkTable(notMade, multi));
  if (noise.length > 0) blocks.push(paragraph(`${plural(noise.length, 'change')} beyond the threshold stayed within the noise of the repeats (Mann–Whitney p ≥ ${result.alpha}).`));
  if (other.length > 0) blocks.push(details(`Passed (${other.length})`, [checkTable(other, multi)]));
  return { title, blocks };
}
