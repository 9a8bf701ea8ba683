/**
 * How a server engine describes its database server: where the binaries are, how a fresh data
 * directory is made, the command line for a durability setting, how readiness is probed and how
 * the server is stopped. Pure descriptions: the coordinator and the crash lab run them
 * (coordinator/servers.ts through workspace/server-process.ts), always as argument arrays.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Durability } from '../model/durability.js';
import type { ServerEndpoint } from '../model/server.js';
import type { EngineOptionValue } from './types.js';

/** One program to run: argument array, working directory, environment, optionally as another user. */
export interface ServerCommand {
  readonly program: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Run as this user (postgres refuses to run as root). */
  readonly user?: { readonly uid: number; readonly gid: number };
}

/** The binaries were found (and their version), or why not and which package provides them. */
export type Located = { readonly found: true; readonly bin: string; readonly version: string | null } | { readonly found: false; readonly reason: string };

type Options = Readonly<Record<string, EngineOptionValue>>;

export interface ServerSpec {
  /** The Debian package that provides the server (named in every "not found" reason). */
  readonly aptPackage: string;
  /** Socket file names the server creates in its socket directory (the longest decides the path budget). */
  readonly socketNames: readonly string[];
  /** Find the server's binaries (PATH, the usual Debian places, or `--server-bin`). Never throws. */
  locate(options: Options): Located;
  /**
   * Make a fresh data directory in `endpoint.dataDir` (which does not exist yet): directories it
   * creates itself, then the commands to run (initdb, mariadb-install-db), in order.
   */
  prepare(endpoint: ServerEndpoint, bin: string, options: Options): readonly ServerCommand[];
  /** The server's command line for this durability setting. */
  launch(endpoint: ServerEndpoint, bin: string, durability: Durability, options: Options): ServerCommand;
  /** Remove what a killed server leaves that would stop the next start (stale sockets). Before every start. */
  beforeStart?(endpoint: ServerEndpoint): void;
  /**
   * A data directory recovered from a crash image is started as a copy while the original server
   * is still frozen: remove what would make the copy refuse to start (postgres's postmaster.pid
   * names the frozen postmaster's pid). Only lock files, never data.
   */
  beforeCopyStart?(endpoint: ServerEndpoint): void;
  /** One readiness probe: resolves true when the server answers as ready. Must not hang (own timeout). */
  ready(endpoint: ServerEndpoint): Promise<boolean>;
  /** The lab image (MiB) a power trial needs for this server's data unless --image-mib says otherwise. */
  readonly imageMib: number;
  /** How long a start may take to answer as ready, ms (default: coordinator/defaults.ts). A leaderless etcd never answers. */
  readonly readyTimeoutMs?: number;
  /** Once per fresh start, after the first ready probe: create the schema the writers use (one table). */
  afterReady?(endpoint: ServerEndpoint): Promise<void>;
  /** The signal for a clean, fast shutdown of the leader (postgres: SIGINT = fast; SIGTERM would wait for clients). */
  readonly stopSignal: NodeJS.Signals;
  /**
   * Commands that release what a killed server leaves outside its data directory (postgres's SysV
   * segment), for a directory that is discarded instead of restarted. Failures are ignored.
   */
  afterKill?(endpoint: ServerEndpoint): readonly ServerCommand[];
  /** The setting this durability maps to, for people: `appendfsync everysec`. */
  setting(durability: Durability, options: Options): string;
  /** The documented promise of that setting: the declared window (ms), 0 = every ack durable, null = no promise. */
  promise(durability: Durability, options: Options, failure: ServerEndpoint['failure']): ServerPromise;
}

/** What the server's documentation promises for one setting, against one failure. */
export interface ServerPromise {
  /** Acked commits older than this many ms are promised durable; 0 = every ack; null = nothing is promised. */
  readonly windowMs: number | null;
  /** Where the promise is written down (docs/real-servers.md quotes it). */
  readonly source: string;
}

/** A minimal environment for servers: no inherited variables steer them (PGDATA, MYSQL_HOME, ETCD_*). */
export const SERVER_ENV: Readonly<Record<string, string>> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

function executable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Find `program`: in `--server-bin` (a file, or a directory holding it) when given, else on PATH,
 * in /usr/sbin and /sbin, and in `extraDirs` (PostgreSQL's versioned bin directories, newest first).
 */
export function findProgram(program: string, serverBin: string, extraDirs: readonly string[], aptPackage: string): Located {
  if (serverBin !== '') {
    const p = path.resolve(serverBin);
    const candidate = fs.existsSync(p) && fs.statSync(p).isDirectory() ? path.join(p, program) : p;
    return executable(candidate) ? { found: true, bin: candidate, version: null } : { found: false, reason: `--server-bin ${serverBin}: no executable ${program} there` };
  }
  const dirs = [...(process.env['PATH'] ?? '').split(':').filter((d) => d !== ''), '/usr/sbin', '/sbin', ...extraDirs];
  for (const d of dirs) {
    const candidate = path.join(d, program);
    if (executable(candidate)) return { found: true, bin: candidate, version: null };
  }
  return { found: false, reason: `${program} not found on PATH${extraDirs.length > 0 ? ` or in ${extraDirs.join(', ')}` : ''}: install it (apt-get install -y ${aptPackage}) or give --server-bin` };
}

/** PostgreSQL's Debian bin directories, newest major version first (`/usr/lib/postgresql/<N>/bin`). */
export function postgresBinDirs(root = '/usr/lib/postgresql'): string[] {
  try {
    return fs
      .readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => path.join(root, v, 'bin'));
  } catch {
    return [];
  }
}

/** The user a server that refuses root runs as: nobody (65534) when durabench is root, else durabench's own. */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
}

/**
 * Declared durability by time, for servers that promise a window rather than a sync per commit:
 * a commit acked at t is declared durable once `windowMs` have passed (the server's documented
 * bound: redis everysec, postgres synchronous_commit=off, InnoDB's once-a-second log flush). The
 * crash lab then calls any lost commit older than the window a broken promise, and says by how much.
 */
export class WindowClaims {
  /** Ack times (ns) of the commits not yet declared durable, oldest first, from index `head`. */
  private acks: number[] = [];
  private head = 0;
  /** Commits declared durable so far (1-based count from open). */
  private declared = 0;
  private readonly windowNs: number;
  private readonly originNs: bigint;

  constructor(
    windowMs: number,
    private readonly clockNs: () => bigint,
    private readonly durable: (commits: number) => void,
  ) {
    this.windowNs = windowMs * 1e6;
    this.originNs = clockNs();
  }

  private now(): number {
    return Number(this.clockNs() - this.originNs);
  }

  /** A commit was acked now. */
  ack(): void {
    this.acks.push(this.now());
  }

  /** Declare every commit whose window has passed durable. */
  settle(): void {
    const now = this.now();
    let n = this.head;
    while (n < this.acks.length && now - this.acks[n]! >= this.windowNs) n += 1;
    if (n === this.head) return;
    this.declared += n - this.head;
    this.head = n;
    this.durable(this.declared);
    if (this.head >= 4096) {
      this.acks = this.acks.slice(this.head);
      this.head = 0;
    }
  }
}
