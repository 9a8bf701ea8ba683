#!/usr/bin/env node
/**
 * Regenerates the README's screenshots from real runs on this machine: a run report
 * (docs/img/run-report.png, the top of the report; docs/img/run-timeline.png, the timelines with
 * engine phases) in headless Chromium at 1280 px, and the terminal's live progress line
 * (docs/img/terminal-progress.png: the default suite run inside a tmux pane of 120 columns, the
 * pane captured while the third case runs, drawn as monospace text). pngquant shrinks them when it
 * is installed. Needs Chromium at /usr/bin/chromium and tmux.
 *
 *   npm run build && node scripts/readme-screenshots.mjs [--dir DIR]
 *
 * DIR is where the engines write (default: a temporary directory under the current one).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dirArg = args.indexOf('--dir') >= 0 ? args[args.indexOf('--dir') + 1] : null;
const work = fs.mkdtempSync(path.join(dirArg ?? process.cwd(), 'durabench-shots-'));
const out = path.join(work, 'out');
const img = path.join(root, 'docs', 'img');
fs.mkdirSync(img, { recursive: true });

try {
  // raw and wal as in the default suite, and lsm with a small memtable so flushes and compactions
  // happen within the second each case runs.
  execFileSync(
    process.execPath,
    [path.join(root, 'bin', 'durabench.js'), 'run', '--engine', 'raw,wal,lsm', '--mode', 'sync,batch,none', '--memtable-bytes', '262144', '--dir', work, '--out', out, '--format', 'json,html', '--quiet'],
    { stdio: 'inherit' },
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(path.join(out, 'report.html')).href);
    // The top: summary, warnings, the case table, the first row of percentile plots.
    const top = await page.evaluate(() => {
      const grid = document.querySelector('.tabs .panel .grid');
      return grid ? grid.getBoundingClientRect().bottom + window.scrollY + 6 : 1400;
    });
    await page.screenshot({ path: path.join(img, 'run-report.png'), clip: { x: 0, y: 0, width: 1280, height: Math.round(top) }, fullPage: true });
    // The lsm timelines: the last row of the timeline grid (lsm batch and none have flushes).
    const box = await page.evaluate(() => {
      const figs = [...document.querySelectorAll('figure.chart')].filter((f) => /^lsm\/(batch|none)/.test(f.querySelector('.chart-title')?.textContent ?? ''));
      const rects = figs.map((f) => f.getBoundingClientRect());
      const y1 = Math.min(...rects.map((r) => r.top)) + window.scrollY - 8;
      const y2 = Math.max(...rects.map((r) => r.bottom)) + window.scrollY + 8;
      return { y: y1, height: y2 - y1 };
    });
    await page.screenshot({ path: path.join(img, 'run-timeline.png'), clip: { x: 0, y: Math.round(box.y), width: 1280, height: Math.round(box.height) }, fullPage: true });
  } finally {
    await browser.close();
  }
  await terminalShot(work);
  for (const f of ['run-report.png', 'run-timeline.png', 'terminal-progress.png']) {
    const file = path.join(img, f);
    // Palette quantisation keeps text sharp at a fraction of the size; skipped when not installed.
    const q = spawnSync('pngquant', ['--force', '--skip-if-larger', '--quality', '70-90', '--output', file, file], { stdio: 'inherit' });
    if (q.error) process.stderr.write(`pngquant not found (apt-get install pngquant): ${f} left unquantised\n`);
    process.stdout.write(`${path.relative(root, file)}: ${(fs.statSync(file).size / 1024).toFixed(0)} KiB\n`);
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

/**
 * Runs the default suite in a detached tmux pane (a real TTY: the live line is redrawn in place),
 * captures the pane once two cases have finished and the third shows its rate, and draws the captured
 * text in Chromium. The warnings printed before the first case are left out of the picture.
 */
async function terminalShot(workDir) {
  const session = `durabench-shot-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(workDir, 'tty-'));
  const cmd = ['node', 'bin/durabench.js', 'run', '--dir', dir, '--out', path.join(dir, 'out'), '--format', 'json'];
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '20', '-c', root, `${cmd.join(' ')}; sleep 600`]);
  let frame = null;
  try {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const pane = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
      const lines = pane.split('\n').filter((l) => l.trim() !== '');
      const live = lines.findIndex((l) => /^run \[.*\]\s+\d+\.\d%\s+3\/\d+ .* [1-9][\d,]* commits\/s/.test(l));
      if (live >= 0) {
        const first = lines.findIndex((l) => /^1\/\d+ /.test(l));
        frame = [`$ durabench run --dir ${dir}`, ...lines.slice(first, live + 1)];
        break;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  } finally {
    spawnSync('tmux', ['kill-session', '-t', session]);
  }
  if (frame === null) throw new Error('the progress line of the third case never showed in the tmux pane');
  const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const html = `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#fff"><pre id="t" style="display:inline-block;margin:0;padding:14px 18px;background:#1e1e1e;color:#e6e6e6;font:13px/1.45 'DejaVu Sans Mono',monospace">${frame.map(esc).join('\n')}</pre>`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 400 } });
    await page.setContent(html);
    await page.locator('#t').screenshot({ path: path.join(img, 'terminal-progress.png') });
  } finally {
    await browser.close();
  }
  process.stdout.write(`terminal frame:\n${frame.join('\n')}\n`);
}
