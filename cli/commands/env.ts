/** `durabench env`: the provenance a report would carry (host, targets, device chains) and the warnings. */
import type { Argv, CommandModule } from 'yargs';
import { checkTarget } from '../../coordinator/resolve.js';
import { collectHost } from '../../provenance/host.js';
import { collectToolInfo } from '../../provenance/tool.js';
import { targetWarnings } from '../../provenance/warnings.js';
import { renderEnvText, warningLines } from '../../reports/render/probe-provenance.js';
import { SCHEMA_VERSION, type EnvReport } from '../../reports/schema.js';

interface EnvArgs {
  dir?: string[];
  json: boolean;
}

function builder(y: Argv): Argv<EnvArgs> {
  return y
    .option('dir', { type: 'string', array: true, describe: 'target directory to describe (repeatable); default: the current directory' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON (warnings also go to stderr)' })
    .example('$0 env --dir /mnt/nvme', 'filesystem, mount options, device chain, write cache of /mnt/nvme') as unknown as Argv<EnvArgs>;
}

async function handler(args: EnvArgs): Promise<void> {
  const targets = [...new Set(args.dir && args.dir.length > 0 ? args.dir : [process.cwd()])];
  for (const t of targets) checkTarget(t);
  const host = collectHost(targets);
  const report: EnvReport = {
    schemaVersion: SCHEMA_VERSION,
    kind: 'env',
    tool: collectToolInfo(),
    host,
    warnings: host.targets.flatMap(targetWarnings),
  };
  if (args.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    for (const line of warningLines(report.warnings)) process.stderr.write(`${line}\n`);
  } else {
    process.stdout.write(renderEnvText(report.tool, report.host, report.warnings));
  }
}

export const envCommand: CommandModule<object, EnvArgs> = {
  command: 'env',
  describe: 'show the provenance of this host and each --dir (filesystem, mount options, device chain, write cache) and the warnings',
  builder,
  handler,
};
