/** `durabench engines`: every engine with its modes, options and fault switches. */
import type { CommandModule } from 'yargs';
import { builtinEngines, engineAvailability } from '../../engines/registry.js';
import { renderEngineList } from '../../reports/render/engines.js';

export const enginesCommand: CommandModule<object, { json: boolean }> = {
  command: 'engines',
  describe: 'list engines, their modes, options and fault switches',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON instead of text' }),
  handler: async (args) => {
    // Engines with optional native libraries (sqlite, leveldb, lmdb) say here whether they loaded.
    const engines = builtinEngines();
    const availability = new Map<string, string | null>();
    for (const e of engines) availability.set(e.name, await engineAvailability(e));
    process.stdout.write(renderEngineList(engines, args.json ? 'json' : 'text', availability));
  },
};
