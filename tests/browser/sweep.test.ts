import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { usePage } from './usePage.ts';

/** The compression sweep driven from the run panel, on the sample data with the fixture model in two slots. */
describe('the compression sweep in the page', () => {
  const browser = usePage('/', async (page) => page.setViewportSize({ width: 1280, height: 900 }));

  it('runs from the run panel and shows its table and chart, the full-size float32 row equal to the metric table', async () => {
    const { page } = browser;
    await page.getByTestId('data-sample').click();
    await expect.poll(() => page.getByTestId('data-name').textContent(), { timeout: 30_000 }).toBe('helpdesk-faq');
    for (const slot of ['A', 'B']) {
      await page.getByTestId(`slot-${slot}`).getByText('Runtime options').click();
      await page.getByTestId(`backend-${slot}`).selectOption('wasm');
      await page.getByTestId(`served-${slot}`).selectOption('tiny-bert');
      await expect.poll(() => page.getByTestId(`slot-${slot}`).getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe('/models/tiny-bert');
    }
    await page.getByTestId('kernels').selectOption('cpu');
    await page.getByTestId('sweep-options').getByText('Compression sweep').click();
    await page.getByTestId('sweep-enabled').check();
    await page.getByTestId('sweep-dims').fill('32,16');
    await page.getByTestId('sweep-options').getByLabel('float16').uncheck();
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('sweep').count(), { timeout: 120_000 }).toBe(1);

    const table = page.getByTestId('sweep-table');
    // 2 checkpoints × 2 sizes × (float32, int8, int8 rescored, binary, binary rescored).
    expect(await table.locator('tbody tr').count()).toBe(20);
    const full = table.locator('tbody tr[data-dims="32"][data-precision="float32"]').first();
    const fullValue = Number((await full.locator('td').nth(6).textContent())?.trim());
    const metricsRow = (await page.getByTestId('metrics-table').locator('tr[data-metric="ndcg@10"] td').allTextContents()).map(Number);
    expect(fullValue).toBeCloseTo(metricsRow[0], 4);
    expect(await full.locator('td').nth(3).textContent()).toBe('128');
    expect(await table.locator('tbody tr[data-precision="binary + rescore ×4"]').count()).toBe(4);
    expect(await table.locator('tbody tr.pareto').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('sweep').locator('canvas').count()).toBe(1);
    mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    await page.getByTestId('sweep').screenshot({ path: path.join(ROOT, 'test-results/sweep.png') });
    // Another metric re-reads the same cells.
    await page.getByTestId('sweep-metric').selectOption('recall@10');
    await expect.poll(() => table.locator('thead th').nth(6).textContent()).toBe('recall@10');
    expect(browser.consoleErrors).toEqual([]);
  }, 240_000);

  it('encodes each model slot again with int8 weights (made here) and measures them against fp32', async () => {
    const { page } = browser;
    await page.getByTestId('sweep-dims').fill('32');
    for (const precision of ['int8', 'binary']) await page.getByTestId('sweep-options').getByLabel(precision, { exact: true }).uncheck();
    await page.getByTestId('sweep-int8-weights').check();
    await page.getByTestId('run').click();
    const table = page.getByTestId('sweep-table');
    await expect.poll(() => table.locator('tbody tr[data-precision="float32, int8 weights"]').count(), { timeout: 120_000 }).toBe(2);
    expect(await table.locator('tbody tr[data-precision="float32"]').count()).toBe(2);
    const lines = await page.getByTestId('sweep-weights').allTextContents();
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^int8 weights of [AB]: tiny-bert: cosine to the fp32 embeddings min 0\.99\d+, mean 0\.99\d+ over every document and query; (encoded at [\d.]+ texts\/s|taken from the embedding cache)\.$/);
    // Both slots hold the same folder: the second int8 variant has the first one's fingerprint, so it comes from the cache.
    expect(lines.some((line) => /encoded at/.test(line))).toBe(true);
    // The variants are checkpoints of the comparison too: four columns, A and its variant, B and its variant.
    expect(await page.getByTestId('metrics-table').locator('thead').textContent()).toMatch(/^metricA \(baseline\)BCDΔ B−A/);
    expect(await page.getByTestId('results').locator('p.hint').first().textContent()).toMatch(/A: tiny-bert · int8 weights: \d+ texts encoded/);
    expect(browser.consoleErrors).toEqual([]);
  }, 240_000);
});
