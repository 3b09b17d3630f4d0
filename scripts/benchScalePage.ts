/**
 * `npm run bench:scale:page [DOCUMENTS] [QUERIES] [npy|parquet|feather] [float32|float16]` (the second half of `npm run
 * bench:scale`): the page at the sizes teams bring (defaults 500 000 documents × 384 and 1 000 queries), with
 * two checkpoints of precomputed vectors in one tab — the first in the dataset's order without ids, the
 * second shuffled with ids files, so both ways of matching rows are measured. With `parquet` or `feather`
 * the second is written by pyarrow as four part files of both sides with a kind column, as a Ray Data or
 * Spark job writes them. With `float16` both checkpoints' files hold float16 (documents kept as float16
 * in the page: half the memory). The production build is served as it would be hosted (COOP/COEP,
 * so WASM and the kernels get both cores) and driven in headless Chromium through the page's own file inputs.
 *
 * Prints: each stage of the run as the page's progress list shows it, with its time; every main-thread task
 * over 50 ms (PerformanceObserver 'longtask', from page load to the rendered results); the renderer process's
 * peak memory (VmHWM, read from /proc: the page and its workers live there) and the browser's own
 * `measureUserAgentSpecificMemory` breakdown at the end. Figures, never assertions.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/browser/browser.ts';
import { longTasks, watchLongTasks } from '../tests/browser/longTasks.ts';
import { DIM, makeScaleData, toTableParts, vectorFormat, vectorPrecision, watchPeakMemory } from './scaleData.ts';

const DOCS = Number(process.argv[2] ?? 500_000);
const QUERIES = Number(process.argv[3] ?? 1_000);
const FORMAT = vectorFormat(process.argv[4], "the second checkpoint's format");
const PRECISION = vectorPrecision(process.argv[5]);
const ROOT = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-scale-page-'));
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);

let started = performance.now();
const scale = makeScaleData(dir, DOCS, QUERIES);
console.log(`bench:scale (page): ${DOCS} documents × ${DIM} × 2 checkpoints (the second as ${FORMAT}; ${PRECISION}), ${QUERIES} queries; vectors from ${scale.seededFrom} plus seeded noise`);
const inOrder = path.join(dir, 'noisy-minilm');
const shuffled = path.join(dir, 'noisier-minilm');
await scale.writeVectors(inOrder, { seed: 1, documentNoise: 0.35, queryNoise: 0.3, precision: PRECISION });
await scale.writeVectors(shuffled, { seed: 2, documentNoise: 0.45, queryNoise: 0.35, shuffled: true, precision: PRECISION });
if (FORMAT !== 'npy') toTableParts(shuffled, FORMAT);
console.log(`files written in ${seconds(started)} s (${dir})`);

started = performance.now();
const outDir = path.join(dir, 'dist');
await build({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
const server = await preview({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } });
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('the preview server has no URL');
console.log(`production build served in ${seconds(started)} s`);

/** Chromium's processes started by this bench, by type (renderer, gpu-process, …; the browser has none). */
function chromiumProcesses(type: string): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const ours = (pid: number): boolean => {
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    if (!ours(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--type=${type}`);
    } catch {
      return false;
    }
  });
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const errors: string[] = [];
page.on('pageerror', (error) => errors.push(error.message));
page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
await watchLongTasks(page);
await page.goto(url);
const renderer = watchPeakMemory(() => chromiumProcesses('renderer'));
const phases: { name: string; from: number; to: number }[] = [];
let runStarted = 0;
const pageNow = () => page.evaluate(() => performance.now());

async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const from = await pageNow();
  const at = performance.now();
  const result = await work();
  phases.push({ name, from, to: await pageNow() });
  console.log(`  ${name}: ${seconds(at)} s`);
  return result;
}

/** Polls until `done`, printing each new line of the page's progress list with the time it first showed. */
async function follow(done: () => Promise<boolean>, progress: () => Promise<string>, limitSeconds: number): Promise<void> {
  const from = performance.now();
  let last = '';
  while (!(await done())) {
    if (performance.now() - from > limitSeconds * 1000) throw new Error(`no result after ${limitSeconds} s; the page shows: ${last}`);
    const now = (await progress().catch(() => '')).replace(/\s+/g, ' ').trim();
    // Stage changes, not every counter tick: digits are left out of the comparison.
    if (now && now.replace(/[\d.,]+/g, '#') !== last.replace(/[\d.,]+/g, '#')) console.log(`    [${seconds(from).padStart(6)} s] ${now}`);
    if (now) last = now;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

try {
  await phase('dataset read (corpus.jsonl, queries.jsonl, qrels.tsv)', async () => {
    const { data } = scale;
    // Three tables by name (a file input gives no folder paths, so qrels/test.tsv would lose its meaning).
    copyFileSync(path.join(data, 'qrels/test.tsv'), path.join(data, 'qrels.tsv'));
    await page.getByTestId('data-pick').setInputFiles([path.join(data, 'corpus.jsonl'), path.join(data, 'queries.jsonl'), path.join(data, 'qrels.tsv')]);
    await follow(
      async () => (await page.getByTestId('data-name').count()) > 0 || (await page.getByTestId('data-failed').count()) > 0,
      () => page.getByTestId('data-panel').innerText(),
      600,
    );
    if ((await page.getByTestId('data-failed').count()) > 0) throw new Error(`the dataset was refused: ${await page.getByTestId('data-failed').innerText()}`);
  });
  await phase('vector files picked (both slots)', async () => {
    for (const [slot, folder] of [['A', inOrder], ['B', shuffled]] as const) {
      const files = readdirSync(folder).map((name) => path.join(folder, name));
      await page.getByTestId(`vectors-${slot}`).setInputFiles(files);
      await page.getByTestId(`imported-${slot}`).waitFor({ timeout: 60_000 });
    }
  });
  await page.getByTestId('kernels').selectOption('cpu');
  await phase('comparison (read, rank, score, diagnostics, rendered)', async () => {
    runStarted = performance.now();
    await page.getByTestId('run').click();
    await follow(
      async () => (await page.getByTestId('results').count()) > 0 || (await page.getByTestId('run-error').count()) > 0,
      () => page.getByTestId('run-progress').innerText(),
      3600,
    );
    if ((await page.getByTestId('run-error').count()) > 0) throw new Error(`the run failed: ${await page.getByTestId('run-error').innerText()}`);
  });
  await phase('a query opened (both models’ top lists)', async () => {
    await page.getByTestId('per-query-table').locator('tbody tr').first().click();
    await page.getByTestId('diff-model-1').locator('li').first().waitFor({ timeout: 120_000 });
  });
  // Let the last frames settle before reading the long tasks.
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const rows = await page
    .getByTestId('metrics-table')
    .locator('tbody tr')
    .evaluateAll((trs) => trs.filter((tr) => /^(ndcg@10|mrr@10|recall@10)$/.test(tr.getAttribute('data-metric') ?? '')).map((tr) => [...tr.querySelectorAll('th, td')].slice(0, 4).map((cell) => cell.textContent?.trim()).join('  ')));
  console.log(`\nmetrics (the page's table: metric, A, B, Δ):\n${rows.map((r) => `  ${r}`).join('\n')}`);
  const hint = await page.getByTestId('results').locator('p.hint').first().innerText();
  console.log(`how the vectors were read: ${hint.replace(/\s+/g, ' ').slice(0, 400)}`);

  const tasks = await longTasks(page);
  const over = tasks.filter((t) => t.duration > 50);
  console.log(`\nmain-thread tasks over 50 ms from page load to the opened query: ${over.length}${over.length ? `, longest ${Math.max(...over.map((t) => t.duration)).toFixed(0)} ms` : ''}`);
  for (const t of over) {
    const during = phases.find((p) => t.start >= p.from && t.start <= p.to);
    const where = during ? `during "${during.name}", ${((t.start - during.from) / 1000).toFixed(1)} s in` : t.start < phases[0].from ? 'while the page loaded' : 'between phases';
    console.log(`  ${t.duration.toFixed(0)} ms ${where}`);
  }
  const uaMemory = await page
    .evaluate(async () => {
      const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: { bytes: number; types: string[]; attribution: { scope?: string }[] }[] }> }).measureUserAgentSpecificMemory;
      if (!crossOriginIsolated || !measure) return null;
      const result = await Promise.race([measure.call(performance), new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000))]);
      if (!result) return null;
      return { bytes: result.bytes, parts: result.breakdown.filter((b) => b.bytes > 0).map((b) => ({ bytes: b.bytes, where: b.attribution.map((a) => a.scope ?? '').join('+') || b.types.join('+') || 'shared' })) };
    })
    .catch(() => null);
  const { peakBytes, peakSumBytes, peakSumAt } = renderer.stop();
  const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GB`;
  const vectorBytes = 2 * (DOCS + QUERIES) * DIM * 4;
  console.log(`renderer peak memory (VmHWM): ${gb(peakBytes)}; renderer processes together at most ${gb(peakSumBytes)}, ${((peakSumAt - runStarted) / 1000).toFixed(1)} s after "Run" (the two checkpoints' float32 vectors: ${gb(vectorBytes)})`);
  console.log(
    uaMemory
      ? `measureUserAgentSpecificMemory at the end: ${gb(uaMemory.bytes)} — ${uaMemory.parts.map((p) => `${p.where} ${gb(p.bytes)}`).join(', ')}`
      : 'measureUserAgentSpecificMemory: no answer within 20 s (Chromium answers at its next garbage collection)',
  );
  if (errors.length) console.log(`console errors: ${errors.slice(0, 5).join(' | ')}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
