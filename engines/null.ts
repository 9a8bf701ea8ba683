/**
 * `null`: no I/O. Syncs are simulated by spinning for `--null-sync-us` microseconds (busy wait, so the
 * delay is exact and no timer is involved). Used to test the harness deterministically and to measure
 * the harness's own cost per commit (README, Benchmarks).
 */
import { SyncPolicy } from './sync-policy.js';
import { emptyRecovery, MODES, type Engine, type EngineContext, type EngineFactory } from './types.js';

class NullEngine implements Engine {
  private readonly data = new Map<string, Buffer>();
  private readonly policy: SyncPolicy;
  private readonly syncNs: bigint;
  private readonly keep: boolean;
  syncs = 0;

  constructor(private readonly ctx: EngineContext) {
    this.policy = SyncPolicy.fromContext(ctx);
    this.syncNs = BigInt(Math.round(Number(ctx.options['null-sync-us'] ?? 0) * 1000));
    this.keep = ctx.options['null-keep'] === true;
  }

  open() {
    return emptyRecovery();
  }

  put(key: Buffer, value: Buffer): void {
    if (this.keep) this.data.set(key.toString('latin1'), value);
    this.policy.append();
    if (this.policy.due()) this.sync();
  }

  get(key: Buffer): Buffer | undefined {
    return this.data.get(key.toString('latin1'));
  }

  tick(): void {
    if (this.policy.dueByTime()) this.sync();
  }

  private sync(): void {
    if (this.syncNs > 0n) {
      const until = this.ctx.clockNs() + this.syncNs;
      while (this.ctx.clockNs() < until) {
        /* simulated device time */
      }
    }
    this.syncs += 1;
    this.policy.synced();
  }

  close(): void {
    if (this.ctx.mode !== 'none') this.sync();
  }

  stats() {
    return { simulatedSyncs: this.syncs };
  }
}

export const nullEngine: EngineFactory = {
  name: 'null',
  summary: 'no I/O; simulated sync delay: tests the harness and measures its own cost',
  modes: MODES,
  options: [
    { name: 'null-sync-us', type: 'number', default: 0, min: 0, max: 1_000_000, describe: 'simulated sync duration in µs (busy wait)' },
    { name: 'null-keep', type: 'boolean', default: false, describe: 'keep values in memory so get() works (conformance tests)' },
  ],
  faults: [],
  markers: [],
  contract: 'sync',
  create: (ctx) => new NullEngine(ctx),
};
