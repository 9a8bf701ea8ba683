/** The engine conformance suite (test/helpers/conformance-suite.ts) for: lsm, btree, bitcask, lmdb. */
import { conformanceSuite } from './helpers/conformance-suite.js';

conformanceSuite('trees');
