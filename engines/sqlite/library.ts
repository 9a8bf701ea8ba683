/**
 * better-sqlite3, loaded lazily: it is an optional dependency (a native addon), so the engine is
 * registered statically but the module is imported only when the engine is probed or used. A missing
 * or broken build makes the engine unavailable, never the rest of durabench.
 */
/** The part of better-sqlite3's API this engine uses (the package ships no types of its own). */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  pluck(on?: boolean): SqliteStatement;
}
export interface SqliteDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
}
export type SqliteDatabaseCtor = new (file: string, options?: Record<string, unknown>) => SqliteDatabase;

const PACKAGE = 'better-sqlite3';
let ctor: SqliteDatabaseCtor | null = null;
let failure: string | null = null;

/** Import better-sqlite3 and open an in-memory database once (that loads the native binding). */
export async function loadSqlite(): Promise<string | null> {
  if (ctor || failure) return failure;
  try {
    // A variable specifier: tsc must not need the optional package's types. It is CommonJS, so the
    // constructor is the default export. Opening an in-memory database loads the native binding.
    const specifier: string = PACKAGE;
    const mod = ((await import(specifier)) as { default: SqliteDatabaseCtor }).default;
    new mod(':memory:').close();
    ctor = mod;
  } catch (err) {
    const msg = ((err as Error)?.message ?? String(err)).split('\n')[0];
    failure = `the optional dependency ${PACKAGE} did not load (${msg}); install it with 'npm install ${PACKAGE}' (it builds with node-gyp when no prebuilt binary fits)`;
  }
  return failure;
}

/** The loaded constructor. Only after `loadSqlite()` resolved to null. */
export function sqliteDatabase(): SqliteDatabaseCtor {
  if (!ctor) throw new Error(`${PACKAGE} is not loaded; the engine's availability() must be awaited first`);
  return ctor;
}
