/**
 * Progress on stderr for every session command — run, tune, crash (trials) and probe — in one
 * component, fed with the planned work (units weighted by their planned length) and events as they
 * happen. fio and hyperfine are the models: on a TTY one live line, redrawn in place,
 *
 *   run [████████░░░░░░░░░░░░] 45.0% 3/6 wal/batch-16/w1/v128/unique/t0 55,776 commits/s [elapsed 00m:05s] [eta 00m:06s]
 *
 * otherwise (a pipe, a CI log) one plain line per finished unit, and one every 30 s while a long
 * unit runs,
 *
 *   [3/6 50.0%] wal/batch-16/w1/v128/unique/t0 55,776 commits/s (elapsed 00m:05s, eta 00m:05s)
 *
 * and at the end one line with the total time. Never on stdout, which carries results. The ETA is
 * the elapsed time scaled by the planned work still to do (fio's method); while nothing has been
 * measured yet it is the plan itself when units are planned milliseconds, else unknown.
 */
import { verdictText } from '../analysis/crash-verdict.js';
import { lossMeasured, type CrashCaseResult, type CrashTrial } from '../model/crash-report.js';
import type { ProbeMethodInfo, ProbeResult } from '../model/probe-report.js';
import type { CaseResult } from '../model/run-report.js';
import { asciiText, formatClock, formatElapsed, formatNs, formatRate, plural } from '../model/units.js';

/** What the progress line writes to (process.stderr; a buffer in tests). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** The command, first on the live line: `run`, `tune`, `crash`, `probe`. */
  readonly command: string;
  readonly stream?: ProgressStream;
  /** A live line (default: the stream is a TTY). */
  readonly live?: boolean;
  /** Draw the bar and the text in UTF-8 (default: true); false: ASCII only. */
  readonly unicode?: boolean;
  /** Milliseconds clock (a fake one in tests). */
  readonly now?: () => number;
  /** Not a TTY: a line at least this often while one unit runs (default 30 s). */
  readonly heartbeatMs?: number;
}

/** One unit of planned work: a case run, a crash case, a probe method on a target. */
export interface PlannedUnit {
  /** Planned length: milliseconds when `PlanKind` is `ms`, else any relative weight. */
  readonly weight: number;
}

const BAR = 20;
/** A plain line at least this often while one long unit runs (CI logs show life). */
const HEARTBEAT_MS = 30_000;
/** Crash trials: a plain line at least this often (a power trial takes about a second). */
export const CRASH_HEARTBEAT_MS = 10_000;
/** Redraw the live line at most this often. */
const REDRAW_MS = 100;

export class Progress {
  private readonly stream: ProgressStream;
  private readonly live: boolean;
  private readonly unicode: boolean;
  private readonly now: () => number;
  private weights: number[] = [];
  private total = 0;
  private weightsAreMs = false;
  private doneWeight = 0;
  private index = -1;
  private fraction = 0;
  private label = '';
  private detail = '';
  private startedMs: number;
  private lastDrawMs = -Infinity;
  private lastPlainMs: number;
  private drawn = false;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.live = opts.live ?? Boolean(this.stream.isTTY);
    this.unicode = opts.unicode ?? true;
    this.now = opts.now ?? Date.now;
    this.startedMs = this.now();
    this.lastPlainMs = this.startedMs;
  }

  /** The planned work; `ms`: weights are planned milliseconds (the ETA can start from the plan). */
  begin(units: readonly PlannedUnit[], kind: 'ms' | 'relative' = 'relative'): void {
    this.weights = units.map((u) => (Number.isFinite(u.weight) && u.weight > 0 ? u.weight : 0));
    this.total = this.weights.reduce((a, w) => a + w, 0);
    this.weightsAreMs = kind === 'ms';
    this.startedMs = this.now();
    this.lastPlainMs = this.startedMs;
  }

  /** Unit `index` (0-based) starts. */
  start(index: number, label: string, detail = ''): void {
    this.index = index;
    this.label = label;
    this.detail = detail;
    this.fraction = 0;
    this.redraw(true);
  }

  /** How far the current unit is (0..1), and what to say about it. */
  update(fraction: number, detail?: string): void {
    this.fraction = Math.min(1, Math.max(0, fraction));
    if (detail !== undefined) this.detail = detail;
    if (this.live) this.redraw(false);
    else if (this.now() - this.lastPlainMs >= (this.opts.heartbeatMs ?? HEARTBEAT_MS)) this.plain();
  }

  /** The current unit is done; `detail`: its result in a few words. */
  finish(detail: string): void {
    this.doneWeight += this.weights[this.index] ?? 0;
    this.fraction = 0;
    this.detail = detail;
    if (this.live) {
      // The finished unit stays on screen as a plain line; the live line continues below it.
      this.clear();
      this.stream.write(this.out(`${this.counter()} ${this.label}  ${detail}`) + '\n');
      this.lastDrawMs = -Infinity;
    } else {
      this.plain();
    }
  }

  /** Clear the live line (before the results are printed). */
  done(): void {
    if (this.live) this.clear();
  }

  /** The closing line: `durabench run: 6 cases in 8.4 s`. */
  closing(what: string): void {
    this.stream.write(this.out(`durabench ${this.opts.command}: ${what} in ${formatElapsed(this.elapsedMs())}`) + '\n');
  }

  elapsedMs(): number {
    return this.now() - this.startedMs;
  }

  /** Planned work done so far, 0..1. */
  doneFraction(): number {
    if (this.total <= 0) return this.weights.length === 0 ? 0 : Math.min(1, (this.index + this.fraction) / this.weights.length);
    return Math.min(1, (this.doneWeight + this.fraction * (this.weights[this.index] ?? 0)) / this.total);
  }

  /** Estimated milliseconds left, or null while nothing says. */
  etaMs(): number | null {
    const f = this.doneFraction();
    const elapsed = this.elapsedMs();
    if (f >= 1) return 0;
    if (this.weightsAreMs && (f === 0 || elapsed < 1000)) return this.total * (1 - f);
    if (f <= 0) return null;
    return (elapsed * (1 - f)) / f;
  }

  private counter(): string {
    return `${Math.min(this.index + 1, this.weights.length)}/${this.weights.length}`;
  }

  private times(): { elapsed: string; eta: string } {
    const eta = this.etaMs();
    return { elapsed: formatClock(this.elapsedMs()), eta: eta === null ? '--m:--s' : formatClock(eta) };
  }

  private pct(): string {
    return `${(this.doneFraction() * 100).toFixed(1)}%`;
  }

  private plain(): void {
    this.lastPlainMs = this.now();
    const t = this.times();
    const detail = this.detail === '' ? '' : `  ${this.detail}`;
    this.stream.write(this.out(`[${this.counter()} ${this.pct()}] ${this.label}${detail} (elapsed ${t.elapsed}, eta ${t.eta})`) + '\n');
  }

  private redraw(force: boolean): void {
    if (!this.live) return;
    const now = this.now();
    if (!force && now - this.lastDrawMs < REDRAW_MS) return;
    this.lastDrawMs = now;
    const width = Math.max(40, (this.stream.columns ?? 100) - 1);
    const t = this.times();
    // Narrow terminals keep the percentage, the ETA and the label; the bar shrinks, elapsed goes.
    const barWidth = width >= 100 ? BAR : BAR / 2;
    const filled = Math.round(this.doneFraction() * barWidth);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}`;
    const head = `${this.opts.command} [${bar}] ${this.pct().padStart(6)} ${this.counter()}`;
    let tail = `[elapsed ${t.elapsed}] [eta ${t.eta}]`;
    if (width - head.length - tail.length < 40) tail = `[eta ${t.eta}]`;
    const room = width - head.length - tail.length - 2;
    let label = this.label;
    const detail = this.detail;
    const len = (x: string): number => [...x].length;
    if (len(label) + (detail ? len(detail) + 2 : 0) > room) label = shorten(label, Math.max(12, room - (detail ? len(detail) + 2 : 0)));
    let middle = [label, detail].filter((x) => x !== '').join('  ');
    if (len(middle) > room) middle = shorten(middle, room);
    const line = [head, middle, tail].filter((x) => x !== '').join(' ');
    this.stream.write(`\x1b[2K\r${this.out(line)}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.stream.write('\x1b[2K\r');
    this.drawn = false;
  }

  private out(text: string): string {
    return this.unicode ? text : asciiText(text);
  }
}

/** `abc…xyz` in at most `n` characters (the middle of an id matters least). */
function shorten(text: string, n: number): string {
  const chars = [...text];
  if (n <= 1) return '';
  if (chars.length <= n) return text;
  const keep = n - 1;
  const head = Math.ceil(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}

/** What a run (or tune) tells its progress: the schedule, then each case as it starts, runs and ends. */
export interface ProgressSink {
  /** Every case run in order (repeats included) with its planned length. */
  planned(
    runs: readonly { readonly warmupMs: number; readonly durationMs: number | null; readonly commitsPerWriter: number | null; readonly writers: number; readonly skipped: boolean }[],
  ): void;
  caseStarted(index: number, total: number, id: string): void;
  caseProgress(commits: number): void;
  caseFinished(result: CaseResult): void;
  done(): void;
}

/** A commit-count case's planned length before anything ran: as long as the timed cases, or 1 s. */
const UNTIMED_CASE_MS = 1000;

/** The run's progress on a `Progress` line: percentage of planned case time, elapsed, ETA. */
export class RunProgress implements ProgressSink {
  private runs: Parameters<ProgressSink['planned']>[0] = [];
  private index = 0;
  private caseStartMs = 0;
  private readonly counts = { completed: 0, errored: 0, skipped: 0 };
  private readonly ids = new Set<string>();

  constructor(
    readonly line: Progress,
    private readonly now: () => number = Date.now,
  ) {}

  planned(runs: Parameters<ProgressSink['planned']>[0]): void {
    this.runs = runs;
    const timed = runs.filter((r) => r.durationMs !== null && !r.skipped);
    const untimed = timed.length > 0 ? timed.reduce((a, r) => a + r.warmupMs + r.durationMs!, 0) / timed.length : UNTIMED_CASE_MS;
    this.line.begin(
      runs.map((r) => ({ weight: r.skipped ? 0 : r.warmupMs + (r.durationMs ?? untimed) })),
      'ms',
    );
  }

  caseStarted(index: number, _total: number, id: string): void {
    this.index = index - 1;
    this.caseStartMs = this.now();
    this.line.start(this.index, id, 'starting');
  }

  caseProgress(commits: number): void {
    const r = this.runs[this.index];
    const elapsed = this.now() - this.caseStartMs;
    let f = 0;
    if (r && r.durationMs !== null) f = elapsed / (r.warmupMs + r.durationMs);
    else if (r && r.commitsPerWriter !== null) f = commits / (r.commitsPerWriter * r.writers);
    const rate = elapsed > 0 ? (commits * 1000) / elapsed : 0;
    // Below 1: the case is not done until its writers report back.
    this.line.update(Math.min(0.99, f), `${formatRate(rate)} commits/s`);
  }

  caseFinished(r: CaseResult): void {
    this.counts[r.state] += 1;
    this.ids.add(r.id);
    this.line.finish(r.state === 'completed' ? `${formatRate(r.metrics.commitsPerSec)} commits/s` : `${r.state}: ${r.reason}`);
  }

  done(): void {
    this.line.done();
  }

  /** `6 cases`, `6 cases × 3 repeats`, `6 cases (1 errored)`; `noun`: what a case is called (tune: a setting). */
  summary(noun = 'case'): string {
    const runs = this.counts.completed + this.counts.errored + this.counts.skipped;
    const cases = this.ids.size;
    const repeats = cases > 0 && runs > cases && runs % cases === 0 ? ` × ${plural(runs / cases, 'repeat')}` : '';
    const problems = [this.counts.errored > 0 ? `${this.counts.errored} errored` : '', this.counts.skipped > 0 ? `${this.counts.skipped} skipped` : ''].filter((x) => x !== '');
    return `${plural(cases, noun)}${repeats}${problems.length > 0 ? ` (${problems.join(', ')})` : ''}`;
  }
}

/** No progress output (tests, --quiet). */
export const silentProgress: ProgressSink = {
  planned() {},
  caseStarted() {},
  caseProgress() {},
  caseFinished() {},
  done() {},
};

/** The crash lab's progress: one unit per crash case, weighted by its planned trials; trial marks on the live line. */
export class CrashProgress {
  private marks = '';
  private trialsDone = 0;
  private readonly counts = { completed: 0, errored: 0, skipped: 0 };

  constructor(
    readonly line: Progress,
    cases: readonly { readonly skipped: boolean }[],
    private readonly trialsPerCase: number,
  ) {
    line.begin(cases.map((c) => ({ weight: c.skipped ? 0 : trialsPerCase })));
  }

  caseStarted(index: number, _total: number, id: string): void {
    this.marks = '';
    this.line.start(index - 1, id, `trial 0/${this.trialsPerCase}`);
  }

  /** `index` counts from 0; `total`: this case's trials (a sweep decides its own). */
  trial(t: CrashTrial, index: number, total: number): void {
    this.trialsDone += 1;
    this.marks = (this.marks + trialMark(t)).slice(-24);
    this.line.update((index + 1) / Math.max(1, total), `trial ${index + 1}/${total} ${this.marks}`);
  }

  caseFinished(c: CrashCaseResult): void {
    this.counts[c.state] += 1;
    if (c.state !== 'completed') {
      this.line.finish(`${c.state}: ${c.reason}`);
      return;
    }
    const s = c.crash;
    // With no crash state verified, a loss of 0 is not a measurement (lossMeasured).
    this.line.finish(`${plural(s.trials.length, 'trial')} ${this.marks}  ${lossMeasured(s) ? `lost max ${s.lostMax}` : 'nothing verified'}  ${verdictText(s.verdict)}`);
  }

  summary(): string {
    const cases = this.counts.completed + this.counts.errored + this.counts.skipped;
    const problems = [this.counts.errored > 0 ? `${this.counts.errored} errored` : '', this.counts.skipped > 0 ? `${this.counts.skipped} skipped` : ''].filter((x) => x !== '');
    return `${plural(cases, 'case')}, ${plural(this.trialsDone, 'trial')}${problems.length > 0 ? ` (${problems.join(', ')})` : ''}`;
  }
}

/**
 * One crash state as a mark: `.` verified, nothing lost; `x` acked commits lost; `C` values no
 * commit wrote; `R` recovery failed (the engine's open threw); `E` errored (could not be checked).
 */
function trialMark(t: CrashTrial): string {
  return t.outcome === 'errored' ? 'E' : t.outcome === 'recovery-failed' ? 'R' : t.corrupt > 0 ? 'C' : t.lost > 0 ? 'x' : '.';
}

/** The probe's progress: one unit per method and target, weighted by its planned seconds. */
export class ProbeProgress {
  /** The latest state of each method on each target (with --passes a method reports once per pass). */
  private readonly states = new Map<string, ProbeResult['state']>();

  constructor(
    readonly line: Progress,
    units: number,
    perUnitMs: number,
  ) {
    line.begin(
      Array.from({ length: units }, () => ({ weight: perUnitMs })),
      'ms',
    );
  }

  started(method: ProbeMethodInfo, target: string, index: number, several: boolean): void {
    this.line.start(index, several ? `${method.id} on ${target}` : method.id);
  }

  finished(r: ProbeResult): void {
    this.states.set(`${r.target}\u0000${r.method.id}`, r.state);
    this.line.finish(r.state === 'completed' ? `${formatRate(r.metrics.opsPerSec)} ops/s, p99 ${formatNs(r.metrics.latency.p99Ns)}` : `${r.state}: ${r.reason}`);
  }

  summary(): string {
    const all = [...this.states.values()];
    const n = all.length;
    const unsupported = all.filter((s) => s === 'unsupported').length;
    const errored = all.filter((s) => s === 'errored').length;
    const problems = [unsupported > 0 ? `${unsupported} unsupported` : '', errored > 0 ? `${errored} errored` : ''].filter((x) => x !== '');
    return `${plural(n, 'method')}${problems.length > 0 ? ` (${problems.join(', ')})` : ''}`;
  }
}
