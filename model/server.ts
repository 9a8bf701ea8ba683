/**
 * A database server durabench runs as a child process (redis, postgres, mariadb, etcd): where it
 * keeps its data and its sockets, and which failure its durability claims are made against.
 */

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
