/** Renders the engine catalogue for `durabench engines`. Pure. */
import type { EngineFactory } from '../../engines/types.js';

/**
 * `availability` maps an engine name to null (available) or the reason it is not (see
 * `EngineFactory.availability`); engines missing from the map are shown as available.
 */
export function renderEngineList(
  engines: readonly EngineFactory[],
  format: 'text' | 'json',
  availability: ReadonlyMap<string, string | null> = new Map(),
): string {
  const reasonOf = (e: EngineFactory): string | null => availability.get(e.name) ?? null;
  if (format === 'json') {
    return (
      JSON.stringify(
        engines.map((e) => ({
          name: e.name,
          summary: e.summary,
          modes: e.modes,
          contract: e.contract,
          available: reasonOf(e) === null,
          unavailableReason: reasonOf(e),
          options: e.options,
          faults: e.faults,
          markers: e.markers,
        })),
        null,
        2,
      ) + '\n'
    );
  }
  const out: string[] = [];
  for (const e of engines) {
    const reason = reasonOf(e);
    out.push(`${e.name} — ${e.summary}${reason === null ? '' : ' [unavailable]'}`);
    if (reason !== null) out.push(`  unavailable: ${reason}`);
    out.push(`  modes:   ${e.modes.join(', ')}`);
    for (const o of e.options) {
      const choices = o.choices ? ` (${o.choices.join('|')})` : '';
      out.push(`  --${o.name}${choices}  default ${String(o.default)}: ${o.describe}`);
    }
    if (e.faults.length > 0) out.push(`  faults:  ${e.faults.map((f) => `${f.name} (${f.describe})`).join('; ')}`);
    if (e.markers.length > 0) out.push(`  markers: ${e.markers.join(', ')}`);
    out.push('');
  }
  return out.join('\n');
}
