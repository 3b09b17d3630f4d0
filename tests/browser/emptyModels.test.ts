/**
 * The first run with nothing in models/ (#27 defect 5): the first slot says what a model folder is, where it
 * goes and that the list refreshes by itself, offers the hub field's example as a button, names a folder it
 * does not list and why; a model folder copied in then appears in the menu without a reload, and loads.
 * The dev server lists a folder of this test's own (EMBEDLAB_MODELS_DIR), empty at first.
 */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODEL } from '../paths.ts';
import { usePage } from './usePage.ts';

const MODELS = mkdtempSync(path.join(tmpdir(), 'embedlab-empty-models-'));
// Read by vite.config.ts when the test's dev server starts (in usePage's beforeAll, after this line).
process.env.EMBEDLAB_MODELS_DIR = MODELS;
const HUB_EXAMPLE = 'sentence-transformers/all-MiniLM-L6-v2';

const browser = usePage('/', async (page) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  // No network here: the hub refuses at once rather than after a timeout.
  await page.route('https://huggingface.co/**', (route) => route.abort('internetdisconnected'));
});

describe('the page with an empty models/ folder', () => {
  it('explains model folders in the first slot only, and offers the hub example as a button', async () => {
    const { page } = browser;
    const help = page.getByTestId('models-help-A');
    await expect.poll(() => help.count(), { timeout: 30_000 }).toBe(1);
    const text = (await help.textContent())!.replace(/\s+/g, ' ');
    expect(text).toMatch(/No model folders in models\/ yet/);
    expect(text).toMatch(/tokenizer\.json/);
    expect(text).toMatch(/model\.safetensors, or an ONNX export in onnx\/model\.onnx/);
    expect(text).toMatch(/It works as it is: nothing to convert/);
    expect(text).toMatch(/in the models\/ folder beside the lab's package\.json; this list refreshes by itself within a few seconds, no reload needed/);
    expect(await page.getByTestId('models-help-B').count()).toBe(0);
    expect(await page.getByTestId('served-A').locator('option').allTextContents()).toEqual(['none in models/ yet']);

    await page.getByTestId('hub-example-A').click();
    expect(await page.getByTestId('hub-id-A').inputValue()).toBe(HUB_EXAMPLE);
    await expect.poll(() => page.getByTestId('error-A').count(), { timeout: 30_000 }).toBe(1);
    const error = (await page.getByTestId('error-A').textContent())!;
    expect(error).toMatch(new RegExp(`Slot A did not take ${HUB_EXAMPLE}: .*could not reach huggingface\\.co`));
    expect(error).toMatch(/The slot is still empty\.$/);
  }, 60_000);

  it('names a folder it does not list, and lists a model folder copied in, without a reload', async () => {
    const { page } = browser;
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    mkdirSync(path.join(MODELS, 'half-copied'));
    await expect.poll(() => page.getByTestId('models-incomplete-A').textContent(), { timeout: 15_000 }).toBe('Not listed: models/half-copied (no tokenizer.json in it).');

    symlinkSync(FIXTURE_MODEL, path.join(MODELS, 'tiny-bert'));
    await expect.poll(() => page.getByTestId('served-A').locator('option').allTextContents(), { timeout: 15_000 }).toEqual(['choose…', 'tiny-bert']);
    expect(await page.getByTestId('models-help-A').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    const a = page.getByTestId('slot-A');
    await a.getByText('Runtime options').click();
    await page.getByTestId('backend-A').selectOption('wasm');
    await page.getByTestId('served-A').selectOption('tiny-bert');
    await expect.poll(() => a.getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe('/models/tiny-bert');
    expect(await page.getByTestId('error-A').count()).toBe(0);
    expect(browser.consoleErrors.filter((e) => !/huggingface|ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e))).toEqual([]);
  }, 90_000);
});
