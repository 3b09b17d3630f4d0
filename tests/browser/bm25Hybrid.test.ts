import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { usePage } from './usePage.ts';
import { loadSample, serveModel } from './pageSteps.ts';

/** Ticks `inputs` in slot `slot`'s "Hybrid of…" and takes the hybrid with `method`. */
async function useHybrid(page: Page, slot: string, inputs: string[], method: string): Promise<void> {
  await page.getByTestId(`slot-${slot}`).getByText('Hybrid of…').click();
  for (const input of inputs) await page.getByTestId(`fuse-${slot}-${input}`).check();
  await page.getByTestId(`fuse-method-${slot}`).selectOption(method);
  await page.getByTestId(`fuse-${slot}`).click();
  await expect.poll(() => page.getByTestId(`imported-${slot}`).textContent()).toMatch(new RegExp(`a hybrid of slots ${inputs.join(', ')} — their rankings fused by ${method}`));
}

/**
 * In the page, on the one-click sample: the fixture model (A), BM25 (B), their RRF hybrid (C) and their
 * weighted sum with a cross-validated weight (D), in one run on WASM — their rows, what the findings say
 * against BM25, the weight curve, and why BM25 and the hybrid ranked a query's documents where they did.
 */
describe('BM25 and hybrids in the page', () => {
  const browser = usePage('/', async (page) => page.setViewportSize({ width: 1400, height: 900 }));

  it('runs a model, BM25 and two hybrids of them, and explains their rankings query by query', async () => {
    const { page } = browser;
    await loadSample(page);
    await serveModel(page, 'A', 'tiny-bert');
    await page.getByTestId('bm25-B').click();
    await expect.poll(() => page.getByTestId('imported-B').textContent()).toMatch(/BM25 \(lexical baseline\): .*as bm25s defines it/);
    await page.getByTestId('add-slot').click();
    await useHybrid(page, 'C', ['A', 'B'], 'rrf');
    await page.getByTestId('add-slot').click();
    await useHybrid(page, 'D', ['A', 'B'], 'wsum');
    await page.getByTestId('kernels').selectOption('cpu');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results').count(), { timeout: 60_000 }).toBe(1);

    // Four rows of values, each a metric in [0, 1].
    const row = (await page.getByTestId('metrics-table').locator('tr[data-metric="ndcg@10"] td').allTextContents()).slice(0, 4).map(Number);
    expect(row).toHaveLength(4);
    for (const value of row) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    expect(row[1]).toBeGreaterThan(0);
    const hint = (await page.getByTestId('results').locator('p.hint').first().textContent()) ?? '';
    expect(hint).toMatch(/bm25: BM25 ranked here, bm25 \(lucene, k1 1\.5, b 0\.75\)/);
    expect(hint).toMatch(/rrf A\+B: a hybrid, rrf@60:tiny-bert,bm25/);
    const findings = (await page.getByTestId('findings').textContent()) ?? '';
    expect(findings).toMatch(/against \d\.\d{4} for bm25/);
    expect(findings).toMatch(/tiny-bert scores ndcg@10 .* against .* for bm25/);

    // The weighted sum's weight, chosen fold by fold: its curve over W and each fold's W.
    const curve = page.getByTestId('fusion-curve-3');
    await expect.poll(() => curve.count(), { timeout: 30_000 }).toBe(1);
    expect(await curve.locator('canvas').count()).toBe(1);
    expect(await curve.getByTestId('fusion-folds').textContent()).toMatch(/fold 1 W = (0|1|0\.\d+) \(ndcg@10 \d\.\d{4} on its \d+ quer(y|ies)\);.*fold 5 W = .*Cross-validated ndcg@10: \d\.\d{4}/s);
    expect(await page.getByTestId('fusion-curve-2').count()).toBe(0);

    // A query where BM25 found something: its documents have the query's terms marked; the hybrid's their input ranks.
    const rows = page.getByTestId('per-query-table').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await rows.first().click();
    const lexical = page.getByTestId('diff-model-1');
    await expect.poll(() => lexical.locator('ol > li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // The data worker loads BM25's tokenizer for the detail (loadQueryDetail); without it nothing is marked.
    expect(await lexical.getByTestId('query-terms').count(), 'the BM25 column states no query terms').toBe(1);
    expect(await lexical.getByTestId('query-terms').textContent()).toMatch(/Query terms \(stems\) BM25 matched, marked in each document: \w+/);
    const marked = await lexical.locator('ol > li mark').allTextContents();
    expect(marked.length).toBeGreaterThan(0);
    // Every mark is a word of the document, as written; the top document holds at least one.
    expect(await lexical.locator('ol > li').first().locator('mark').count()).toBeGreaterThan(0);
    for (const word of marked) expect(word).toMatch(/^[\p{L}\p{N}_]{2,}$/u);
    // The model's column marks nothing.
    expect(await page.getByTestId('diff-model-0').locator('mark').count()).toBe(0);

    const fused = page.getByTestId('diff-model-2');
    expect(await fused.textContent()).toMatch(/Each document's rank in each input \(tiny-bert, bm25\); — = not in its top 100/);
    const ranks = await fused.locator('ol > li').getByTestId('input-ranks').allTextContents();
    expect(ranks.length).toBe(await fused.locator('ol > li').count());
    for (const text of ranks) expect(text).toMatch(/^tiny-bert (#\d+|—) · bm25 (#\d+|—)$/);
    // RRF's first document is first or near it in at least one input.
    expect(ranks[0]).toMatch(/#[1-3]\b/);
    expect(browser.consoleErrors).toEqual([]);
  }, 120_000);
});
