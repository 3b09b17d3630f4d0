import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The steps most page tests begin with, done as a user does them and awaited until the page shows them. */

/** "Load the sample": the 32-row help-desk pairs file, read in the data worker. */
export async function loadSample(page: Page): Promise<void> {
  await page.getByTestId('data-sample').click();
  await expect.poll(() => page.getByTestId('data-name').textContent(), { timeout: 30_000 }).toBe('helpdesk-faq');
}

/** A model served under models/ into `slot`, on `backend` (WASM unless asked: WebGPU is SwiftShader here). */
export async function serveModel(page: Page, slot: string, model: string, backend: 'wasm' | 'webgpu' = 'wasm'): Promise<void> {
  const card = page.getByTestId(`slot-${slot}`);
  await card.getByText('Runtime options').click();
  await page.getByTestId(`backend-${slot}`).selectOption(backend);
  await page.getByTestId(`served-${slot}`).selectOption(model);
  await expect.poll(() => card.getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe(`/models/${model}`);
}
