/** The engine conformance suite (test/helpers/conformance-suite.ts) for: null, raw, wal, sqlite. */
import { conformanceSuite } from './helpers/conformance-suite.js';

conformanceSuite('logs');
