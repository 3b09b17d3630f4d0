import { describe, expect, it } from 'vitest';
import { usePage } from './usePage.ts';

/** A folder with only fp32 weights, asked for int8 in the page: the lab makes the variant, runs it, offers it. */
describe('int8 weights made in the page', () => {
  const browser = usePage('/', async (page) => page.setViewportSize({ width: 1280, height: 900 }));

  it('loads the fixture model as int8 (made here), embeds like fp32, and saves the file', async () => {
    const { page } = browser;
    for (const [slot, weights] of [['A', 'fp32'], ['B', 'quantized']] as const) {
      const card = page.getByTestId(`slot-${slot}`);
      await card.getByText('Runtime options').click();
      await page.getByTestId(`backend-${slot}`).selectOption('wasm');
      await card.getByLabel('Weights').selectOption(weights);
      await page.getByTestId(`served-${slot}`).selectOption('tiny-bert');
      await expect.poll(() => card.getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe('/models/tiny-bert');
    }
    const b = page.getByTestId('slot-B');
    expect(await b.getByTestId('details').textContent()).toMatch(/onnx\/model_quantized\.onnx \(made here: dynamic int8\)/);
    expect(await b.getByTestId('notes').textContent()).toMatch(/no int8 export in the folder: made here from onnx\/model\.onnx by dynamic int8 quantization/);
    expect(await page.getByTestId('slot-A').getByTestId('save-made-model').count()).toBe(0);

    await page.getByTestId('probe-run').click();
    await expect.poll(() => page.getByTestId('probe-cosine-B').count(), { timeout: 60_000 }).toBe(1);
    const [a, q] = await Promise.all(['A', 'B'].map(async (id) => Number(await page.getByTestId(`probe-cosine-${id}`).textContent())));
    expect(Math.abs(a - q)).toBeLessThan(0.01);

    const download = page.waitForEvent('download');
    await b.getByTestId('save-made-model').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('model_quantized.onnx');
    const path = await file.path();
    const { statSync } = await import('node:fs');
    expect(statSync(path).size).toBeGreaterThan(10_000);
    expect(browser.consoleErrors).toEqual([]);
  }, 180_000);
});
