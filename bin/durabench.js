#!/usr/bin/env node
// Entry point for the compiled CLI (run `npm run build` first, or install with `npm ci`).
import '../dist/bundle/cli/main.js';
