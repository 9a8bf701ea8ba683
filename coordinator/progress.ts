/**
 * Progress on stderr: on a TTY one live line (case i/N, its id, elapsed, commits/s so far),
 * otherwise one plain line per finished case. Never on stdout, which carries the results.
 */
import { type CaseResult } from '../model/run-report.js';
import { formatRate } from '../model/units.js';

export interface ProgressSink {
  caseStarted(index: number, total: number, id: string): void;
  caseProgress(commits: number): void;
  caseFinished(result: CaseResult): void;
  done(): void;
}

export class StderrProgress implements ProgressSink {
  private index = 0;
  private total = 0;
  private id = '';
  private startedMs = 0;
  private readonly live: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.live = Boolean(stream.isTTY);
  }

  caseStarted(index: number, total: number, id: string): void {
    this.index = index;
    this.total = total;
    this.id = id;
    this.startedMs = Date.now();
    if (this.live) this.line(`[${index}/${total}] ${id} starting`);
  }

  caseProgress(commits: number): void {
    if (!this.live) return;
    const s = (Date.now() - this.startedMs) / 1000;
    this.line(`[${this.index}/${this.total}] ${this.id}  ${s.toFixed(1)} s  ${formatRate(s > 0 ? commits / s : 0)} commits/s`);
  }

  caseFinished(r: CaseResult): void {
    const what = r.state === 'completed' ? `${formatRate(r.metrics.commitsPerSec)} commits/s` : `${r.state}: ${r.reason}`;
    const text = `[${this.index}/${this.total}] ${r.id}  ${what}`;
    if (this.live) {
      this.line(text);
      this.stream.write('\n');
    } else {
      this.stream.write(text + '\n');
    }
  }

  done(): void {
    if (this.live) this.stream.write('\x1b[2K\r');
  }

  private line(text: string): void {
    const width = this.stream.columns || 100;
    this.stream.write(`\x1b[2K\r${text.slice(0, width - 1)}`);
  }
}

/** No progress output (tests, --quiet). */
export const silentProgress: ProgressSink = {
  caseStarted() {},
  caseProgress() {},
  caseFinished() {},
  done() {},
};
