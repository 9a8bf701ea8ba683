/**
 * The server engines' npm clients (ioredis, pg, mariadb), loaded lazily: they are optional
 * dependencies, so a missing one makes only its engine unavailable, with the line that installs it.
 * Imported through a variable specifier: tsc never needs an optional package's types; each engine
 * declares the small part of the client API it uses.
 */
const loaded = new Map<string, unknown>();
const failed = new Map<string, string>();

/** Import `pkg` once; null when it loaded, else why not and how to install it. */
export async function loadClient(pkg: string): Promise<string | null> {
  if (loaded.has(pkg)) return null;
  const known = failed.get(pkg);
  if (known !== undefined) return known;
  try {
    const specifier: string = pkg;
    loaded.set(pkg, await import(specifier));
    return null;
  } catch (err) {
    const why = `the optional dependency ${pkg} did not load (${((err as Error)?.message ?? String(err)).split('\n')[0]}); install it with 'npm install ${pkg}'`;
    failed.set(pkg, why);
    return why;
  }
}

/** The loaded module (after `loadClient(pkg)` resolved to null). */
export function client<T>(pkg: string): T {
  const m = loaded.get(pkg);
  if (m === undefined) throw new Error(`${pkg} is not loaded; the engine's availability() must be awaited first`);
  return m as T;
}
