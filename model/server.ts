/**
 * A database server durabench runs as a child process (redis, postgres, mariadb, etcd): where it
 * keeps its data and its sockets, and which failure its durability claims are made against.
 */
import { Type, type Static } from '@sinclair/typebox';

/**
 * Which crash the engine's `durable(n)` claims must survive. A server's promise can depend on it:
 * MariaDB with `innodb_flush_log_at_trx_commit = 2` promises every commit against a server crash
 * but only up to a second against a power cut or kernel crash. `power` (an OS crash or power loss)
 * is the stricter reading and the one a benchmark reports.
 */
export type ServerFailure = 'kill' | 'power';

/** Where one running server is: its data directory and the directory of its Unix sockets. */
export interface ServerEndpoint {
  /** The server's data directory (created by durabench, inside its marked work directory or lab image). */
  readonly dataDir: string;
  /** The directory of its Unix sockets (kept short: sun_path holds 107 bytes). */
  readonly socketDir: string;
  /** The failure the claims are made against. */
  readonly failure: ServerFailure;
}

/** One documented promise: acked commits older than `windowMs` survive (0 = every ack; null = nothing promised). */
export const ServerPromise = Type.Object({
  windowMs: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  /** Where it is written down. */
  source: Type.String(),
});
export type ServerPromise = Static<typeof ServerPromise>;

/** What a server case ran and what the server promises for it, against each failure. */
export const ServerFacts = Type.Object({
  /** The server's own setting: `appendfsync everysec`, `synchronous_commit=off, wal_writer_delay=200ms`. */
  setting: Type.String(),
  /** The binary that ran. */
  binary: Type.String(),
  kill: ServerPromise,
  power: ServerPromise,
});
export type ServerFacts = Static<typeof ServerFacts>;
