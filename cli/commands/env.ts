/** `durabench env`: the provenance a report would carry (host, targets, device chains) and the warnings. */
import type { Argv, CommandModule } from 'yargs';
import { targetWarnings } from '../../analysis/warnings.js';
import { uniqueTargets } from '../../coordinator/resolve.js';
import { SCHEMA_VERSION, type EnvReport } from '../../model/report.js';
import { collectHost } from '../../provenance/host.js';
import { collectToolInfo } from '../../provenance/tool.js';
import { declareFlags, FLAGS, readStrings, rejectPositionals, type FlagSpec } from '../flags.js';
import { emit, outputFlags } from '../emit.js';
import { printWarnings } from '../session.js';

type Args = Record<string, unknown>;

export const ENV_FLAGS: readonly FlagSpec[] = [FLAGS.dir, FLAGS.format, FLAGS.out, FLAGS.force];

function builder(y: Argv): Argv<Args> {
  return declareFlags(y, ENV_FLAGS, ['console', 'json', 'md'], ['console'])
    .example('$0 env --dir /mnt/nvme', 'filesystem, mount options, device chain, write cache of /mnt/nvme')
    .example('$0 env --format json', 'the same as JSON') as Argv<Args>;
}

function handler(args: Args): void {
  rejectPositionals(args, 'env');
  const { formats, outDir } = outputFlags(args, 'env', 'env');
  // env only reads: a read-only target is fine to describe.
  const targets = uniqueTargets(readStrings(args, FLAGS.dir) ?? [process.cwd()], { write: false });
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
