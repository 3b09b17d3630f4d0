import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { embedlab } from '../cli/runCli.ts';
import { FIXTURE_MODEL, ROOT } from '../paths.ts';
import { usePage } from './usePage.ts';

const SAMPLE = path.join(ROOT, 'public/samples/helpdesk-faq.csv');

/** A baseline report the CLI wrote (the fixture model alone on the sample), taken by a slot as a checkpoint. */
describe('a stored report as a checkpoint, in the page', () => {
  const browser = usePage('/', async (page) => page.setViewportSize({ width: 1280, height: 900 }));
  let reportFile: string;
  let stored: EvalReport;

  beforeAll(async () => {
    reportFile = path.join(mkdtempSync(path.join(tmpdir(), 'embedlab-page-report-')), 'baseline.json');
    const result = await embedlab(['eval', SAMPLE, '--model', FIXTURE_MODEL, '--json', reportFile, '--no-cache']);
    expect(result.code, result.stderr).toBe(0);
    stored = JSON.parse(await readFile(reportFile, 'utf8')) as EvalReport;
  }, 120_000);

  it('compares the model encoded here with its stored results: the same metrics, nothing encoded for the report', async () => {
    const { page } = browser;
    await page.getByTestId('data-sample').click();
    await expect.poll(() => page.getByTestId('data-name').textContent(), { timeout: 30_000 }).toBe('helpdesk-faq');
    await page.getByTestId('report-file-A').setInputFiles(reportFile);
    await expect.poll(() => page.getByTestId('imported-A').textContent()).toMatch(/tiny-bert from the stored report baseline\.json \(helpdesk-faq, sentence-transformers mode\)/);
    const b = page.getByTestId('slot-B');
    await b.getByText('Runtime options').click();
    await page.getByTestId('backend-B').selectOption('wasm');
    await page.getByTestId('served-B').selectOption('tiny-bert');
    await expect.poll(() => b.getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe('/models/tiny-bert');
    await page.getByTestId('kernels').selectOption('cpu');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results').count(), { timeout: 120_000 }).toBe(1);

    const row = (await page.getByTestId('metrics-table').locator('tr[data-metric="ndcg@10"] td').allTextContents()).slice(0, 2).map(Number);
    expect(row[0]).toBeCloseTo(stored.models[0].metrics['ndcg@10'], 4);
    expect(row[1]).toBeCloseTo(row[0], 4);
    const hint = (await page.getByTestId('results').locator('p.hint').first().textContent()) ?? '';
    expect(hint).toMatch(/tiny-bert: results read from a stored report, nothing encoded/);
    // The stored top lists serve the per-query view.
    await page.getByTestId('per-query-table').locator('tbody tr').first().click();
    await expect.poll(() => page.getByTestId('diff-model-0').locator('li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(browser.consoleErrors).toEqual([]);
  }, 240_000);
});
