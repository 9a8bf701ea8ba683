/** Renders the engine catalogue for `durabench engines`. Pure. */
import type { EngineFactory } from '../../engines/types.js';

export function renderEngineList(engines: readonly EngineFactory[], format: 'text' | 'json'): string {
  if (format === 'json') {
    return (
      JSON.stringify(
        engines.map((e) => ({
          name: e.name,
          summary: e.summary,
          modes: e.modes,
          contract: e.contract,
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
    out.push(`${e.name} — ${e.summary}`);
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
