/**
 * Every command of the CLI, in the order `--help` lists them. One file per command, loaded only
 * when it runs: importing every command's module graph (reports, renderers, the crash lab, the
 * engines) cost more than a second of start-up on a 2-core VM, paid by `durabench --version` and
 * every bad flag. The name and one-line description live here so `--help` lists every command
 * without loading any (test/unit/cli-lazy-commands.test.ts checks they match the modules).
 */
import type { CommandModule } from 'yargs';

export interface CommandEntry {
  /** The yargs command string (name and positionals). */
  readonly command: string;
  readonly describe: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  load(): Promise<CommandModule<any, any>>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    command: 'run',
    describe: 'run a benchmark matrix (engines × modes × batch sizes × writers × value sizes × targets)',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    command: 'crash',
    describe: 'crash trials (process kill or power cut): measured loss of acked commits and a durability verdict',
    load: async () => (await import('./crash.js')).crashCommand,
  },
  {
    command: 'engines',
    describe: 'list engines, their modes, options and fault switches',
    load: async () => (await import('./engines.js')).enginesCommand,
  },
  {
    command: 'compare <reports..>',
    describe: 'compare reports (hosts, filesystems, commits), or the targets, hosts or filesystems of reports: ratios, and verdicts only beyond the noise',
    load: async () => (await import('./compare.js')).compareCommand,
  },
  {
    command: 'merge <reports..>',
    describe: 'merge the histograms of the same cases from several reports of one architecture and kernel exactly (runs from many machines add up)',
    load: async () => (await import('./merge.js')).mergeCommand,
  },
  {
    command: 'gate <reports..>',
    describe: 'check reports against rules (relative to a baseline, absolute limits, loss limits): exit 0 pass, 1 a rule broken, 2 bad input or a rule that checked nothing',
    load: async () => (await import('./gate.js')).gateCommand,
  },
  {
    command: 'report <report>',
    describe: 're-render a saved report (run, crash, probe or env) as html, md, csv or json',
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    command: 'tune',
    describe: 'sweep batch sizes, mark the Pareto front and recommend the fastest setting inside a loss budget',
    load: async () => (await import('./tune.js')).tuneCommand,
  },
  {
    command: 'probe',
    describe:
      'compare ways of making a write durable (fdatasync, fsync, O_DSYNC, O_DIRECT, ...) on each --dir: ops/s and latency percentiles',
    load: async () => (await import('./probe.js')).probeCommand,
  },
  {
    command: 'env',
    describe: 'show the provenance of this host and each --dir (filesystem, mount options, device chain, write cache) and the warnings',
    load: async () => (await import('./env.js')).envCommand,
  },
  {
    command: 'clean',
    describe: 'remove what dead durabench runs left behind (after a SIGKILL or a power loss): writer children, mounts, loop devices, marked directories',
    load: async () => (await import('./clean.js')).cleanCommand,
  },
];

/** The command's name: the first word of its command string. */
export function commandName(entry: Pick<CommandEntry, 'command'>): string {
  return entry.command.split(' ')[0]!;
}

/** The command an argument list asks for: its first argument that is not an option (null: none). */
export function requestedCommand(argv: readonly string[]): CommandEntry | null {
  const first = argv.find((a) => !a.startsWith('-'));
  return COMMANDS.find((c) => commandName(c) === first) ?? null;
}
