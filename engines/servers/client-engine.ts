/**
 * What the four server engines share on the client side: one connection per writer (opened in
 * `open()`), `put` = one write in the server's own terms whose reply is the ack, and the durability
 * claims that follow from the server's documented promise for its setting (ServerSpec.promise):
 * every ack durable (window 0), acks older than the window durable, or nothing.
 */
import { emptyRecovery, type Awaitable, type Engine, type EngineContext, type EngineFactory, type RecoveryReport } from '../types.js';
import { WindowClaims } from '../server-spec.js';
import type { ServerEndpoint } from '../../model/server.js';

/** One writer's connection: the server-specific part. */
export interface ServerConnection {
  put(key: Buffer, value: Buffer): Promise<void>;
  get(key: Buffer): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

export class ServerClientEngine implements Engine {
  private conn: ServerConnection | null = null;
  private commits = 0;
  private readonly claims: WindowClaims | null;
  private readonly everyAck: boolean;

  constructor(
    private readonly ctx: EngineContext,
    factory: EngineFactory,
    private readonly connect: (endpoint: ServerEndpoint) => Promise<ServerConnection>,
  ) {
    if (!ctx.server) throw new Error(`${factory.name}: no server endpoint in the engine context (server engines run through durabench run/crash, which start the server)`);
    const promise = factory.server!.promise(ctx, ctx.options, ctx.server.failure);
    this.everyAck = promise.windowMs === 0;
    this.claims = promise.windowMs !== null && promise.windowMs > 0 ? new WindowClaims(promise.windowMs, ctx.clockNs, (n) => ctx.durability.durable(n)) : null;
  }

  async open(): Promise<RecoveryReport> {
    // The server ran its own recovery before it answered as ready; the engine only connects.
    this.conn = await this.connect(this.ctx.server!);
    return emptyRecovery();
  }

  async put(key: Buffer, value: Buffer): Promise<void> {
    await this.conn!.put(key, value);
    this.commits += 1;
    if (this.everyAck) this.ctx.durability.durable(this.commits);
    else if (this.claims) {
      this.claims.ack();
      this.claims.settle();
    }
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    return this.conn!.get(key);
  }

  tick(): Awaitable<void> {
    this.claims?.settle();
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    await c?.close();
  }

  stats(): Record<string, number> {
    return { commits: this.commits };
  }
}
