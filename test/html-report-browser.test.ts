/**
 * The HTML reports opened in headless Chromium (Debian's `chromium` package): every chart renders
 * as an SVG with a size, no console error, no page error, and no network request at all (the file
 * is self-contained). Skipped, with the reason, when /usr/bin/chromium is missing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { render } from '../reports/formats.js';
import { compareSides, sidesFromReports } from '../analysis/compare.js';
import { readReport, readReportOf } from '../reports/read.js';
import { analyzeSweep } from '../analysis/tune.js';
import { report } from './helpers/report-builder.js';
import { fixtureDir } from './helpers/fixtures.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`;
const fixturesDir = fixtureDir();
const fx = (name: string): string => path.join(fixturesDir, `${name}.json`);

interface PageCheck {
  svgs: { width: number; height: number }[];
  consoleErrors: string[];
  requests: string[];
}

async function open(file: string): Promise<PageCheck> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const url = pathToFileURL(file).href;
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    await page.goto(url, { waitUntil: 'load' });
    const svgs = await page.$$eval('figure.chart > svg', (els) => els.map((e) => ({ width: e.getBoundingClientRect().width, height: e.getBoundingClientRect().height })));
    return { svgs, consoleErrors, requests };
  } finally {
    await browser.close();
  }
}

function figures(html: string): number {
  return html.split('<figure class="chart">').length - 1;
}

test('run report HTML (repeats, tune sweep, crash table): every chart renders, no error, no request', { skip }, async () => {
  const r = report('h', [
    { engine: 'wal', mode: 'batch', batchSize: 1, commitsPerSec: 4000, commitP50Us: 200, commitP99Us: 400, exposureMaxCommits: 0, exposureMaxMs: 0, crashLost: 0, repeatFactors: [1, 0.95, 1.05] },
    { engine: 'wal', mode: 'batch', batchSize: 8, commitsPerSec: 20000, commitP50Us: 30, commitP99Us: 450, syncP50Us: 200, exposureMaxCommits: 7, exposureMaxMs: 2, crashLost: 3 },
    { engine: 'wal', mode: 'batch', batchSize: 64, commitsPerSec: 60000, commitP50Us: 10, commitP99Us: 500, syncP50Us: 220, exposureMaxCommits: 63, exposureMaxMs: 8 },
  ]);
  r.tune = analyzeSweep({ report: r, engine: 'wal', budget: { kind: 'ms', ms: 5 }, crash: 'measured' });
  const html = render('run', 'html', r);
  // 3 cases × (percentile curve + timeline) + the sweep.
  assert.equal(figures(html), 7);
  assert.match(html, /Crash lab: measured loss/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/)/, 'no script and no external URL besides SVG namespaces');
  const file = path.join(tempDir('html'), 'report.html');
  fs.writeFileSync(file, html);
  const page = await open(file);
  assert.equal(page.svgs.length, 7);
  for (const s of page.svgs) assert.ok(s.width > 100 && s.height > 100, JSON.stringify(s));
  assert.deepEqual(page.consoleErrors, []);
  assert.deepEqual(page.requests, []);
});

test('comparison HTML: one bar chart per headline metric, no error, no request', { skip }, async () => {
  const names = ['baseline', 'regression', 'missing'];
  const html = render('compare', 'html', compareSides(sidesFromReports(names.map((n) => ({ file: fx(n), report: readReport(fx(n)) }))), { alpha: 0.05, minEffect: 0.01 }));
  assert.equal(figures(html), 6);
  const file = path.join(tempDir('html'), 'compare.html');
  fs.writeFileSync(file, html);
  const page = await open(file);
  assert.equal(page.svgs.length, 6);
  assert.deepEqual(page.consoleErrors, []);
  assert.deepEqual(page.requests, []);
});

test('crash report HTML at 1280 px: every column of every table is visible, nothing scrolls sideways', { skip }, async () => {
  // A real crash report (power cuts under several drive-cache models, kills, errored and recovered
  // cases) as version 2 wrote it, upgraded on read.
  const r = readReportOf(path.join(repoRoot, 'test', 'fixtures', 'v2', 'crash.json'), ['crash']);
  const html = render('crash', 'html', r);
  const file = path.join(tempDir('html'), 'crash.html');
  fs.writeFileSync(file, html);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const layout = {
      pageWidth: await page.$eval('html', (e) => e.scrollWidth),
      tables: (await page.$$('table')).length,
      cells: await page.$$eval('th, td', (els) => els.map((e) => ({ text: (e.textContent ?? '').slice(0, 40), right: e.getBoundingClientRect().right }))),
    };
    assert.ok(layout.tables > 0, 'the report has tables');
    assert.ok(layout.pageWidth <= 1280, `the page is ${layout.pageWidth} px wide`);
    const cut = layout.cells.filter((c) => c.right > 1280 + 0.5);
    assert.deepEqual(cut, [], 'cells beyond the right edge of a 1280 px window');
  } finally {
    await browser.close();
  }
});
