/**
 * The `lmdb` package (lmdb-js), loaded lazily: an optional dependency with a native addon. A missing
 * or broken install makes the `lmdb` engine unavailable, never the rest of durabench.
 */

/** The part of lmdb-js's API this engine uses. */
export interface LmdbDatabase {
  putSync(key: Buffer, value: Buffer): boolean;
  get(key: Buffer): Buffer | undefined;
  getCount?(): number;
  getStats(): Record<string, unknown>;
  /** The native environment: `sync()` without a callback is a synchronous mdb_env_sync(env, 1). */
  env: { sync(): void };
  close(): Promise<void>;
  status?: string;
}
export type LmdbOpen = (options: Record<string, unknown>) => LmdbDatabase;

const PACKAGE = 'lmdb';
let openFn: LmdbOpen | null = null;
let failure: string | null = null;

export async function loadLmdb(): Promise<string | null> {
  if (openFn || failure) return failure;
  try {
    const specifier: string = PACKAGE; // a variable: tsc must not need the optional package's types
    const mod = (await import(specifier)) as { open: LmdbOpen };
    if (typeof mod.open !== 'function') throw new Error('no open export');
    openFn = mod.open;
  } catch (err) {
    const msg = ((err as Error)?.message ?? String(err)).split('\n')[0];
    failure = `the optional dependency ${PACKAGE} did not load (${msg}); install it with 'npm install ${PACKAGE}'`;
  }
  return failure;
}

export function lmdbOpen(): LmdbOpen {
  if (!openFn) throw new Error(`${PACKAGE} is not loaded; the engine's availability() must be awaited first`);
  return openFn;
}
