import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNodeEncoder } from '../../src/cli/nodeEncoder.ts';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, ROOT, SHARED_MODELS } from '../paths.ts';
import { usePage } from './usePage.ts';

const ARTIFACTS = path.join(ROOT, 'test-results');
const SLOT_B_MODEL = HAS_SHARED_MODELS ? 'lab-minilm-l6-base' : 'tiny-bert';
const SLOT_B_DIM = HAS_SHARED_MODELS ? '384' : '32';
const SLOT_B_FOLDER = HAS_SHARED_MODELS ? path.join(SHARED_MODELS, SLOT_B_MODEL) : FIXTURE_MODEL;
const PROBE = ['How do I block my debit card?', 'My card was stolen, what should I do?'];

/** The two probe sentences' cosine under a model, from the CLI's onnxruntime-node encoder: the reference. */
async function referenceCosine(folder: string): Promise<number> {
  const encoder = await loadNodeEncoder(folder);
  try {
    const { vectors, dim } = await encoder.encode(PROBE);
    let dot = 0, a = 0, b = 0;
    for (let j = 0; j < dim; j++) {
      dot += vectors[j] * vectors[dim + j];
      a += vectors[j] ** 2;
      b += vectors[dim + j] ** 2;
    }
    return dot / Math.sqrt(a * b);
  } finally {
    await encoder.release();
  }
}

/** WASM threads the page runs: every core the browser reports, at most 8 (the page is cross-origin isolated). */
async function expectedThreads(): Promise<number> {
  const cores = await browser.page.evaluate(() => navigator.hardwareConcurrency);
  return Math.max(1, Math.min(cores, 8));
}
const threadsText = (n: number) => `WASM · ${n} thread${n === 1 ? '' : 's'}`;

const browser = usePage('/', async (page) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  mkdirSync(ARTIFACTS, { recursive: true });
});

describe('the first screen', () => {
  it('says which backends this browser offers', async () => {
    const wasm = threadsText(await expectedThreads());
    // The workers start in about a second here after the page loads (ORT's WASM and a WebGPU adapter), near
    // expect.poll's default limit: the check is what they say, so it waits longer.
    await expect.poll(() => browser.page.getByTestId('environment').textContent(), { timeout: 15_000 }).toContain(`on ${wasm}; WebGPU here is a software adapter`);
    expect(await browser.page.getByTestId('environment').textContent()).toMatch(/WebGPU · .*\(fallback adapter\)\), used only where a slot asks for it/);
  });

  it('loads a picked model folder into slot A on WebGPU when the user forces it, and shows what it is', async () => {
    const slot = browser.page.getByTestId('slot-A');
    await slot.getByText('Runtime options').click();
    // Forcing WebGPU still works on the software adapter "auto" never picks.
    await browser.page.getByTestId('backend-A').selectOption('webgpu');
    await browser.page.getByTestId('pick-A').setInputFiles(FIXTURE_MODEL);
    const started = Date.now();
    await expect.poll(() => slot.getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe('tiny-bert');
    console.log(`slot A loaded after ${Date.now() - started} ms`);
    expect(await slot.getByTestId('model-dim').textContent()).toBe('32');
    expect(await slot.getByTestId('model-backend').textContent()).toMatch(/^WebGPU · .*\(fallback adapter\)$/);
    expect(await slot.getByTestId('model-backend-reason').textContent()).toBe('chosen in the slot');
    await expect
      .poll(() => slot.getByTestId('backend-agreement').textContent(), { timeout: 150_000 })
      .toMatch(/WebGPU vs WASM cosine ≥ (0\.9999\d+|1\.000000)/);
  }, 180_000);

  it('loads a served model into slot B under "auto": on WASM, because the only WebGPU adapter here is software', async () => {
    const slot = browser.page.getByTestId('slot-B');
    await slot.getByText('Runtime options').click();
    expect(await browser.page.getByTestId('backend-B').inputValue()).toBe('auto');
    await browser.page.getByTestId('served-B').selectOption(SLOT_B_MODEL);
    await expect.poll(() => slot.getByTestId('model-name').textContent(), { timeout: 120_000 }).toBe(`/models/${SLOT_B_MODEL}`);
    expect(await slot.getByTestId('model-dim').textContent()).toBe(SLOT_B_DIM);
    expect(await slot.getByTestId('model-backend').textContent()).toBe(threadsText(await expectedThreads()));
    expect(await slot.getByTestId('model-backend-reason').textContent()).toMatch(/^WebGPU is a software adapter \(.+\)$/);
  });

  it('embeds two sentences with both models and shows norms and cosine', async () => {
    await browser.page.getByTestId('probe-first').fill(PROBE[0]);
    await browser.page.getByTestId('probe-second').fill(PROBE[1]);
    await browser.page.getByTestId('probe-run').click();
    const table = browser.page.getByTestId('probe-results');
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 60_000 }).toBe(2);
    const text = (await table.textContent()) ?? '';
    expect(text).toMatch(/1\.0000/); // normalised embeddings
    // A runs the fixture model on WebGPU, B its model on WASM: each must give the cosine onnxruntime-node gives.
    for (const [id, folder] of [['A', FIXTURE_MODEL], ['B', SLOT_B_FOLDER]] as const) {
      const shown = Number(await browser.page.getByTestId(`probe-cosine-${id}`).textContent());
      expect(Math.abs(shown - (await referenceCosine(folder))), `slot ${id}`).toBeLessThanOrEqual(0.00015);
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
    // The offline hub fetch is the one expected failure; a missing icon (a 404 on every load) is not.
    expect(browser.consoleErrors.filter((e) => !/huggingface\.co|net::ERR_/.test(e))).toEqual([]);
    expect(browser.requests.some((url) => url.endsWith('/favicon.svg'))).toBe(true);
    expect(browser.requests.some((url) => url.endsWith('/favicon.ico'))).toBe(false);
  });
});
