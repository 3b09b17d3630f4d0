import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, ROOT } from '../paths.ts';
import { usePage } from './usePage.ts';

const ARTIFACTS = path.join(ROOT, 'test-results');
const SLOT_B_MODEL = HAS_SHARED_MODELS ? 'lab-minilm-l6-base' : 'tiny-bert';
const SLOT_B_DIM = HAS_SHARED_MODELS ? '384' : '32';

const browser = usePage('/', async (page) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  mkdirSync(ARTIFACTS, { recursive: true });
});

describe('the first screen', () => {
  it('says which backends this browser offers', async () => {
    await expect.poll(() => browser.page.getByTestId('environment').textContent()).toMatch(/WebGPU · .* with WASM · 2 threads as fallback/);
  });

  it('loads a picked model folder into slot A and shows what it is', async () => {
    await browser.page.getByTestId('pick-A').setInputFiles(FIXTURE_MODEL);
    const slot = browser.page.getByTestId('slot-A');
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
    const slot = browser.page.getByTestId('slot-B');
    await slot.getByText('Runtime options').click();
    await browser.page.getByTestId('backend-B').selectOption('wasm');
    await browser.page.getByTestId('served-B').selectOption(SLOT_B_MODEL);
    await expect.poll(() => slot.getByTestId('model-name').textContent(), { timeout: 120_000 }).toBe(`/models/${SLOT_B_MODEL}`);
    expect(await slot.getByTestId('model-dim').textContent()).toBe(SLOT_B_DIM);
    expect(await slot.getByTestId('model-backend').textContent()).toBe('WASM · 2 threads');
  });

  it('embeds two sentences with both models and shows norms and cosine', async () => {
    await browser.page.getByTestId('probe-first').fill('How do I block my debit card?');
    await browser.page.getByTestId('probe-second').fill('My card was stolen, what should I do?');
    await browser.page.getByTestId('probe-run').click();
    const table = browser.page.getByTestId('probe-results');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 60_000 }).toBe(2);
    const text = (await table.textContent()) ?? '';
    expect(text).toMatch(/1\.0000/); // normalised embeddings
    for (const id of ['A', 'B']) {
      const cosine = Number(await browser.page.getByTestId(`probe-cosine-${id}`).textContent());
      expect(cosine).toBeGreaterThan(-1);
      expect(cosine).toBeLessThan(1);
    }
    await browser.page.screenshot({ path: path.join(ARTIFACTS, 'first-screen.png'), fullPage: true });
  });

  it('keeps the loaded model when a Hugging Face load fails offline, and says why', async () => {
    const slot = browser.page.getByTestId('slot-A');
    await slot.getByPlaceholder('sentence-transformers/all-MiniLM-L6-v2').fill('sentence-transformers/all-MiniLM-L6-v2');
    await slot.getByRole('button', { name: 'Load' }).click();
    await expect.poll(() => slot.getByTestId('error-A').textContent(), { timeout: 60_000 }).toMatch(/could not reach huggingface\.co .*offline/);
    expect(await slot.getByTestId('model-name').textContent()).toBe('tiny-bert');
  });

  it('made no request off its origin except the explicit hub fetch, and logged no errors', () => {
    const offOrigin = browser.requests.filter((url) => !url.startsWith(browser.session.baseUrl) && !url.startsWith('blob:') && !url.startsWith('data:'));
    expect(offOrigin.every((url) => url.startsWith('https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/'))).toBe(true);
    expect(browser.consoleErrors.filter((e) => !/favicon|huggingface\.co|ERR_|status of 404/.test(e))).toEqual([]);
  });
});
