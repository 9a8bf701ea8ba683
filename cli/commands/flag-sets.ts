/**
 * The flags each command declares, imported from every command module at once: for the bad-input
 * test and tools that walk the whole CLI, never for the CLI itself (which loads only the command
 * that runs, cli/commands/index.ts).
 */
import type { FlagSpec } from '../flags.js';
import { CLEAN_FLAGS } from './clean.js';
import { COMPARE_FLAGS } from './compare.js';
import { CRASH_FLAGS } from './crash.js';
import { ENGINES_FLAGS } from './engines.js';
import { ENV_FLAGS } from './env.js';
import { GATE_FLAGS } from './gate.js';
import { MERGE_FLAGS } from './merge.js';
import { REPORT_FLAGS } from './report.js';
import { PROBE_FLAGS } from './probe.js';
import { RUN_FLAGS } from './run.js';
import { TUNE_FLAGS } from './tune.js';

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
