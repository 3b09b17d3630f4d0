/**
 * `npm run screenshot`: the README's picture of the results screen, made from a real run so it can be
 * refreshed whenever the screen changes. The page's one-click sample, the two real checkpoints of
 * ../shared/models (base in A, the SciFact fine-tune in B; the fixture model and BM25 where they are
 * absent) encoded on WASM, the head of the results card saved as docs/images/results.png at 1400 px wide.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import setup from '../tests/globalSetup.ts';
import { startBrowserSession } from '../tests/browser/browser.ts';
import { HAS_SHARED_MODELS, ROOT } from '../tests/paths.ts';

const OUT = path.join(ROOT, 'docs', 'images', 'results.png');
// Makes the fixture model and links the shared checkpoints under models/, as the tests do.
await setup();
const session = await startBrowserSession();
try {
  const { page, consoleErrors } = await session.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(session.baseUrl);
  await page.getByTestId('data-sample').click();
  await page.getByTestId('data-name').waitFor();
  const load = async (slot: 'A' | 'B', model: string) => {
    const card = page.getByTestId(`slot-${slot}`);
    await card.getByText('Runtime options').click();
    await page.getByTestId(`backend-${slot}`).selectOption('wasm');
    await page.getByTestId(`served-${slot}`).selectOption(model);
    await card.getByTestId('model-name').filter({ hasText: `/models/${model}` }).waitFor({ timeout: 120_000 });
  };
  if (HAS_SHARED_MODELS) {
    await load('A', 'lab-minilm-l6-base');
    await load('B', 'lab-minilm-l6-scifact-ft');
  } else {
    await load('A', 'tiny-bert');
    await page.getByTestId('bm25-B').click();
  }
  await page.getByTestId('run').click();
  const results = page.getByTestId('results');
  await results.waitFor({ timeout: 600_000 });
  await page.getByTestId('findings').waitFor();
  mkdirSync(path.dirname(OUT), { recursive: true });
  // The head of the card: findings, the metric table and the curves; the rest is docs/ material.
  const box = await results.evaluate((card) => {
    const r = card.getBoundingClientRect();
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
  });
  await page.screenshot({ path: OUT, fullPage: true, clip: { x: box.x, y: box.y, width: box.width, height: Math.min(box.height, 1150) } });
  if (consoleErrors.length) console.error(`console errors on the page:\n${consoleErrors.join('\n')}`);
  console.log(`wrote ${path.relative(ROOT, OUT)}`);
} finally {
  await session.close();
}
