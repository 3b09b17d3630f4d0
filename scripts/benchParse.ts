/**
 * `npm run bench:parse [MB] [--browser]`: parser throughput on a generated pairs CSV (default 200 MB): the
 * whole-text path (read, decode, parse, build) against the streamed path the CLI and the data worker use for
 * large files, in MB/s, with the memory the dataset holds and the peak. `--browser` also picks the file in
 * the app in headless Chromium and reports the load time, the renderer's peak RSS (the data worker runs in
 * it) and the longest main-thread task meanwhile.
 */
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readInputs } from '../src/cli/readDataset.ts';
import { loadDataset, MAX_FILE_BYTES } from '../src/core/data/loadDataset.ts';
import { startBrowserSession } from '../tests/browser/browser.ts';

const megabytes = Number(process.argv[2] ?? 200);
const file = path.join(tmpdir(), `embedlab-bench-${megabytes}mb.csv`);
const topics = ['account', 'billing', 'shipping', 'returns', 'security'];
// Written in 1 MB pieces so generating the file does not itself raise the peak memory measured below.
const out = openSync(file, 'w');
let size = 0;
let piece = 'question,answer,topic\n';
for (let i = 0; size + piece.length < megabytes * 1024 * 1024; i++) {
  piece += `How do I handle case ${i} of my order?,"Open Orders, pick order ${i % 50_000} and follow the steps; ""quoted"" text, commas, and a second line\nabout case ${i}.",${topics[i % topics.length]}\n`;
  if (piece.length > 1 << 20) {
    writeSync(out, piece);
    size += piece.length;
    piece = '';
  }
}
writeSync(out, piece);
size += piece.length;
closeSync(out);
const mb = size / 1024 / 1024;
console.log(`generated ${mb.toFixed(0)} MB of pairs CSV (${file}); peak RSS after generating ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);

/**
 * Throughput, the heap the loaded dataset holds (after a full GC, with the dataset still referenced), and the
 * process's peak resident memory after the run (maxRSS is monotonic: run the leaner path first). The peak
 * also counts garbage the GC had not yet collected, so it moves by a few hundred MB from run to run.
 */
async function measure(label: string, run: () => Promise<{ dataset: unknown; rows: number }>): Promise<number> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const result = await run();
  const seconds = (performance.now() - start) / 1000;
  global.gc?.();
  const held = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${label.padEnd(34)} ${(mb / seconds).toFixed(1).padStart(7)} MB/s  ${seconds.toFixed(1)} s  ${result.rows} rows  ` +
      `dataset holds ${held.toFixed(0)} MB (${(held / mb).toFixed(2)}× the file)  peak RSS so far ${peak.toFixed(0)} MB (${(peak / mb).toFixed(2)}×)`,
  );
  return mb / seconds;
}

const streamed = await measure('streamed (papaparse chunks)', async () => {
  const result = await readInputs([file]);
  return { dataset: result.dataset, rows: result.dataset?.rowCount ?? 0 };
});
const whole =
  size <= MAX_FILE_BYTES
    ? await measure('whole text (decode + parse)', async () => {
        const result = loadDataset([{ path: 'bench.csv', bytes: new Uint8Array(readFileSync(file)) }]);
        return { dataset: result.dataset, rows: result.dataset?.rowCount ?? 0 };
      })
    : (console.log(`whole text: skipped, ${mb.toFixed(0)} MB is above the ${MAX_FILE_BYTES / 2 ** 20} MB read at once`), NaN);
if (Number.isFinite(whole)) console.log(`ratio streamed / whole: ${(streamed / whole).toFixed(2)}×`);
if (process.argv.includes('--browser')) await measureInBrowser();
rmSync(file);

/** Resident memory of Chromium's renderer processes (page, its workers), in MB. */
function rendererRss(): number {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the process ended meanwhile
    }
  }
  return kb / 1024;
}

async function measureInBrowser(): Promise<void> {
  const session = await startBrowserSession();
  try {
    const { page } = await session.newPage();
    await page.goto(`${session.baseUrl}/`);
    await page.getByTestId('data-pick').waitFor({ state: 'attached' });
    await page.evaluate(() => {
      const tasks: number[] = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration))).observe({ type: 'longtask' });
      Object.assign(window, { benchLongTasks: tasks });
    });
    const before = rendererRss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rendererRss())), 200);
    const start = performance.now();
    await page.getByTestId('data-pick').setInputFiles(file);
    const name = path.basename(file, '.csv');
    await page.waitForFunction((n) => document.querySelector('[data-testid="data-name"]')?.textContent === n, name, { timeout: 900_000, polling: 250 });
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const rows = await page.getByTestId('count-rows').textContent();
    const longest = await page.evaluate(() => Math.max(0, ...(window as unknown as { benchLongTasks: number[] }).benchLongTasks));
    // What the page and its workers hold once loaded (after GC; cross-origin isolated pages only).
    const held = await page.evaluate(async () => {
      const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
      return measure ? (await measure.call(performance)).bytes / 2 ** 20 : null;
    });
    console.log(
      `in the app (headless Chromium)     ${(mb / seconds).toFixed(1).padStart(7)} MB/s  ${seconds.toFixed(1)} s  ${rows} rows  ` +
        `${held === null ? '' : `page and workers hold ${held.toFixed(0)} MB (${(held / mb).toFixed(2)}× the file)  `}` +
        `renderer peak RSS ${peak.toFixed(0)} MB (${before.toFixed(0)} MB before: +${((peak - before) / mb).toFixed(2)}× the file)  longest main-thread task ${longest.toFixed(0)} ms`,
    );
  } finally {
    await session.close();
  }
}
