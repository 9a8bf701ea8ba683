/** Every command of the CLI, in the order `--help` lists them. One file per command. */
import type { CommandModule } from 'yargs';
import type { FlagSpec } from '../flags.js';
import { CLEAN_FLAGS, cleanCommand } from './clean.js';
import { COMPARE_FLAGS, compareCommand } from './compare.js';
import { CRASH_FLAGS, crashCommand } from './crash.js';
import { ENGINES_FLAGS, enginesCommand } from './engines.js';
import { ENV_FLAGS, envCommand } from './env.js';
import { GATE_FLAGS, gateCommand } from './gate.js';
import { MERGE_FLAGS, mergeCommand } from './merge.js';
import { REPORT_FLAGS, reportCommand } from './report.js';
import { PROBE_FLAGS, probeCommand } from './probe.js';
import { RUN_FLAGS, runCommand } from './run.js';
import { TUNE_FLAGS, tuneCommand } from './tune.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<any, any>[] = [runCommand, crashCommand, enginesCommand, compareCommand, mergeCommand, gateCommand, reportCommand, tuneCommand, probeCommand, envCommand, cleanCommand];

/**
 * The flags each command declares from the flag table (engine options come on top for run, tune
 * and crash). The bad-input test walks this table, so a new flag is tested for its wrong values
 * without anyone adding a line.
 */
export const COMMAND_FLAGS: Readonly<Record<string, readonly FlagSpec[]>> = {
  run: RUN_FLAGS,
  crash: CRASH_FLAGS,
  engines: ENGINES_FLAGS,
  compare: COMPARE_FLAGS,
  merge: MERGE_FLAGS,
  gate: GATE_FLAGS,
  report: REPORT_FLAGS,
  tune: TUNE_FLAGS,
  probe: PROBE_FLAGS,
  env: ENV_FLAGS,
  clean: CLEAN_FLAGS,
};

/** Commands that also take engine options (built-in and plugin). */
export const ENGINE_OPTION_COMMANDS: readonly string[] = ['run', 'tune', 'crash'];
