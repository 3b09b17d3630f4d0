import { strFromU8, unzipSync } from 'fflate';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Download } from 'playwright-core';
import { HAS_SHARED_MODELS, needs, REAL_MODELS, ROOT, SHARED, SHARED_MODELS } from '../paths.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { usePage } from './usePage.ts';
import { writePairsSample } from './bankFaqsSample.ts';
import { embedlab } from '../cli/runCli.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';

const ARTIFACTS = path.join(ROOT, 'test-results');
const BANK_FAQS = path.join(SHARED, 'data/bank-faqs/BankFAQs.csv');

const browser = usePage('/', async (page) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  mkdirSync(ARTIFACTS, { recursive: true });
});

/** A metric value and a nonzero change as the metrics table shows them (4 decimals, a real minus sign). */
const shownValue = (value: number) => value.toFixed(4);
const shownDelta = (delta: number) => `${delta > 0 ? '+' : '−'}${Math.abs(delta).toFixed(4)}`;
/** A table row's text: these cells in order, whatever whitespace the markup leaves between them. */
const cellsInOrder = (...cells: string[]) => new RegExp(cells.map((cell) => cell.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s*'));

/** The Δ column of the per-query table as numbers, in the order shown. */
async function shownDeltas(): Promise<number[]> {
  const cells = await browser.page.getByTestId('per-query-table').locator('tbody tr td:last-child').allTextContents();
  return cells.map((c) => Number(c.replace('−', '-').replace('±', '')));
}

/**
 * The JSON report's structure: every key path (values' types at the leaves), with what legitimately differs
 * between the page and the CLI — where each ran and what it ran on — left out.
 */
function shape(value: unknown, at = ''): string[] {
  if (/^\.models\.\d+\.(backend|path|rankedOn)$|\.details\.backend$|\.notes$/.test(at)) return [];
  if (Array.isArray(value)) return value.length ? shape(value[0], `${at}.0`) : [`${at}: []`];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => shape(v, `${at}.${/^(q|d)\d+$/.test(k) ? '<id>' : k}`));
  return [`${at}: ${value === null ? 'null' : typeof value}`];
}

async function downloaded(action: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = (await Promise.all([browser.page.waitForEvent('download'), action()])) as [Download, void];
  return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
}

describe.skipIf(!HAS_SHARED_MODELS)(needs(SHARED_MODELS, 'the main screen on BankFAQs with the two real checkpoints'), () => {
  /**
   * Every second question of each BankFAQs class with all its answers (579 of 1155 queries, 1189 of 2357
   * texts, all 7 classes): encoding it twice in Chromium WASM is most of this file's time. The numbers the
   * page must show are the CLI's (onnxruntime-node) on the same file, so nothing below is copied from a run.
   */
  let sample: ReturnType<typeof writePairsSample>;
  let fromCli: EvalReport;
  beforeAll(async () => {
    sample = writePairsSample(BANK_FAQS, 2);
    expect(sample.classes).toBe(7);
    const out = path.join(ARTIFACTS, 'cli-bankfaqs-report.json');
    mkdirSync(ARTIFACTS, { recursive: true });
    const cli = await embedlab(['eval', sample.file, '--model', path.join(SHARED_MODELS, REAL_MODELS[0]), '--model', path.join(SHARED_MODELS, REAL_MODELS[1]), '--json', out]);
    expect(cli.code, cli.stderr).toBe(0);
    fromCli = JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
    expect(fromCli.dataset.queries).toBe(sample.queries);
  }, 300_000);
  const textsOfSample = () => fromCli.dataset.queries + fromCli.dataset.documents;

  it('loads the data and both models on WASM', async () => {
    const { page } = browser;
    await page.getByTestId('data-pick').setInputFiles(sample.file);
    await expect.poll(() => page.getByTestId('data-panel').getByTestId('count-queries').textContent(), { timeout: 60_000 }).toBe(String(sample.queries));
    for (const [i, id] of ['A', 'B'].entries()) {
      const slot = page.getByTestId(`slot-${id}`);
      await slot.getByText('Runtime options').click();
      await page.getByTestId(`backend-${id}`).selectOption('wasm');
      await page.getByTestId(`served-${id}`).selectOption(REAL_MODELS[i]);
      await expect.poll(() => slot.getByTestId('model-name').textContent(), { timeout: 120_000 }).toBe(`/models/${REAL_MODELS[i]}`);
    }
  }, 300_000);

  it('runs with progress and shows the metrics table with deltas and significance', async () => {
    const { page } = browser;
    // The WGSL kernels are tested on their own; on SwiftShader they would add minutes here.
    await page.getByTestId('kernels').selectOption('cpu');
    const started = Date.now();
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-progress').textContent(), { timeout: 60_000 }).toMatch(/encoding (documents|queries) \d+ \/ \d+/);
    await expect.poll(() => page.getByTestId('results').count(), { timeout: 900_000, interval: 2000 }).toBe(1);
    console.log(`BankFAQs run in the page: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(await page.getByTestId('results').locator('p.hint').first().textContent());
    const table = page.getByTestId('metrics-table');
    // WASM in the page must agree with the CLI (onnxruntime-node) on this data to 4 decimals.
    const [base, tuned] = fromCli.models.map((model) => model.metrics['ndcg@10']);
    const ndcgDelta = fromCli.comparisons[0].metrics['ndcg@10'].delta;
    expect(Math.abs(ndcgDelta), 'the sample keeps a change in ndcg@10 to show').toBeGreaterThanOrEqual(0.0001);
    const ndcg = await table.locator('tr[data-metric="ndcg@10"]').textContent();
    expect(ndcg).toMatch(cellsInOrder('ndcg@10', shownValue(base), shownValue(tuned), shownDelta(ndcgDelta)));
    // A metric that does not move shows its value twice, "0" and "0 %".
    expect(fromCli.comparisons[0].metrics['accuracy@3'].delta).toBe(0);
    expect(await table.locator('tr[data-metric="accuracy@3"]').textContent()).toMatch(/accuracy@3\s*(\d\.\d{4})\s*\1\s*0\s*0 %/);
    expect(await page.getByTestId('findings').textContent()).toContain(`ndcg@10 ${shownValue(base)} → ${shownValue(tuned)}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'main-screen-results.png'), fullPage: true });
    await page.getByTestId('metric-curves').screenshot({ path: path.join(ARTIFACTS, 'main-screen-metric-curves.png') });
  }, 960_000);

  it('shows a query’s top 10 from both models with rank movements, keyboard navigable', async () => {
    const { page } = browser;
    expect(await page.getByTestId('per-query-metric').inputValue()).toBe('ndcg@10');
    // Losses start with the biggest loss, gains with the biggest gain, everything by the size of the change.
    await page.getByTestId('per-query-show').selectOption('losses');
    const losses = await shownDeltas();
    expect(losses.length).toBeGreaterThan(1);
    expect(losses.every((d) => d < 0)).toBe(true);
    expect(losses).toEqual([...losses].sort((a, b) => a - b));
    await page.getByTestId('per-query-show').selectOption('gains');
    const gains = await shownDeltas();
    expect(gains.length).toBeGreaterThan(1);
    expect(gains.every((d) => d > 0)).toBe(true);
    expect(gains).toEqual([...gains].sort((a, b) => b - a));
    await page.getByTestId('per-query-show').selectOption('all');
    const all = await shownDeltas();
    expect(all.map(Math.abs)).toEqual(all.map(Math.abs).sort((a, b) => b - a));
    expect(Math.abs(all[0])).toBe(Math.max(Math.abs(losses[0]), gains[0] ?? 0));
    await page.getByTestId('per-query-show').selectOption('losses');
    const first = page.getByTestId('per-query-table').locator('tbody tr').first();
    await first.click();
    const diff = page.getByTestId('query-diff');
    await expect.poll(() => diff.getByTestId('diff-model-1').locator('li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const movements = await diff.getByTestId('diff-model-1').getByTestId('movement').allTextContents();
    expect(movements.length).toBe(10);
    expect(movements.every((m) => /^(=|↑\d+|↓\d+|new \(was \d+\))$/.test(m))).toBe(true);
    expect(movements.some((m) => m !== '=')).toBe(true);
    const selected = await first.getAttribute('data-query');
    await first.press('ArrowDown');
    await expect.poll(() => page.locator('tr.selected').getAttribute('data-query'), { timeout: 10_000 }).not.toBe(selected);
    await page.getByTestId('per-query').screenshot({ path: path.join(ARTIFACTS, 'main-screen-query-diff.png') });
  });

  it('shows slices per Class and the diagnostics side by side with a reading', async () => {
    const { page } = browser;
    expect(await page.getByTestId('slices').locator('tbody tr').count()).toBe(7);
    const diagnostics = page.getByTestId('diagnostics');
    expect(await diagnostics.getByTestId('diagnostics-table').textContent()).toMatch(/Silhouette \(cosine\)/);
    expect(await diagnostics.getByTestId('diagnostics-reading').count()).toBe(1);
  });

  it('exports Markdown with findings and per-query examples, the CLI’s JSON document, and CSV', async () => {
    const { page } = browser;
    const markdown = await downloaded(() => page.getByTestId('export-markdown').click());
    expect(markdown.text).toMatch(/## Summary/);
    expect(markdown.text).toMatch(/## Per-query examples/);
    const json = JSON.parse((await downloaded(() => page.getByTestId('export-json').click())).text) as EvalReport;
    expect(json.models.map((m: { name: string }) => m.name)).toEqual([...REAL_MODELS]);
    expect(Object.keys(json.models[0].diagnostics!)).toContain('neighborCoherence@10');
    // The CLI's --json for the same data and models (run before the page) is the same document: same structure, same numbers.
    expect(shape(json)).toEqual(shape(fromCli));
    expect(json.dataset).toEqual(fromCli.dataset);
    expect(json.metricKeys).toEqual(fromCli.metricKeys);
    json.models.forEach((model, i) => {
      for (const key of json.metricKeys) expect(Math.abs(model.metrics[key] - fromCli.models[i].metrics[key]), `${model.name} ${key}`).toBeLessThan(1e-4);
      expect(Math.abs(model.diagnostics!.rocAuc! - fromCli.models[i].diagnostics!.rocAuc!)).toBeLessThan(1e-4);
      expect(model.diagnostics!.details.labels).toEqual(fromCli.models[i].diagnostics!.details.labels);
    });
    const csv = await downloaded(() => page.getByTestId('export-csv').click());
    // The byte-order mark Excel needs to open UTF-8 (the headers hold "Δ").
    expect(csv.text.split('\r\n')[0]).toMatch(/^\uFEFFquery_id,query,label,lab-minilm-l6-base accuracy@1/);
    expect(csv.text.trim().split('\r\n').length).toBe(1 + sample.queries);
  });

  it('switches to TREC mode without encoding again', async () => {
    const { page } = browser;
    await page.getByTestId('trec-mode').check();
    await expect.poll(() => page.getByTestId('metrics-table').textContent(), { timeout: 60_000 }).toMatch(/trec_eval semantics/);
    expect(await page.getByTestId('metrics-table').locator('tr[data-metric="mrr"]').count()).toBe(1);
  });

  it('re-runs from the embedding cache, and with a third checkpoint shows the trajectory', async () => {
    const { page } = browser;
    await page.getByTestId('trec-mode').uncheck();
    expect(await page.getByTestId('cache-size').textContent()).toMatch(/[1-9]\d* vectors/);
    await page.getByTestId('add-slot').click();
    const slot = page.getByTestId('slot-C');
    await slot.getByText('Runtime options').click();
    await page.getByTestId('backend-C').selectOption('wasm');
    await page.getByTestId('served-C').selectOption('tiny-bert');
    await expect.poll(() => slot.getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe('/models/tiny-bert');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('trajectory').count(), { timeout: 600_000, interval: 2000 }).toBe(1);
    const hint = (await page.getByTestId('results').locator('p.hint').first().textContent()) ?? '';
    const texts = textsOfSample();
    expect(hint).toContain(`lab-minilm-l6-base: 0 texts encoded, ${texts} from cache`);
    expect(hint).toContain(`lab-minilm-l6-scifact-ft: 0 texts encoded, ${texts} from cache`);
    expect(hint).toContain(`tiny-bert: ${texts} texts encoded, 0 from cache`);
    expect(await page.getByTestId('trajectory').locator('tbody tr').count()).toBeGreaterThan(0);
    // Every checkpoint's run in one download.
    const [zip] = await Promise.all([browser.page.waitForEvent('download'), page.getByTestId('export-trec').click()]);
    expect(zip.suggestedFilename()).toMatch(/BankFAQs-runs\.zip$/);
    const runs = unzipSync(readFileSync((await zip.path())!));
    expect(Object.keys(runs)).toEqual([expect.stringMatching(/BankFAQs-lab-minilm-l6-base\.run$/), expect.stringMatching(/-lab-minilm-l6-scifact-ft\.run$/), expect.stringMatching(/-tiny-bert\.run$/)]);
    expect(strFromU8(Object.values(runs)[0]).split('\n')[0]).toMatch(/^q\d+ Q0 d\d+ 1 -?\d(\.\d+)? lab-minilm-l6-base$/);
    await page.getByTestId('trajectory').screenshot({ path: path.join(ARTIFACTS, 'main-screen-trajectory.png') });
  }, 660_000);

  it('lays out on a 4K screen in the dark theme', async () => {
    const { page } = browser;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 3840, height: 2160 });
    const background = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg').trim());
    expect(background).toBe('#0d1117');
    // Nothing wider than the screen: the tables scroll inside their panels.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(3840);
    await page.screenshot({ path: path.join(ARTIFACTS, 'main-screen-4k-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
    // Charts follow the new width on their next ResizeObserver callback.
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth), { timeout: 10_000 }).toBeLessThanOrEqual(1280);
  });

  it('renders a hostile corpus as text and escapes formulas in the CSV export', async () => {
    const { page } = browser;
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    const rows = [
      ['Question', 'Answer', 'Class'],
      ['<img src=x onerror="window.__xss=1;alert(1)">', '<script>window.__xss=2</script>Reset your PIN at any branch.', '<b>cards</b>'],
      ['=HYPERLINK("http://evil.example","click")', 'Call us on +1 555 0100 to block a card.', 'cards'],
      ['How do I open an account?', '@SUM(1,2) Visit a branch with your ID.', 'accounts'],
      ['What are the fees?', '-2+3 There are no monthly fees.', 'accounts'],
    ];
    const csv = rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n');
    await page.getByTestId('data-pick').setInputFiles({ name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect.poll(() => page.getByTestId('data-panel').textContent(), { timeout: 30_000 }).toMatch(/hostile/);
    await page.getByTestId('kernels').selectOption('auto');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results').textContent(), { timeout: 120_000 }).toMatch(/Results: hostile/);
    // "auto" kernels never take the software adapter, and say so.
    expect(await page.getByTestId('kernels-choice').textContent()).toMatch(/^the CPU — WebGPU is a software adapter/);
    expect(await page.getByTestId('kernels-reason').textContent()).toMatch(/the CPU — WebGPU is a software adapter/);
    await page.getByTestId('per-query-show').selectOption('all');
    const table = page.getByTestId('per-query-table');
    expect(await table.textContent()).toContain('<img src=x onerror="window.__xss=1;alert(1)">');
    await table.locator('tbody tr', { hasText: '<img' }).click();
    await expect.poll(() => page.getByTestId('query-diff').textContent(), { timeout: 30_000 }).toContain('<script>window.__xss=2</script>');
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
    const exported = await downloaded(() => page.getByTestId('export-csv').click());
    expect(exported.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(exported.text).not.toMatch(/(^|,)"?=HYPERLINK/m);
    await page.screenshot({ path: path.join(ARTIFACTS, 'main-screen-hostile-corpus.png'), fullPage: true });
  }, 180_000);

  it('made no request outside the page’s origin', () => {
    const origin = new URL(browser.session.baseUrl).origin;
    const foreign = browser.requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(foreign).toEqual([]);
  });
});
