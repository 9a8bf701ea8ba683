/**
 * `durabench clean [--dir D]… [--dry-run] [--kept]`: find what dead durabench runs left behind — a
 * SIGKILL, the OOM killer or a power loss of the host; a directory that could not be removed (EIO) —
 * and remove it: writer children killed, mounts unmounted, loop devices detached, marked
 * directories deleted (workspace/leftovers.ts). Only what carries durabench's marker, or lies inside
 * a marked directory, and only when its owner is dead. Exit 0 when nothing is left, 1 when
 * something could not be removed.
 */
import type { Argv, CommandModule } from 'yargs';
import { deadRunsOf, describeLeftover, findLeftovers, removeKept, removeLeftovers, type DeadRun, type Leftover } from '../../workspace/leftovers.js';
import { uniqueTargets } from '../../coordinator/resolve.js';
import { EXIT, setExitCode } from '../exit.js';
import { declareFlags, FLAGS, readBoolean, readStrings, rejectPositionals, type FlagSpec } from '../flags.js';

type Args = Record<string, unknown>;

const DRY_RUN: FlagSpec = { name: 'dry-run', kind: 'boolean', describe: 'list what would be removed; remove nothing' };
const KEPT: FlagSpec = { name: 'kept', kind: 'boolean', describe: 'also remove work directories kept on purpose with --keep' };
export const CLEAN_FLAGS: readonly FlagSpec[] = [
  { ...FLAGS.dir, describe: 'only leftovers in this directory (repeatable); without it: every run record, the current directory, and every mount, loop device and writer child inside a dead run’s directory', defaultText: 'everywhere' },
  DRY_RUN,
  KEPT,
];

function runLine(r: DeadRun): string {
  const when = r.startedAt ? `, started ${r.startedAt}` : '';
  return `dead run: pid ${r.owner.pid}${when}${r.command ? `: ${r.command}` : ''}`;
}

const VERB: Record<Leftover['kind'], [string, string]> = {
  process: ['would kill', 'killed'],
  server: ['would stop', 'stopped'],
  'trace-instance': ['would remove', 'removed'],
  mount: ['would unmount', 'unmounted'],
  loop: ['would detach', 'detached'],
  dir: ['would remove', 'removed'],
  'temp-file': ['would remove', 'removed'],
  record: ['would remove', 'removed'],
};

function handler(args: Args): void {
  rejectPositionals(args, 'clean');
  const given = readStrings(args, FLAGS.dir);
  // Read-only is fine (there may be nothing to remove); missing or not a directory is a typo.
  const dirs = given ? uniqueTargets(given, { write: false }) : undefined;
  const dryRun = readBoolean(args, DRY_RUN);
  const scan = findLeftovers(dirs ? { dirs, global: false } : { dirs: [process.cwd()], global: true });
  const out = (s: string): void => void process.stdout.write(s + '\n');
  const where = dirs ? dirs.join(', ') : 'the run records, the current directory, the temporary directory, mounts, loop devices and processes';
  if (scan.leftovers.length === 0 && scan.kept.length === 0) {
    out(`nothing to clean: no leftovers of dead durabench runs (looked at ${where})`);
    return;
  }
  const removals = dryRun ? null : removeLeftovers(scan.leftovers);
  let failed = 0;
  for (const run of deadRunsOf(scan.leftovers)) {
    out(runLine(run));
    for (const l of scan.leftovers.filter((x) => x.run === run || (x.run.owner.pid === run.owner.pid && x.run.owner.startTicks === run.owner.startTicks))) {
      const r = removals?.find((x) => x.leftover === l);
      if (!r) out(`  ${VERB[l.kind][0]} ${describeLeftover(l)}`);
      else if (r.state === 'removed') out(`  ${VERB[l.kind][1]} ${describeLeftover(l)}`);
      else {
        if (l.kind !== 'record') failed += 1;
        out(`  could not remove ${describeLeftover(l)}: ${r.problem}`);
      }
    }
  }
  const removeKeptToo = readBoolean(args, KEPT);
  if (scan.kept.length > 0) {
    if (!removeKeptToo) out(`kept on purpose (--keep), not removed (durabench clean --kept removes them): ${scan.kept.map((k) => k.path).join(', ')}`);
    else if (dryRun) for (const k of scan.kept) out(`would remove kept work directory ${k.path}`);
    else {
      for (const r of removeKept(scan.kept.map((k) => k.path))) {
        if (r.state === 'removed') out(`removed kept work directory ${'path' in r.leftover ? r.leftover.path : ''}`);
        else {
          failed += 1;
          out(`could not remove kept work directory ${'path' in r.leftover ? r.leftover.path : ''}: ${r.problem}`);
        }
      }
    }
  }
  const n = scan.leftovers.filter((l) => l.kind !== 'record').length;
  if (dryRun) out(`${n} leftover(s) of ${deadRunsOf(scan.leftovers).length} dead run(s) found; nothing removed (--dry-run)`);
  else out(`${n - failed} of ${n} leftover(s) removed${failed > 0 ? `; ${failed} could not be (see above)` : ''}`);
  if (failed > 0) setExitCode(EXIT.failed);
}

export const cleanCommand: CommandModule<object, Args> = {
  command: 'clean',
  describe: 'remove what dead durabench runs left behind (after a SIGKILL or a power loss): writer children, mounts, loop devices, marked directories',
  builder: (y: Argv) =>
    declareFlags(y, CLEAN_FLAGS)
      .example('$0 clean --dry-run', 'list the leftovers of dead runs')
      .example('$0 clean --dir /mnt/nvme', 'remove the leftovers in /mnt/nvme only') as Argv<Args>,
  handler,
};
