/**
 * The page with the same model twice: slot A the ONNX export (`/models/lab-minilm-l6-base`, served), slot B
 * the checkpoint as training writes it (model.safetensors, no onnx/), picked as a folder, its graph built
 * in the browser. On WASM both graphs compute the same embeddings within float noise, so one run must give
 * both rows the same metrics, and the report must say which weights each row ran.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { safetensorsCheckpoint, stCheckpointToolsMissing } from '../fixtures/stCheckpoint.ts';
import { HAS_SHARED_MODELS, needs, SHARED_MODELS } from '../paths.ts';
import { usePage } from './usePage.ts';

const ONNX_MODEL = 'lab-minilm-l6-base';
/** Made (once, by tests/globalSetup.ts) from the shared ONNX model's initializers by ../shared/tools/st_checkpoint_from_onnx.py. */
const SAFETENSORS_FOLDER = HAS_SHARED_MODELS ? safetensorsCheckpoint(ONNX_MODEL, { dtype: 'fp32' }) : null;
const SKIP_REASON = !HAS_SHARED_MODELS ? null : SAFETENSORS_FOLDER ? null : `the safetensors checkpoint cannot be made here: ${stCheckpointToolsMissing()}`;
const TITLE = 'the ONNX export in slot A and model.safetensors (picked folder) in slot B, on WASM';

/**
 * Vite's HMR socket, answered here and never by the dev server: another edit to the tree mid-run (several
 * people work in this checkout) would otherwise reload the page and lose both loaded slots.
 */
const NO_HMR = (page: Page) => page.routeWebSocket((url) => url.searchParams.has('token'), () => undefined);

const browser = usePage('/', async (page) => {
  await NO_HMR(page);
  await page.setViewportSize({ width: 1280, height: 900 });
});

async function downloaded(action: () => Promise<void>): Promise<string> {
  const [download] = (await Promise.all([browser.page.waitForEvent('download'), action()])) as [Download, void];
  return readFileSync((await download.path())!, 'utf8');
}

describe.skipIf(!SAFETENSORS_FOLDER)(SKIP_REASON ? `${TITLE} — skipped: ${SKIP_REASON}` : needs(SHARED_MODELS, TITLE), () => {
  it('loads the sample data, the export from the served list and the checkpoint from a picked folder', async () => {
    const { page } = browser;
    await page.getByTestId('data-sample').click();
    await expect.poll(() => page.getByTestId('data-name').textContent(), { timeout: 30_000 }).toBe('helpdesk-faq');
    for (const id of ['A', 'B']) {
      await page.getByTestId(`slot-${id}`).getByText('Runtime options').click();
      await page.getByTestId(`backend-${id}`).selectOption('wasm');
    }
    const a = page.getByTestId('slot-A');
    await page.getByTestId('served-A').selectOption(ONNX_MODEL);
    await expect.poll(() => a.getByTestId('model-name').textContent(), { timeout: 120_000 }).toBe(`/models/${ONNX_MODEL}`);
    expect(await a.getByTestId('model-weights').textContent()).toBe('onnx/model.onnx');
    expect(await a.getByTestId('details').textContent()).toMatch(/onnx\/model\.onnx\s*\(ONNX export, bert\)/);

    // A webkitdirectory input: playwright hands it the folder with its subfolders (1_Pooling/, 2_Normalize/).
    const b = page.getByTestId('slot-B');
    const started = Date.now();
    await page.getByTestId('pick-B').setInputFiles(SAFETENSORS_FOLDER!);
    await expect.poll(() => b.getByTestId('model-name').textContent(), { timeout: 120_000 }).toBe(path.basename(SAFETENSORS_FOLDER!));
    console.log(`slot B (model.safetensors, graph built in the page) loaded in ${Date.now() - started} ms`);
    expect(await b.getByTestId('model-weights').textContent()).toBe('model.safetensors');
    expect(await b.getByTestId('details').textContent()).toMatch(/model\.safetensors\s*\(graph built here, bert\)/);
    expect(await b.getByTestId('model-dim').textContent()).toBe('384');
    expect(await b.getByTestId('model-backend').textContent()).toMatch(/^WASM · \d+ threads?$/);
    // The folder has no onnx/: nothing else to offer.
    expect(await b.getByTestId('run-other-format').count()).toBe(0);
  }, 240_000);

  it('runs the comparison: both rows give the same metrics, and the JSON says which weights each ran', async () => {
    const { page } = browser;
    // The WGSL kernels are tested on their own; on SwiftShader they would only add time here.
    await page.getByTestId('kernels').selectOption('cpu');
    const started = Date.now();
    await page.getByTestId('run').click();
    // Fails with what the page says: the run's error, or how far it got. Each stage's start is logged, to see
    // where the time of a run on 64 short texts goes.
    const stages = new Map<string, number>();
    const outcome = async () => {
      if (await page.getByTestId('results').count()) return 'results';
      if (await page.getByTestId('run-error').count()) return `run error: ${await page.getByTestId('run-error').textContent()}`;
      const lines = (await page.getByTestId('run-progress').locator('li').allTextContents()).map((l) => l.replace(/\s+/g, ' ').trim());
      for (const stage of lines.map((l) => l.replace(/ \d+ \/ \d+.*| \(\d+ of \d+\)/, ''))) if (!stages.has(stage)) stages.set(stage, (Date.now() - started) / 1000);
      return `running: ${lines.join('; ') || '(no progress shown)'}`;
    };
    await expect.poll(outcome, { timeout: 240_000, interval: 500 }).toBe('results');
    console.log(`helpdesk-faq run, both slots on WASM: ${((Date.now() - started) / 1000).toFixed(1)} s; stages from: ${[...stages].map(([s, t]) => `${t.toFixed(1)} s ${s}`).join(' | ')}`);

    // On screen (4 decimals): every metric row shows A and B alike.
    const rows = page.getByTestId('metrics-table').locator('tbody tr[data-metric]');
    expect(await rows.count()).toBeGreaterThan(5);
    for (const row of await rows.all()) {
      const [shownA, shownB] = (await row.locator('td').allTextContents()).slice(0, 2);
      expect(shownB, (await row.getAttribute('data-metric')) ?? '').toBe(shownA);
    }

    const report = JSON.parse(await downloaded(() => page.getByTestId('export-json').click())) as EvalReport;
    const [onnx, safetensors] = report.models;
    expect(report.models).toHaveLength(2);
    expect(onnx.model).toMatchObject({ format: 'onnx', file: 'onnx/model.onnx', family: 'bert', similarity: 'cosine' });
    expect(safetensors.model).toMatchObject({ format: 'safetensors', file: 'model.safetensors', family: 'bert', similarity: 'cosine' });
    expect(safetensors.model!.digests.map((d) => d.file)).toEqual(['model.safetensors']);
    expect(safetensors.model!.digests[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(safetensors.model!.modules).toEqual(onnx.model!.modules);
    let worst = 0;
    for (const key of report.metricKeys) {
      const delta = Math.abs(onnx.metrics[key] - safetensors.metrics[key]);
      worst = Math.max(worst, delta);
      expect(delta, key).toBeLessThanOrEqual(1e-6);
    }
    // Per query too: the same rankings, not only the same averages.
    for (const [metric, values] of Object.entries(onnx.perQuery)) {
      for (const [query, value] of Object.entries(values)) expect(Math.abs(value - safetensors.perQuery[metric][query]), `${metric} ${query}`).toBeLessThanOrEqual(1e-6);
    }
    console.log(`${report.metricKeys.length} metrics, ONNX export vs model.safetensors: max |Δ| = ${worst.toExponential(2)}`);
    expect(browser.consoleErrors).toEqual([]);
  }, 300_000);
});
