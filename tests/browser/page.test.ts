import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, ROOT } from '../paths.ts';
import { startBrowserSession, type BrowserSession } from './browser.ts';

const ARTIFACTS = path.join(ROOT, 'test-results');
const SLOT_B_MODEL = HAS_SHARED_MODELS ? 'lab-minilm-l6-base' : 'tiny-bert';
const SLOT_B_DIM = HAS_SHARED_MODELS ? '384' : '32';

let session: BrowserSession;
let page: Page;
let consoleErrors: string[];
let requests: string[];

beforeAll(async () => {
  session = await startBrowserSession();
  ({ page, consoleErrors, requests } = await session.newPage());
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(session.baseUrl);
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await session?.close();
});

describe('the first screen', () => {
  it('says which backends this browser offers', async () => {
    await expect.poll(() => page.getByTestId('environment').textContent()).toMatch(/WebGPU · .* with WASM · 2 threads as fallback/);
  });

  it('loads a picked model folder into slot A and shows what it is', async () => {
    await page.getByTestId('pick-A').setInputFiles(FIXTURE_MODEL);
    const slot = page.getByTestId('slot-A');
    const started = Date.now();
    await expect.poll(() => slot.getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe('tiny-bert');
    console.log(`slot A loaded after ${Date.now() - started} ms`);
    expect(await slot.getByTestId('model-dim').textContent()).toBe('32');
    expect(await slot.getByTestId('model-backend').textContent()).toMatch(/^WebGPU · /);
    await expect
      .poll(() => slot.getByTestId('parity').textContent(), { timeout: 150_000 })
      .toMatch(/WebGPU vs WASM cosine ≥ (0\.9999\d+|1\.000000)/);
  }, 180_000);

  it('loads a served model into slot B on WASM', async () => {
    const slot = page.getByTestId('slot-B');
    await slot.getByText('Runtime options').click();
    await page.getByTestId('backend-B').selectOption('wasm');
    await page.getByTestId('served-B').selectOption(SLOT_B_MODEL);
    await expect.poll(() => slot.getByTestId('model-name').textContent(), { timeout: 120_000 }).toBe(`/models/${SLOT_B_MODEL}`);
    expect(await slot.getByTestId('model-dim').textContent()).toBe(SLOT_B_DIM);
    expect(await slot.getByTestId('model-backend').textContent()).toBe('WASM · 2 threads');
  });

  it('embeds two sentences with both models and shows norms and cosine', async () => {
    await page.getByTestId('probe-first').fill('How do I block my debit card?');
    await page.getByTestId('probe-second').fill('My card was stolen, what should I do?');
    await page.getByTestId('probe-run').click();
    const table = page.getByTestId('probe-results');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 60_000 }).toBe(2);
    const text = (await table.textContent()) ?? '';
    expect(text).toMatch(/1\.0000/); // normalised embeddings
    for (const id of ['A', 'B']) {
      const cosine = Number(await page.getByTestId(`probe-cosine-${id}`).textContent());
      expect(cosine).toBeGreaterThan(-1);
      expect(cosine).toBeLessThan(1);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'first-screen.png'), fullPage: true });
  });

  it('keeps the loaded model when a Hugging Face load fails offline, and says why', async () => {
    const slot = page.getByTestId('slot-A');
    await slot.getByPlaceholder('sentence-transformers/all-MiniLM-L6-v2').fill('sentence-transformers/all-MiniLM-L6-v2');
    await slot.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => slot.getByTestId('error-A').textContent(), { timeout: 60_000 }).toMatch(/could not reach huggingface\.co .*offline/);
    expect(await slot.getByTestId('model-name').textContent()).toBe('tiny-bert');
  });

  it('made no request off its origin except the explicit hub fetch, and logged no errors', () => {
    const offOrigin = requests.filter((url) => !url.startsWith(session.baseUrl) && !url.startsWith('blob:') && !url.startsWith('data:'));
    expect(offOrigin.every((url) => url.startsWith('https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/'))).toBe(true);
    expect(consoleErrors.filter((e) => !/favicon|huggingface\.co|ERR_|status of 404/.test(e))).toEqual([]);
  });
});
