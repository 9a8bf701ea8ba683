/**
 * The engine catalogue of `durabench engines`: every engine with its modes, options, fault switches,
 * phase markers and whether it can run here — as data (JSON) and as a document. Pure.
 */
import type { EngineFactory } from '../../engines/types.js';
import { heading, list, paragraph, type Block, type Doc } from '../document/model.js';

/** One engine as `durabench engines --format json` prints it. */
export interface EngineEntry {
  name: string;
  summary: string;
  modes: readonly string[];
  contract: 'sync' | 'async';
  available: boolean;
  unavailableReason: string | null;
  options: EngineFactory['options'];
  faults: EngineFactory['faults'];
  markers: readonly string[];
  /** Server engines: where the server binary is, or why it is missing (with its apt package); null for other engines. */
  server: ServerLocation | null;
}

/** Where a server engine's binary was found, or why not. */
export interface ServerLocation {
  binary: string | null;
  reason: string | null;
  aptPackage: string;
}

/** `availability` maps an engine name to null (available) or the reason it is not. */
export function engineCatalog(
  engines: readonly EngineFactory[],
  availability: ReadonlyMap<string, string | null> = new Map(),
  servers: ReadonlyMap<string, ServerLocation> = new Map(),
): EngineEntry[] {
  return engines.map((e) => {
    const server = servers.get(e.name) ?? null;
    // A server engine runs only where its server binary is (else its cases are skipped with this reason).
    const reason = availability.get(e.name) ?? server?.reason ?? null;
    return { name: e.name, summary: e.summary, modes: e.modes, contract: e.contract, available: reason === null, unavailableReason: reason, options: e.options, faults: e.faults, markers: e.markers, server };
  });
}

export function enginesDoc(catalog: readonly EngineEntry[]): Doc {
  const blocks: Block[] = [];
  for (const e of catalog) {
    blocks.push(heading(2, `${e.name} — ${e.summary}${e.available ? '' : ' [unavailable]'}`));
    const items = [
      ...(e.available ? [] : [`unavailable: ${e.unavailableReason}`]),
      ...(e.server?.binary ? [`server: ${e.server.binary} (Debian package ${e.server.aptPackage})`] : []),
      `modes: ${e.modes.join(', ')}`,
      ...e.options.map((o) => `\`--${o.name}\`${o.choices ? ` (${o.choices.join('|')})` : ''}  default ${String(o.default)}: ${o.describe}`),
      ...(e.faults.length > 0 ? [`faults: ${e.faults.map((f) => `${f.name} (${f.describe})`).join('; ')}`] : []),
      ...(e.markers.length > 0 ? [`markers: ${e.markers.join(', ')}`] : []),
    ];
    blocks.push(list(items));
  }
  if (blocks.length === 0) blocks.push(paragraph('no engines'));
  return { title: 'durabench engines', blocks };
}
