import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../paths.ts';
import { usePage } from './usePage.ts';

const ARTIFACTS = path.join(ROOT, 'test-results', 'layout');
const WIDTHS = [1024, 1400, 1920];

/**
 * What overflows its card: per card, each descendant that is wider than its own box (scrollWidth beyond
 * clientWidth, text cut or pushed out) or that reaches past the card's right edge. A scrolling container the
 * page gives a scroll bar on purpose (.table-scroll) counts only if the card itself overflows.
 */
async function overflows(card: Locator): Promise<string[]> {
  return card.evaluate((root) => {
    const box = root.getBoundingClientRect();
    const found: string[] = [];
    const name = (el: Element) => `${el.tagName.toLowerCase()}${el.getAttribute('data-testid') ? `[${el.getAttribute('data-testid')}]` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    if (root.scrollWidth > root.clientWidth + 1) found.push(`the card scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    for (const el of root.querySelectorAll('*')) {
      if (el.closest('.table-scroll') && el.closest('.table-scroll') !== el) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue;
      if (rect.right > box.right + 1 || rect.left < box.left - 1) found.push(`${name(el)} reaches outside the card (${Math.round(rect.left)}–${Math.round(rect.right)} in ${Math.round(box.left)}–${Math.round(box.right)})`);
      const clips = style.overflowX !== 'visible' && !el.classList.contains('table-scroll') && el.tagName !== 'SELECT' && el.tagName !== 'TEXTAREA';
      if (clips && el.scrollWidth > el.clientWidth + 1) found.push(`${name(el)} cuts its content (${el.scrollWidth} > ${el.clientWidth})`);
    }
    return found;
  });
}

/** Inputs whose placeholder is wider than the room inside them (it is cut off, e.g. "hf_… (private or ga"). */
async function clippedPlaceholders(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const context = document.createElement('canvas').getContext('2d')!;
    return [...document.querySelectorAll<HTMLInputElement>('input[placeholder]')]
      .filter((input) => input.offsetParent)
      .flatMap((input) => {
        const style = getComputedStyle(input);
        context.font = style.font;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const needed = context.measureText(input.placeholder).width;
        return needed > room + 1 ? [`the placeholder "${input.placeholder}" is cut (${Math.round(needed)} px in ${Math.round(room)})`] : [];
      });
  });
}

async function shoot(page: Page, width: number, testId: string): Promise<void> {
  await page.getByTestId(testId).first().screenshot({ path: path.join(ARTIFACTS, `${width}-${testId}.png`) });
}

describe('the page at 1024, 1400 and 1920 px wide', () => {
  const browser = usePage('/', async (page) => page.setViewportSize({ width: 1400, height: 900 }));
  beforeAll(() => mkdirSync(ARTIFACTS, { recursive: true }));

  it('keeps every card\'s content inside it — data, three slots, results, per query — and says what it shows', async () => {
    const { page } = browser;
    await page.getByTestId('data-sample').click();
    await expect
      .poll(async () => ((await page.getByTestId('data-name').count()) ? page.getByTestId('data-name').textContent() : `not loaded: ${await page.getByTestId('data-panel').textContent()} ${browser.consoleErrors.join(' ')}`), { timeout: 30_000 })
      .toBe('helpdesk-faq');
    // The same model in A and C (one fingerprint), BM25 in B.
    for (const slot of ['A', 'C']) {
      if (slot === 'C') await page.getByTestId('add-slot').click();
      const card = page.getByTestId(`slot-${slot}`);
      await card.getByText('Runtime options').click();
      await page.getByTestId(`backend-${slot}`).selectOption('wasm');
      await page.getByTestId(`served-${slot}`).selectOption('tiny-bert');
      await expect.poll(() => card.getByTestId('model-name').count(), { timeout: 90_000 }).toBe(1);
    }
    await page.getByTestId('bm25-B').click();
    await expect.poll(() => page.getByTestId('imported-B').textContent()).toMatch(/BM25 \(lexical baseline\)/);
    await page.getByTestId('kernels').selectOption('cpu');
    // Every state of the progress list while it runs: at most one entry is under way, the others read "done".
    await page.evaluate(() => {
      const seen: string[][] = [];
      (window as unknown as { progressSeen: string[][] }).progressSeen = seen;
      new MutationObserver(() => {
        const items = [...document.querySelectorAll('[data-testid="run-progress"] li')].map((li) => (li.textContent ?? '').replace(/\s+/g, ' ').trim());
        if (items.length) seen.push(items);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results').count(), { timeout: 120_000 }).toBe(1);
    const progressSeen = await page.evaluate(() => (window as unknown as { progressSeen: string[][] }).progressSeen);
    expect(progressSeen.length).toBeGreaterThan(0);
    expect(progressSeen.some((items) => items.filter((i) => /: done$/.test(i)).length >= 1)).toBe(true);
    for (const items of progressSeen) expect(items.filter((i) => !/: done$/.test(i)).length, items.join(' | ')).toBeLessThanOrEqual(1);

    await expect.poll(() => page.getByTestId('diagnostics').count(), { timeout: 30_000 }).toBe(1);
    const results = page.getByTestId('results');
    // One model twice: flagged, and its slot letter written once.
    expect(await page.getByTestId('identical-models').textContent()).toMatch(/^\s*A and C are the same model \(the same fingerprint/);
    expect(await page.getByTestId('baseline').locator('option').allTextContents()).toEqual(['A: tiny-bert', 'B bm25', 'C: tiny-bert']);
    expect(await results.textContent()).not.toMatch(/\b([A-H]) \1: /);
    // A and C rank alike: their deltas are a plain 0, never −0.0000 or −0.0 %.
    const ndcgC = (await page.getByTestId('metrics-table').locator('tr[data-metric="ndcg@10"] td').allTextContents()).map((t) => t.trim());
    expect(ndcgC.slice(-6, -4)).toEqual(['0', '0 %']);
    expect(await page.getByTestId('metrics-table').textContent()).not.toMatch(/[−+±]0\.0000(?!\d)|[−+]0\.0 %/);
    // The legend names each model and its backend without brackets inside brackets.
    const legend = (await results.locator('.legend').allTextContents()).map((t) => t.trim());
    expect(legend).toEqual([expect.stringMatching(/^A: tiny-bert — WASM/), expect.stringMatching(/^B = bm25 — BM25/), expect.stringMatching(/^C: tiny-bert — WASM/)]);
    for (const line of legend) expect(line).not.toMatch(/\([^)]*\(/);
    // No triplets in the sample: said so; diagnostics deltas in words, not arrows.
    expect(await page.getByTestId('diagnostic-tripletAccuracy').first().textContent()).toBe('no triplets');
    expect(await page.getByTestId('diagnostics-table').textContent()).not.toMatch(/[▲▼]/);
    // The hint counts texts in the right number.
    const hint = (await results.locator('p.hint').first().textContent()) ?? '';
    expect(hint).toMatch(/^\s*32 queries with judgments,\s+32 documents\./);
    expect(hint).not.toMatch(/\b1 (texts|queries|documents)\b/);

    // The trajectory's metrics are checkboxes: ticking one adds its row, in the table's order.
    const trajectory = page.getByTestId('trajectory');
    expect(await trajectory.locator('tbody th').allTextContents()).toEqual(['recall@1', 'recall@10', 'ndcg@10', 'mrr@10', 'map@100']);
    await page.getByTestId('trajectory-metrics').getByLabel('accuracy@1', { exact: true }).check();
    expect(await trajectory.locator('tbody th').allTextContents()).toEqual(['accuracy@1', 'recall@1', 'recall@10', 'ndcg@10', 'mrr@10', 'map@100']);

    // The per-query list: a visible arrow on the sorted column; a filter with no match says so; the detail
    // panel marks a query the filter hides.
    const list = page.getByTestId('per-query-table');
    await list.locator('tbody tr').first().click();
    await expect.poll(() => page.getByTestId('diff-model-0').locator('ol > li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('per-query-delta-header').textContent()).toMatch(/Δ B−A by \|Δ\|/);
    await list.locator('thead th').first().getByRole('button').click();
    expect(await list.locator('thead th').first().textContent()).toBe('query ▲');
    await list.locator('thead th').first().getByRole('button').click();
    expect(await list.locator('thead th').first().textContent()).toBe('query ▼');
    await page.getByTestId('per-query-filter').fill('no query has this text');
    expect(await page.getByTestId('per-query-empty').textContent()).toMatch(/No query matches “no query has this text”/);
    expect(await page.getByTestId('per-query-hidden').textContent()).toMatch(/is not in the list as filtered now/);
    await page.getByTestId('per-query-filter').fill('');
    expect(await page.getByTestId('per-query-empty').count()).toBe(0);
    expect(await page.getByTestId('per-query-hidden').count()).toBe(0);
    await list.locator('tbody tr').first().click();

    // Buttons are one size, wherever they sit (a label around a file input made some smaller).
    const buttonSizes = await page.evaluate(() =>
      [...new Set([...document.querySelectorAll('button:not(.link), .file-button')].filter((b) => (b as HTMLElement).offsetParent).map((b) => getComputedStyle(b).fontSize))],
    );
    expect(buttonSizes).toHaveLength(1);

    const problems: string[] = [];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 1000 });
      await page.waitForTimeout(300);
      for (const testId of ['data-panel', 'slot-A', 'slot-B', 'slot-C', 'run-panel', 'results', 'per-query']) {
        await shoot(page, width, testId);
        for (const problem of await overflows(page.getByTestId(testId).first())) problems.push(`${width} px, ${testId}: ${problem}`);
      }
      problems.push(...(await clippedPlaceholders(page)).map((p) => `${width} px: ${p}`));
      // The Δ header and the numbers stay on one line each.
      const header = await page.getByTestId('per-query-delta-header').evaluate((th) => th.getBoundingClientRect().height);
      const bodyCell = await list.locator('tbody td.num').first().evaluate((td) => td.getBoundingClientRect().height);
      expect(header, `${width} px: the Δ header wraps`).toBeLessThan(40);
      expect(bodyCell).toBeLessThan(80);
    }
    expect(problems).toEqual([]);

    // Another dataset loaded (the sample again, a new one for the worker): the results say they are an
    // earlier run's, until the next run, whose per-query list starts at its own order again.
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.getByTestId('data-sample').click();
    await expect.poll(() => page.getByTestId('results-stale').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('results-stale').textContent()).toMatch(/from an earlier run on helpdesk-faq/);
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results-stale').count(), { timeout: 120_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('per-query-delta-header').textContent(), { timeout: 30_000 }).toMatch(/by \|Δ\|/);
    expect(await list.locator('thead th').first().textContent()).toBe('query');
    expect(browser.consoleErrors).toEqual([]);
  }, 300_000);
});
