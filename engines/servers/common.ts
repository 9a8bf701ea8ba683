/** Options every server engine shares (one spec per name: they mean the same for each). */
import type { EngineOptionSpec } from '../types.js';

export const SERVER_BIN_OPTION: EngineOptionSpec = {
  name: 'server-bin',
  type: 'string',
  default: '',
  describe: 'redis, postgres, mariadb, etcd: the server binary, or the directory holding it (default: PATH and the usual Debian places)',
};

/** Milliseconds a client request may take before the writer gives up (a crashed or leaderless server never answers). */
export const CLIENT_TIMEOUT_MS = 10_000;

/** Readiness probes time out fast: the loop retries. */
export const PROBE_TIMEOUT_MS = 1000;
