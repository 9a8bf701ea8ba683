/** Every command of the CLI, in the order `--help` lists them. One file per command. */
import type { CommandModule } from 'yargs';
import { compareCommand } from './compare.js';
import { crashCommand } from './crash.js';
import { enginesCommand } from './engines.js';
import { envCommand } from './env.js';
import { gateCommand } from './gate.js';
import { mergeCommand } from './merge.js';
import { reportCommand } from './report.js';
import { probeCommand } from './probe.js';
import { runCommand } from './run.js';
import { tuneCommand } from './tune.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<any, any>[] = [runCommand, crashCommand, enginesCommand, compareCommand, mergeCommand, gateCommand, reportCommand, tuneCommand, probeCommand, envCommand];
