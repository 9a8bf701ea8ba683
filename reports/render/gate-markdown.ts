/** The gate's verdict as Markdown fit for a pull-request comment (or $GITHUB_STEP_SUMMARY). Pure. */
import type { GateCheck, GateResult } from '../gate.js';
import { markdownTable } from './format.js';

const ICON: Record<GateCheck['status'], string> = { pass: '✅ pass', noise: '〰️ noise', fail: '❌ FAIL', missing: '⚠️ missing', 'not-measured': '· not measured' };

function table(checks: readonly GateCheck[], multiReport: boolean): string {
  const header = ['status', 'rule', ...(multiReport ? ['report'] : []), 'case', 'value', 'baseline', 'expected', 'detail'];
  return markdownTable([
    header,
    ...checks.map((c) => [ICON[c.status], `\`${c.rule}\``, ...(multiReport ? [c.report] : []), `\`${c.caseKey}\``, c.value, c.baseline ?? '', c.expectation, c.detail]),
  ]);
}

export function renderGateMarkdown(result: GateResult, title = 'durabench gate'): string {
  const multi = new Set(result.checks.map((c) => c.report)).size > 1;
  const out: string[] = [];
  out.push(result.pass ? `## ${title}: ✅ passed (${result.passed} check${result.passed === 1 ? '' : 's'})` : `## ${title}: ❌ ${result.failed} regression${result.failed === 1 ? '' : 's'} (${result.passed} check${result.passed === 1 ? '' : 's'} passed)`);
  out.push('');
  const failing = result.checks.filter((c) => c.status === 'fail');
  const missing = result.checks.filter((c) => c.status === 'missing');
  const other = result.checks.filter((c) => c.status !== 'fail' && c.status !== 'missing');
  if (failing.length > 0) out.push(table(failing, multi), '');
  if (missing.length > 0) out.push(`${missing.length} check${missing.length === 1 ? '' : 's'} could not compare (the case is missing on one side; not a failure):`, '', table(missing, multi), '');
  const noise = other.filter((c) => c.status === 'noise');
  if (noise.length > 0) out.push(`${noise.length} change${noise.length === 1 ? '' : 's'} beyond the threshold stayed inside the noise of the repeats (overlapping 95 % intervals).`, '');
  if (other.length > 0) {
    out.push('<details><summary>All other checks</summary>', '', table(other, multi), '', '</details>', '');
  }
  for (const r of result.idleRules) out.push(`- ⚠️ rule \`${r}\` checked no case (a filter matches nothing, or the metric was not measured: loss rules need crash trials)`);
  return out.join('\n').trimEnd() + '\n';
}
