import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs, ROOT, SHARED } from '../paths.ts';
import { usePage } from './usePage.ts';

const BANK = path.join(SHARED, 'data/bank-faqs/BankFAQs.csv');
const browser = usePage('/');

/** Drops files on the data panel the way a browser delivers a drag from the desktop. */
async function drop(files: { name: string; text: string }[]): Promise<void> {
  await browser.page.evaluate((files) => {
    const transfer = new DataTransfer();
    for (const { name, text } of files) transfer.items.add(new File([text], name, { type: 'text/csv' }));
    const panel = document.querySelector('[data-testid="data-panel"]')!;
    panel.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    panel.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, files);
}

const text = (id: string) => browser.page.getByTestId(id).textContent();

describe('dropping data into the page', () => {
  it('loads the first-run sample with one click', async () => {
    await browser.page.getByTestId('data-sample').click();
    await expect.poll(() => text('count-rows')).toBe('32');
    expect(await text('count-labels')).toBe('4 (from topic)');
    expect(await text('data-format')).toMatch(/^pairs/);
  });

  it.skipIf(!existsSync(BANK))(needs(BANK, 'reads a dropped BankFAQs.csv in the worker: 1499 rows, 7 classes, detected columns'), async () => {
    await drop([{ name: 'BankFAQs.csv', text: readFileSync(BANK, 'utf8') }]);
    await expect.poll(() => text('count-rows'), { timeout: 30_000 }).toBe('1499');
    expect((await text('count-repeated'))?.replace(/\s+/g, ' ').trim()).toBe('· 252 repeated (Question, Answer) rows merged');
    expect(await text('count-labels')).toBe('7 (from Class)');
    expect(await browser.page.getByTestId('map-query').inputValue()).toBe('Question');
    expect(await browser.page.getByTestId('map-document').inputValue()).toBe('Answer');
    expect(await browser.page.getByTestId('map-label').inputValue()).toBe('Class');
  });

  it('reports a broken file with line and column and keeps what was loaded', async () => {
    const before = await text('data-name');
    await drop([{ name: 'broken.csv', text: 'question,answer\nq1,d1\nq2\n' }]);
    await expect.poll(() => text('data-issues')).toMatch(/error broken\.csv:3:2: row has 1 cells but the header has 2/);
    expect(await text('data-failed')).toMatch(new RegExp(`${before} is still loaded`));
    expect(await text('data-name')).toBe(before);
  });

  it('shows column names from the file as text, never as markup', async () => {
    await drop([{ name: 'xss.csv', text: '<img src=x onerror="window.__xss=1">\n<script>window.__xss=2</script>\n' }]);
    await expect.poll(() => text('data-issues')).toMatch(/header: <img src=x onerror="window.__xss=1">/);
    expect(await browser.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await browser.page.locator('[data-testid="data-issues"] img').count()).toBe(0);
  });

  it('re-reads with the column mapping the user picks', async () => {
    await browser.page.getByTestId('data-sample').click();
    await expect.poll(() => text('count-rows')).toBe('32');
    await browser.page.getByTestId('map-label').selectOption('');
    await expect.poll(() => text('count-labels')).toBe('0');
    await browser.page.screenshot({ path: path.join(ROOT, 'test-results/data-panel.png'), fullPage: true });
  });

  it('streams a 40 MB CSV in the worker with progress, keeping the page responsive', async () => {
    const result = await browser.page.evaluate(async () => {
      const longTasks: number[] = [];
      const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
      observer.observe({ type: 'longtask', buffered: false });
      const parts = ['question,answer,topic\n'];
      let size = 0;
      for (let i = 0; size < 40 * 1024 * 1024; i++) {
        const row = `question number ${i} about an order?,"answer ${i}, with a comma and ""quotes""",t${i % 6}\n`;
        parts.push(row);
        size += row.length;
      }
      const file = new File(parts, 'large.csv', { type: 'text/csv' });
      await new Promise((r) => setTimeout(r, 100)); // let the generation's own long task pass
      longTasks.length = 0;
      const transfer = new DataTransfer();
      transfer.items.add(file);
      const progress = new Set<string>();
      const status = new MutationObserver(() => {
        const text = document.querySelector('[role="status"]')?.textContent;
        if (text) progress.add(text.trim());
      });
      status.observe(document.body, { subtree: true, childList: true, characterData: true });
      const started = performance.now();
      document.querySelector('[data-testid="data-panel"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      while (document.querySelector('[data-testid="data-name"]')?.textContent !== 'large') await new Promise((r) => setTimeout(r, 50));
      status.disconnect();
      observer.disconnect();
      return {
        rows: document.querySelector('[data-testid="count-rows"]')?.textContent,
        seconds: (performance.now() - started) / 1000,
        progress: [...progress],
        longest: Math.max(0, ...longTasks),
        expectedRows: parts.length - 1,
      };
    });
    console.log(`40 MB streamed in ${result.seconds.toFixed(1)} s; longest main-thread task ${result.longest.toFixed(0)} ms`);
    expect(result.rows).toBe(String(result.expectedRows));
    expect(result.progress.some((p) => /Reading… \d+ %/.test(p))).toBe(true);
    expect(result.longest).toBeLessThan(200);
  }, 120_000);

  it('logged no errors', () => {
    expect(browser.consoleErrors).toEqual([]);
  });
});
