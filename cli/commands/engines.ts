/** `durabench engines`: every engine with its modes, options and fault switches. */
import type { CommandModule } from 'yargs';
import { builtinEngines } from '../../engines/registry.js';
import { renderEngineList } from '../../reports/render/engines.js';

export const enginesCommand: CommandModule<object, { json: boolean }> = {
  command: 'engines',
  describe: 'list engines, their modes, options and fault switches',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'print JSON instead of text' }),
  handler: (args) => {
    process.stdout.write(renderEngineList(builtinEngines(), args.json ? 'json' : 'text'));
  },
};
