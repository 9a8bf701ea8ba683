/** `durabench engines`: every engine with its modes, options, fault switches and whether it runs here. */
import type { Argv, CommandModule } from 'yargs';
import { builtinEngines, engineAvailability } from '../../engines/registry.js';
import { engineCatalog, type ServerLocation } from '../../reports/render/engines.js';
import { declareFlags, FLAGS, rejectPositionals, type FlagSpec } from '../flags.js';
import { emit, outputFlags } from '../emit.js';

type Args = Record<string, unknown>;

export const ENGINES_FLAGS: readonly FlagSpec[] = [FLAGS.format, FLAGS.out, FLAGS.force];

export const enginesCommand: CommandModule<object, Args> = {
  command: 'engines',
  describe: 'list engines, their modes, options and fault switches',
  builder: (y: Argv) => declareFlags(y, ENGINES_FLAGS, ['console', 'json', 'md'], ['console']) as Argv<Args>,
  handler: async (args) => {
    rejectPositionals(args, 'engines');
    const { formats, outDir } = outputFlags(args, 'engines', 'engines');
    // Engines with optional native libraries (sqlite, leveldb, lmdb) say here whether they loaded.
    const engines = builtinEngines();
    const availability = new Map<string, string | null>();
    for (const e of engines) availability.set(e.name, await engineAvailability(e));
    // Server engines: where their server binary is (PATH, the Debian places), or the apt line that installs it.
    const servers = new Map<string, ServerLocation>();
    for (const e of engines) {
      if (!e.server) continue;
      const l = e.server.locate(Object.fromEntries(e.options.map((o) => [o.name, o.default])));
      servers.set(e.name, { binary: l.found ? l.bin : null, reason: l.found ? null : l.reason, aptPackage: e.server.aptPackage });
    }
    emit('engines', engineCatalog(engines, availability, servers), formats, outDir, 'engines');
  },
};
