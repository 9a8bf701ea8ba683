/**
 * User engine modules (loaded by path, as `durabench run --engine ./x.mjs` does) that the conformance
 * suite runs against besides the built-in engines. Add your own engine's path here to test it.
 */
import path from 'node:path';
import { repoRoot } from './tmp.js';

export const USER_ENGINES: readonly string[] = [path.join(repoRoot, 'examples', 'append-log-engine.mjs')];
