import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { usePage } from './usePage.ts';
import { loadSample, serveModel } from './pageSteps.ts';

const ARTIFACTS = path.join(ROOT, 'test-results');

/**
 * In the page, on the one-click sample (its "topic" column labels queries and documents): the fixture
 * model (A) against BM25 (B). The findings follow the baseline picked, the slices and per-label
 * diagnostics are on screen, the AUCs carry their reading, and the top-10 lists show each document's label.
 */
describe('what the results say, and against which baseline', () => {
  const browser = usePage('/', async (page) => page.setViewportSize({ width: 1400, height: 900 }));
  beforeAll(() => mkdirSync(ARTIFACTS, { recursive: true }));

  it('re-words the findings when the baseline changes and shows slices, per-label diagnostics and labels', async () => {
    const { page } = browser;
    await loadSample(page);
    await serveModel(page, 'A', 'tiny-bert');
    await page.getByTestId('bm25-B').click();
    await expect.poll(() => page.getByTestId('imported-B').textContent()).toMatch(/BM25 \(lexical baseline\)/);
    await page.getByTestId('kernels').selectOption('cpu');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results').count(), { timeout: 60_000 }).toBe(1);

    const findings = page.getByTestId('findings');
    await expect.poll(() => findings.textContent()).toMatch(/bm25 vs tiny-bert: ndcg@10 /);
    expect(await findings.textContent()).not.toMatch(/Diagnostics, /);
    await page.getByTestId('baseline').selectOption('1');
    await expect.poll(() => findings.textContent()).toMatch(/tiny-bert vs bm25: ndcg@10 /);
    expect(await findings.textContent()).not.toMatch(/bm25 vs tiny-bert/);
    await page.getByTestId('baseline').selectOption('0');

    await expect.poll(() => page.getByTestId('slices').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('slices').locator('tbody th').allTextContents()).toContain('account');
    await expect.poll(() => page.getByTestId('per-label-diagnostics').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('per-label-diagnostics').locator('tbody th').allTextContents()).toContain('account');
    expect(await page.getByTestId('diagnostic-note').allTextContents()).toContainEqual(expect.stringMatching(/under 0\.5 is normal even for a good model/));
    await page.getByTestId('diagnostics').screenshot({ path: path.join(ARTIFACTS, 'report-reading-diagnostics.png') });

    await page.getByTestId('per-query-table').locator('tbody tr').first().click();
    const column = page.getByTestId('diff-model-0');
    await expect.poll(() => column.locator('ol > li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const labels = await column.getByTestId('doc-label').allTextContents();
    expect(labels.length).toBe(await column.locator('ol > li').count());
    expect(labels.every((l) => l.trim().length > 0)).toBe(true);
    await page.getByTestId('per-query').screenshot({ path: path.join(ARTIFACTS, 'report-reading-per-query.png') });
    expect(browser.consoleErrors).toEqual([]);
  }, 240_000);
});
