import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { usePage } from './usePage.ts';

/**
 * The metric table's statistics on the one-click sample, BM25 (A) against a run file (B) that ranks each
 * query's own answer first for odd queries and third for even ones: nothing is encoded, so it runs in seconds.
 * On these 32 queries accuracy@3 has 7 wins, 25 ties and no loss: raw p 0.016, Holm over 16 metrics 0.26.
 */
describe('the metric table says which interval it shows, and why one parts from "significant"', () => {
  const browser = usePage('/', async (page) => page.setViewportSize({ width: 1400, height: 900 }));
  let run: string;

  beforeAll(() => {
    const lines = Array.from({ length: 32 }, (_, q) => {
      const own = `d${q + 1}`;
      const others = [1, 2].map((k) => `d${((q + k) % 32) + 1}`);
      const list = q % 2 === 0 ? [own, ...others] : [...others, own];
      return list.map((doc, rank) => `q${q + 1} Q0 ${doc} ${rank + 1} ${3 - rank} half`).join('\n');
    });
    run = path.join(mkdtempSync(path.join(tmpdir(), 'embedlab-page-intervals-')), 'half.run');
    writeFileSync(run, `${lines.join('\n')}\n`);
  });

  it('shows the raw p beside the Holm p, the Holm interval by default, the others on request, and marks what still disagrees', async () => {
    const { page } = browser;
    await page.getByTestId('data-sample').click();
    await expect.poll(() => page.getByTestId('data-name').textContent(), { timeout: 30_000 }).toBe('helpdesk-faq');
    await page.getByTestId('bm25-A').click();
    await page.getByTestId('run-file-B').setInputFiles(run);
    await expect.poll(() => page.getByTestId('imported-B').textContent()).toMatch(/a ranking from the run file half\.run/);
    await page.getByTestId('kernels').selectOption('cpu');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results').count(), { timeout: 60_000 }).toBe(1);

    const table = page.getByTestId('metrics-table');
    const headers = await table.locator('thead th').allTextContents();
    expect(headers.slice(3)).toEqual(['Δ B−A', 'rel.', 'CI (Holm)', 'p', 'p (Holm)', 'W/T/L']);
    const cells = async (metric: string) => (await table.locator(`tr[data-metric="${metric}"] td`).allTextContents()).map((t) => t.trim());
    // accuracy@3: the interval leaves 0 out, the test does not find the change: marked, with the reason.
    const accuracy3 = await cells('accuracy@3');
    expect(accuracy3.slice(4, 7)).toEqual(['[+0.0313, +0.4375]†', '0.016', '0.259']);
    expect(await page.getByTestId('interval-accuracy@3-1').getAttribute('title')).toMatch(/^99\.7 % interval — † the bootstrap interval leaves out 0 while the randomization test does not find a change/);
    expect(await page.getByTestId('interval-footnotes').textContent()).toMatch(/† accuracy@3, accuracy@5, precision@3, precision@5, recall@3, recall@5 \(B − A\): the bootstrap interval leaves out 0/);
    await table.screenshot({ path: path.join(ROOT, 'test-results', 'metrics-intervals.png') });
    // ndcg@10 agrees: no marker.
    expect((await cells('ndcg@10'))[4]).toMatch(/^\[−0\.\d{4}, \+0\.\d{4}\]$/);

    await page.getByTestId('interval-kind').selectOption('bonferroni');
    expect(await page.getByTestId('interval-header-1').textContent()).toBe('99.7 % CI (Bonferroni)');
    await page.getByTestId('interval-kind').selectOption('unadjusted');
    expect(await page.getByTestId('interval-header-1').textContent()).toBe('95 % CI (unadjusted)');
    // Narrower, and still marked: a reader is never left with "excludes 0" beside "not significant" unexplained.
    const unadjusted = (await cells('accuracy@3'))[4];
    expect(unadjusted).toMatch(/^\[\+0\.\d{4}, \+0\.\d{4}\]†$/);
    expect(browser.consoleErrors).toEqual([]);
  }, 180_000);
});
