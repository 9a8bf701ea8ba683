/**
 * The HTML reports opened in headless Chromium (Debian's `chromium` package) at 1280 px, on a run,
 * a crash, a compare, a tune and a probe report: no table wider than its box and no horizontal
 * scroll of the page, numbers and identifiers on one line, every chart (in every tab) an SVG with
 * at least one drawn series, the tune chart's labels never overlapping, the summary before
 * everything, no console error, no network request at all. Run, crash, tune and probe reports come
 * from the real CLI; the compare from golden fixtures with repeats (so it has error bars).
 * Skipped, with the reason, when /usr/bin/chromium is missing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { compareSides, sidesFromReports } from '../analysis/compare.js';
import { analyzeSweep } from '../analysis/tune.js';
import type { CrashCaseResult, CrashReport, CrashSetting } from '../model/crash-report.js';
import { SCHEMA_VERSION } from '../model/report.js';
import { render } from '../reports/formats.js';
import { readReport, readReportOf } from '../reports/read.js';
import { SERIES_COLORS } from '../reports/render/charts.js';
import { runCli } from './helpers/cli.js';
import { crashSummaryOf, crashTrial, report } from './helpers/report-builder.js';
import { fixtureDir } from './helpers/fixtures.js';
import { repoRoot, tempDir } from './helpers/tmp.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`;
/** The flags that let Debian's Chromium run headless as root in a container, offline. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface ChartCheck {
  title: string;
  width: number;
  height: number;
  /** SVG elements drawn in a series colour with a visible size. */
  drawn: number;
}

interface PageCheck {
  consoleErrors: string[];
  requests: string[];
  pageScrollWidth: number;
  viewportWidth: number;
  tables: { width: number; box: number; inMain: boolean; head: string }[];
  /** Numeric and identifier cells whose text took more than one line. */
  splitCells: string[];
  /** Table cells whose right edge is beyond the window (a column nobody can see). */
  cellsPastWindow: string[];
  charts: ChartCheck[];
  /** What comes first in <main>. */
  firstBlocks: string[];
  overlappingLabels: string[];
}

let browser: BrowserContext | null = null;
const files: Partial<Record<'run' | 'crash' | 'crash-v3' | 'crash-v2' | 'run-built' | 'compare' | 'compare-missing' | 'tune' | 'probe', string>> = {};

/**
 * Measured inside the page (plain JavaScript: the DOM types are not part of this Node project).
 * Tables against their boxes, cells whose text took two lines, charts and their drawn series,
 * overlapping texts in the tune projections, what comes first.
 */
const MEASURE = String.raw`(seriesColors) => {
  const colorSet = new Set(seriesColors.map((c) => c.toLowerCase()));
  const visible = (el) => el.offsetParent !== null;
  const main = document.querySelector('main').getBoundingClientRect();
  const tables = [...document.querySelectorAll('table')].filter(visible).map((t) => {
    const box = t.parentElement;
    const r = box.getBoundingClientRect();
    return { width: t.getBoundingClientRect().width, box: box.clientWidth, inMain: r.left >= main.left - 0.5 && r.right <= main.right + 0.5, head: (t.querySelector('th')?.textContent ?? '').slice(0, 40) };
  });
  const splitCells = [];
  for (const td of document.querySelectorAll('td.num, td.nw')) {
    if (!visible(td) || td.textContent === '') continue;
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
    if (tops.size > 1) splitCells.push(td.textContent);
  }
  const charts = [];
  const overlappingLabels = [];
  for (const fig of document.querySelectorAll('figure.chart')) {
    if (!visible(fig)) continue;
    const title = fig.querySelector('.chart-title')?.textContent ?? '';
    const svg = fig.querySelector(':scope > svg');
    const r = svg.getBoundingClientRect();
    // Legend items (ECharts marks their hit areas) and silent marks (shading, reference lines) are
    // drawn in series colours too, but they are not data.
    const legend = [...svg.querySelectorAll('[ecmeta_ssr_type="legend"]')].map((e) => e.getBoundingClientRect());
    const inLegend = (b) => legend.some((l) => b.left + b.width / 2 >= l.left - 2 && b.left + b.width / 2 <= l.right + 2 && b.top + b.height / 2 >= l.top - 2 && b.top + b.height / 2 <= l.bottom + 2);
    let drawn = 0;
    for (const el of svg.querySelectorAll('path, rect, circle, polyline, line')) {
      if (el.getAttribute('ecmeta_silent') === 'true') continue;
      const paint = [el.getAttribute('stroke'), el.getAttribute('fill')].filter((x) => x !== null).map((x) => x.toLowerCase());
      if (!paint.some((p) => colorSet.has(p))) continue;
      const b = el.getBoundingClientRect();
      if (b.width + b.height > 2 && !inLegend(b)) drawn += 1;
    }
    charts.push({ title, width: r.width, height: r.height, drawn });
    if (!/against/.test(title)) continue;
    const texts = [...svg.querySelectorAll('text')].map((t) => ({ t: t.textContent ?? '', b: t.getBoundingClientRect() })).filter((x) => x.t.trim() !== '' && x.b.width > 0);
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i].b;
        const b = texts[j].b;
        const ox = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const oy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (ox > 1 && oy > 1) overlappingLabels.push(title + ': "' + texts[i].t + '" × "' + texts[j].t + '"');
      }
    }
  }
  const cellsPastWindow = [...document.querySelectorAll('th, td')].filter((e) => visible(e) && e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => (e.textContent ?? '').slice(0, 40));
  const firstBlocks = [...document.querySelector('main').children].slice(0, 4).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className.split(' ')[0] : ''));
  return { pageScrollWidth: document.documentElement.scrollWidth, viewportWidth: window.innerWidth, tables, splitCells, cellsPastWindow, charts, firstBlocks, overlappingLabels };
}`;

async function measure(page: Page): Promise<Omit<PageCheck, 'consoleErrors' | 'requests'>> {
  return (await page.evaluate(`(${MEASURE})(${JSON.stringify(SERIES_COLORS)})`)) as Omit<PageCheck, 'consoleErrors' | 'requests'>;
}

/** Open a report at 1280 px; check it as it opens and after selecting every tab. */
async function open(file: string): Promise<PageCheck[]> {
  const page = await browser!.newPage();
  try {
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
    const views = [await measure(page)];
    const labels = await page.$$eval('.tabs > label', (ls) => ls.map((l) => l.getAttribute('for')!));
    for (const id of labels) {
      await page.click(`label[for="${id}"]`);
      assert.equal(await page.evaluate(`document.getElementById(${JSON.stringify(id)}).checked`), true, `tab ${id} selected`);
      views.push(await measure(page));
    }
    return views.map((v) => ({ ...v, consoleErrors, requests }));
  } finally {
    await page.close();
  }
}

/** What every report must satisfy; returns every chart seen (all tabs). */
function checkLayout(kind: string, views: PageCheck[]): ChartCheck[] {
  const charts: ChartCheck[] = [];
  for (const v of views) {
    assert.deepEqual(v.consoleErrors, [], `${kind}: console errors`);
    assert.deepEqual(v.requests, [], `${kind}: network requests`);
    assert.ok(v.pageScrollWidth <= v.viewportWidth, `${kind}: the page scrolls sideways (${v.pageScrollWidth} > ${v.viewportWidth})`);
    assert.ok(v.tables.length > 0, `${kind}: has tables`);
    for (const t of v.tables) {
      assert.ok(t.width <= t.box + 0.5, `${kind}: table "${t.head}" is ${t.width} px wide in a ${t.box} px box`);
      assert.ok(t.inMain, `${kind}: table "${t.head}" sticks out of the page`);
    }
    assert.deepEqual(v.splitCells, [], `${kind}: numbers and identifiers on one line`);
    assert.deepEqual(v.cellsPastWindow, [], `${kind}: cells beyond the right edge of a ${v.viewportWidth} px window`);
    assert.equal(v.firstBlocks[0], 'h1', `${kind}: the title first`);
    assert.equal(v.firstBlocks[1], 'section.summary', `${kind}: the summary right under the title`);
    for (const c of v.charts) {
      assert.ok(c.width > 200 && c.height > 100, `${kind}: chart "${c.title}" has a size (${c.width}×${c.height})`);
      assert.ok(c.drawn >= 1, `${kind}: chart "${c.title}" draws at least one series`);
      charts.push(c);
    }
  }
  return charts;
}

// Made at the top level: tempDir's clean-up then runs when the file ends, not when the hook does.
const dir = skip ? '' : tempDir('html');
const profile = skip ? '' : tempDir('chromium-profile');

before(async () => {
  if (skip) return;
  const run = await runCli(['run', '--engine', 'raw,lsm', '--mode', 'sync,batch,none', '--memtable-bytes', '65536', '--duration', '0.4', '--warmup', '0.05', '--dir', dir, '--format', 'json,html', '--out', path.join(dir, 'run'), '--quiet']);
  assert.equal(run.code, 0, run.stderr);
  files.run = path.join(dir, 'run', 'report.html');
  const crash = await runCli(['crash', '--engine', 'raw,wal', '--mode', 'sync,none', '--kind', 'kill', '--trials', '2', '--dir', dir, '--format', 'json,html', '--out', path.join(dir, 'crash'), '--quiet']);
  assert.equal(crash.code, 0, crash.stderr);
  files.crash = path.join(dir, 'crash', 'crash-report.html');
  const tune = await runCli(['tune', '--engine', 'null', '--null-sync-us', '200', '--batch-size', '1,2,4,8,16,32,64,128', '--loss-budget-ms', '1', '--duration', '0.2', '--warmup', '0', '--dir', dir, '--format', 'json,html', '--out', path.join(dir, 'tune'), '--quiet']);
  assert.equal(tune.code, 0, tune.stderr);
  files.tune = path.join(dir, 'tune', 'report.html');
  const probe = await runCli(['probe', '--dir', dir, '--duration', '0.05', '--format', 'json,html', '--out', path.join(dir, 'probe'), '--quiet']);
  // A K-thread method whose slowest thread finished no sync inside the 0.05 s window is errored, and
  // the probe exits 1: a disk the rest of the suite keeps busy does that (the slowest sync of 16
  // threads reached 26–49 ms in probe runs here with both CPUs busy). The report is still whole; anything else errored is a failure.
  if (probe.code !== 0) {
    assert.equal(probe.code, 1, probe.stderr);
    const results = readReportOf(path.join(dir, 'probe', 'probe.json'), ['probe']).results;
    const others = results.filter((r) => r.state === 'errored' && !/completed no write \+ fdatasync inside the 0\.05 s window/.test(r.reason));
    assert.deepEqual(others, [], 'only a sync outlasting the window errors a method');
  }
  files.probe = path.join(dir, 'probe', 'probe.html');
  const fx = fixtureDir();
  const sides = ['repeats-base', 'repeats-worse', 'repeats-noise'].map((n) => ({ file: path.join(fx, `${n}.json`), report: readReport(path.join(fx, `${n}.json`)) }));
  files.compare = path.join(dir, 'compare.html');
  fs.writeFileSync(files.compare, render('compare', 'html', compareSides(sidesFromReports(sides), { alpha: 0.05, minEffect: 0.01 })));
  files['crash-v2'] = path.join(dir, 'crash-v2.html');
  fs.writeFileSync(files['crash-v2'], render('crash', 'html', readReportOf(path.join(repoRoot, 'test', 'fixtures', 'v2', 'crash.json'), ['crash'])));
  files['crash-v3'] = path.join(dir, 'crash-v3.html');
  fs.writeFileSync(files['crash-v3'], render('crash', 'html', crashWithRanges()));
  files['run-built'] = path.join(dir, 'run-built.html');
  fs.writeFileSync(files['run-built'], render('run', 'html', runWithRepeatsTuneCrash()));
  const missing = ['baseline', 'regression', 'missing'].map((n) => ({ file: path.join(fx, `${n}.json`), report: readReport(path.join(fx, `${n}.json`)) }));
  files['compare-missing'] = path.join(dir, 'compare-missing.html');
  fs.writeFileSync(files['compare-missing'], render('compare', 'html', compareSides(sidesFromReports(missing), { alpha: 0.05, minEffect: 0.01 })));
  // A fresh profile of its own: nothing from another run, nothing left behind.
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, viewport: { width: 1280, height: 900 } });
});

test.after(async () => {
  await browser?.close();
});

test('run report: fits at 1280 px, percentile plots in both tabs and a timeline per case, all drawn', { skip }, async () => {
  const html = fs.readFileSync(files.run!, 'utf8');
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/)/, 'no script and no external URL besides SVG namespaces');
  const views = await open(files.run!);
  assert.equal(views.length, 3, 'the page as opened, then the two tabs');
  const charts = checkLayout('run', views);
  // by engine: raw and lsm, commit + sync each; by mode: sync, batch, none (none has no sync chart).
  const titles = new Set(charts.map((c) => c.title));
  for (const t of ['raw: commit latency by percentile', 'lsm: sync latency by percentile', 'sync: commit latency by percentile', 'none: commit latency by percentile']) assert.ok(titles.has(t), `${t} in ${[...titles].join(' | ')}`);
  for (const id of ['raw/sync/w1/v128/unique/t0', 'lsm/none/w1/v128/unique/t0']) assert.ok(titles.has(id), `timeline ${id}`);
  assert.match(html, /Shaded: flush \(\d+×\)/, 'lsm flushes shaded on its timeline');
});

test('crash report: verdict first, fits at 1280 px, the loss distribution drawn', { skip }, async () => {
  const views = await open(files.crash!);
  const charts = checkLayout('crash', views);
  assert.deepEqual(
    charts.map((c) => c.title),
    ['Lost acked commits per crash state'],
  );
  // A number and its unit are kept together with a no-break space: read it as a space.
  const html = fs.readFileSync(files.crash!, 'utf8').replace(/\u00a0/g, ' ');
  assert.match(html, /<section class="summary ok"><div class="headline">verdict: 4 consistent of 4 case\(s\) — exit 0/);
  assert.match(html, /<dt>crash kind<\/dt><dd>kill<\/dd>/);
  assert.match(html, /<dt>device cache<\/dt><dd>— \(no power cut in this run/);
  assert.match(html, /<dt>crash window<\/dt><dd>random instants 0%\.\.100% of each 1 s writer run; 2 crash instant\(s\) per case/);
});

test('compare report: a ratio chart per metric with error bars, beside the absolute values; fits at 1280 px', { skip }, async () => {
  const views = await open(files.compare!);
  const charts = checkLayout('compare', views);
  assert.ok(charts.length >= 4, `${charts.length} ratio charts`);
  for (const c of charts) assert.match(c.title, /ratio to the baseline/);
  // Repeats on every side: every compared case has an interval, drawn as a bar with two caps.
  assert.ok(charts.every((c) => c.drawn >= 3), JSON.stringify(charts));
});

test('tune report: three projections, every label clear of every other text, the recommendation highlighted', { skip }, async () => {
  const views = await open(files.tune!);
  const charts = checkLayout('tune', views);
  const projections = charts.filter((c) => /against/.test(c.title));
  assert.equal(new Set(projections.map((c) => c.title)).size, 3);
  for (const v of views) assert.deepEqual(v.overlappingLabels, [], 'no two texts of a projection overlap');
  const html = fs.readFileSync(files.tune!, 'utf8');
  assert.match(html, /budget 1(\.00)? ms/);
});

test('probe report: methods × targets as bars on a log axis beside the percentile tables; fits at 1280 px', { skip }, async () => {
  const views = await open(files.probe!);
  const charts = checkLayout('probe', views);
  assert.ok(charts.length >= 4, `${charts.length} bar charts`);
  for (const c of charts) assert.match(c.title, /: ops\/s$/);
  const html = fs.readFileSync(files.probe!, 'utf8');
  assert.match(html, /<th[^>]*>p99\.9<\/th>/);
});

test('crash report (version 2, upgraded): power cuts under several drive-cache models, kills, errored and recovered cases fit at 1280 px', { skip }, async () => {
  const charts = checkLayout('crash v2', await open(files['crash-v2']!));
  assert.deepEqual(
    charts.map((c) => c.title),
    ['Lost acked commits per crash state'],
  );
});

test('crash report with lost ranges: the verdict, the drive-cache model and the crash window in the summary; lost ranges, loss distribution, crash points', { skip }, async () => {
  const charts = checkLayout('crash v3', await open(files['crash-v3']!));
  assert.deepEqual(
    charts.map((c) => c.title),
    ['Lost acked commits per crash state'],
  );
  const html = fs.readFileSync(files['crash-v3']!, 'utf8').replace(/\u00a0/g, ' ');
  assert.match(html, /<section class="summary bug"><div class="headline">verdict: 1 DURABILITY BUG, 1 inconclusive, 0 consistent of 2 case\(s\) — exit 1/);
  assert.match(html, /<dt>device cache<\/dt><dd>reorder \+ torn \(3 subsets per instant\) — volatile, reordering drive cache/);
  assert.match(html, /<dt>crash window<\/dt><dd>random instants 0%\.\.100% of each 2 s writer run; crash points op:99999999; 2 crash instant\(s\) per case/);
  assert.match(html, /lost 4 of 450 acked \(4 declared durable; exposure 0\): 100 \(gap\), 200 \(gap\), 300 \(gap\), 400 \(gap\)/);
  assert.match(html, /<h2[^>]*>Loss distribution<\/h2>/);
  assert.match(html, /<h2[^>]*>Crash points<\/h2>/);
  assert.ok(html.indexOf('class="summary') < html.indexOf('Verdicts</h2>'), 'the verdict before the tables');
});

test('run report built with repeats, a tune sweep and crash trials: the repeats and crash tables fit, three projections drawn', { skip }, async () => {
  const charts = checkLayout('run (built)', await open(files['run-built']!));
  // Every view (the page as opened, then each tab) shows the sweep: three distinct projections.
  assert.equal(new Set(charts.filter((c) => /against/.test(c.title)).map((c) => c.title)).size, 3);
  const html = fs.readFileSync(files['run-built']!, 'utf8').replace(/\u00a0/g, ' ');
  assert.match(html, /Crash lab: measured loss/);
  assert.match(html, /<h2[^>]*>Repeats<\/h2>/);
  assert.match(html, /Each figure is the median of the case&#39;s repeats/);
});

test('compare report with a missing case: a ratio chart per headline metric, fits at 1280 px', { skip }, async () => {
  const charts = checkLayout('compare (missing)', await open(files['compare-missing']!));
  assert.equal(charts.length, 6, charts.map((c) => c.title).join(' | '));
  for (const c of charts) assert.match(c.title, /ratio to the baseline/);
  assert.match(fs.readFileSync(files['compare-missing']!, 'utf8'), /<h2[^>]*>Missing cases<\/h2>/);
});

/** A crash report built in memory: a power case with lost ranges (gaps) and device truth, and an errored case at a crash point. */
function crashWithRanges(): CrashReport {
  const power: CrashSetting = { kind: 'power', filesystem: 'ext4', mountOptions: null, crashAt: 'random', writeback: 'none', deviceCache: 'reorder', torn: true, reorderStates: 3, crashWindow: '0%..100%', runMs: 2000 };
  const key = { engine: 'wal', fault: null, writers: 1, valueBytes: 128, workload: 'unique', target: '/data', mode: 'sync' } as const;
  const gaps = crashTrial({ instant: 1, image: 'reorder', acked: 450, declaredDurable: 450, lost: 4, lostDeclared: 4, lostTail: 0, lostGap: 4, lostRanges: [100, 200, 300, 400].map((n) => ({ writer: 0, from: n, to: n, where: 'gap' as const })), lostRangeCount: 4, lossWindowCommits: 0, lossWindowMs: 0 });
  const bug = crashSummaryOf([crashTrial({ image: 'flushed' }), crashTrial({ image: 'device', lost: 2, acked: 450, declaredDurable: 440 }), gaps], { mode: 'sync' }, power);
  const errored = crashSummaryOf([crashTrial({ outcome: 'errored', error: 'crash point op:99999999 was not reached in 12 commits (1.0 s)' })], { mode: 'sync' }, { ...power, crashAt: 'op:99999999', crashWindow: null });
  const kase = (id: string, crash: typeof bug): CrashCaseResult => ({ id, key, setting: crash.setting, params: { engineOptions: {}, seed: 1 }, startedAt: '2026-12-01T00:00:00Z', finishedAt: '2026-12-01T00:00:01Z', state: 'completed', crash }) as CrashCaseResult;
  const base = report('host', []);
  return { schemaVersion: SCHEMA_VERSION, kind: 'crash', tool: base.tool, host: base.host, warnings: [], startedAt: '2026-12-01T00:00:00Z', finishedAt: '2026-12-01T00:01:00Z', status: 'completed', suite: null, trialsPerCase: 2, cases: [kase('gaps', bug), kase('errored', errored)] };
}

/** A run report built in memory: repeats, the batch sweep with a budget, crash trials on two cases. */
function runWithRepeatsTuneCrash() {
  const r = report('h', [
    { engine: 'wal', mode: 'batch', batchSize: 1, commitsPerSec: 4000, commitP50Us: 200, commitP99Us: 400, exposureMaxCommits: 0, exposureMaxMs: 0, crashLost: 0, repeatFactors: [1, 0.95, 1.05] },
    { engine: 'wal', mode: 'batch', batchSize: 8, commitsPerSec: 20000, commitP50Us: 30, commitP99Us: 450, syncP50Us: 200, exposureMaxCommits: 7, exposureMaxMs: 2, crashLost: 3 },
    { engine: 'wal', mode: 'batch', batchSize: 64, commitsPerSec: 60000, commitP50Us: 10, commitP99Us: 500, syncP50Us: 220, exposureMaxCommits: 63, exposureMaxMs: 8 },
  ]);
  r.tune = analyzeSweep({ report: r, engine: 'wal', budget: { kind: 'ms', ms: 5 }, crash: 'measured' });
  return r;
}
