/** The engine conformance suite (test/helpers/conformance-suite.ts) for: leveldb, the user engines, and any engine no other shard names. */
import { conformanceSuite } from './helpers/conformance-suite.js';

conformanceSuite('rest');
