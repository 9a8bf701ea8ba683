/**
 * The gate's verdict as a document, fit for a pull-request comment (or $GITHUB_STEP_SUMMARY) in
 * Markdown and for the console as text: failing checks first, then checks that could not compare,
 * then everything else. Pure.
 */
import type { GateCheck, GateResult } from '../../analysis/gate.js';
import { details, heading, list, paragraph, table, type Block, type Doc } from '../document/model.js';

const ICON: Record<GateCheck['status'], string> = { pass: '✅ pass', noise: '〰️ noise', fail: '❌ FAIL', missing: '⚠️ missing', 'not-measured': '· not measured' };

function checkTable(checks: readonly GateCheck[], multiReport: boolean): Block {
  const header = ['status', 'rule', ...(multiReport ? ['report'] : []), 'case', 'value', 'baseline', 'expected', 'detail'];
  return table([header, ...checks.map((c) => [ICON[c.status], `\`${c.rule}\``, ...(multiReport ? [c.report] : []), `\`${c.caseKey}\``, c.value, c.baseline ?? '', c.expectation, c.detail])]);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function gateDoc(result: GateResult, title = 'durabench gate'): Doc {
  const multi = new Set(result.checks.map((c) => c.report)).size > 1;
  const failing = result.checks.filter((c) => c.status === 'fail');
  const missing = result.checks.filter((c) => c.status === 'missing');
  const other = result.checks.filter((c) => c.status !== 'fail' && c.status !== 'missing');
  const noise = other.filter((c) => c.status === 'noise');
  const blocks: Block[] = [
    heading(2, result.pass ? `${title}: ✅ passed (${plural(result.passed, 'check')})` : `${title}: ❌ ${plural(result.failed, 'regression')} (${plural(result.passed, 'check')} passed)`),
  ];
  if (failing.length > 0) blocks.push(checkTable(failing, multi));
  if (missing.length > 0) blocks.push(paragraph(`${plural(missing.length, 'check')} could not compare (the case is missing on one side; not a failure):`), checkTable(missing, multi));
  if (noise.length > 0) blocks.push(paragraph(`${plural(noise.length, 'change')} beyond the threshold stayed inside the noise of the repeats (overlapping 95 % intervals).`));
  if (other.length > 0) blocks.push(details('All other checks', [checkTable(other, multi)]));
  if (result.idleRules.length > 0) {
    blocks.push(list(result.idleRules.map((r) => `⚠️ rule \`${r}\` checked no case (a filter matches nothing, or the metric was not measured: loss rules need crash trials)`)));
  }
  return { title, blocks };
}
