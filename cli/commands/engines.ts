/** `durabench engines`: every engine with its modes, options, fault switches and whether it runs here. */
import type { Argv, CommandModule } from 'yargs';
import { builtinEngines, engineAvailability } from '../../engines/registry.js';
import { engineCatalog } from '../../reports/render/engines.js';
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
    emit('engines', engineCatalog(engines, availability), formats, outDir, 'engines');
  },
};
