/** `durabench env`: the provenance a report would carry (host, targets, device chains) and the warnings. */
import type { Argv, CommandModule } from 'yargs';
import { targetWarnings } from '../../analysis/warnings.js';
import { checkTarget } from '../../coordinator/resolve.js';
import { SCHEMA_VERSION, type EnvReport } from '../../model/report.js';
import { collectHost } from '../../provenance/host.js';
import { collectToolInfo } from '../../provenance/tool.js';
import { declareFlags, FLAGS, readStrings, rejectPositionals } from '../flags.js';
import { emit, outputFlags } from '../emit.js';
import { printWarnings } from '../session.js';

type Args = Record<string, unknown>;

function builder(y: Argv): Argv<Args> {
  return declareFlags(y, [FLAGS.dir, FLAGS.format, FLAGS.out], ['console', 'json', 'md'], ['console'])
    .example('$0 env --dir /mnt/nvme', 'filesystem, mount options, device chain, write cache of /mnt/nvme')
    .example('$0 env --format json', 'the same as JSON') as Argv<Args>;
}

function handler(args: Args): void {
  rejectPositionals(args, 'env');
  const { formats, outDir } = outputFlags(args, 'env');
  const targets = [...new Set(readStrings(args, FLAGS.dir) ?? [process.cwd()])];
  for (const t of targets) checkTarget(t);
  const host = collectHost(targets);
  const report: EnvReport = { schemaVersion: SCHEMA_VERSION, kind: 'env', tool: collectToolInfo(), host, warnings: host.targets.flatMap(targetWarnings) };
  emit('env', report, formats, outDir, 'env');
  // The console view lists the warnings itself; other formats say them on stderr too.
  if (!formats.includes('console') || outDir !== null) printWarnings(report.warnings);
}

export const envCommand: CommandModule<object, Args> = {
  command: 'env',
  describe: 'show the provenance of this host and each --dir (filesystem, mount options, device chain, write cache) and the warnings',
  builder,
  handler,
};
