/**
 * The one line every command prints at start when dead runs left something behind (a SIGKILL, a
 * power loss, a directory that could not be removed): how much, and how to remove it. Looks at the
 * run records, the command's targets (`--dir`, or the current directory) and the mounts and loop
 * devices inside them; never fails a command.
 */
import { deadRunsOf, findLeftovers, summarizeLeftovers } from '../workspace/leftovers.js';

export function leftoverNotice(args: Readonly<Record<string, unknown>>): void {
  if ((args['_'] as unknown[] | undefined)?.[0] === 'clean') return;
  try {
    const given = args['dir'];
    const dirs = (Array.isArray(given) ? given : given === undefined ? [] : [given]).flatMap((d) => String(d).split(',')).filter((d) => d.trim() !== '');
    const scan = findLeftovers({ dirs: dirs.length > 0 ? dirs : [process.cwd()], global: false });
    const found = scan.leftovers.filter((l) => l.kind !== 'record');
    if (found.length === 0) return;
    const runs = deadRunsOf(found).length;
    process.stderr.write(
      `durabench: ${runs === 1 ? 'a dead durabench run' : `${runs} dead durabench runs`} left ${summarizeLeftovers(found)} behind: durabench clean removes ${found.length === 1 ? 'it' : 'them'} (durabench clean --dry-run lists ${found.length === 1 ? 'it' : 'them'})\n`,
    );
  } catch {
    // A notice, never a reason to fail.
  }
}
