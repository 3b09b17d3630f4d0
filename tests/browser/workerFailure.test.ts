import type { Page, Worker } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODEL } from '../paths.ts';
import { usePage } from './usePage.ts';

/**
 * A worker that fails must not leave the page waiting: every pending call rejects, the page says what
 * happened and offers to start again. The workers are the page's real ones; they are made to fail from
 * outside (Playwright's hold on the worker, a failing script served in place of the real one), so the
 * product carries no switch that makes them fail.
 */
/**
 * The dev server's HMR socket is answered here, never by the server: an edit to the sources while this long
 * test runs would otherwise reload the page under it. Nothing of the lab goes over that socket.
 */
const withoutHotReload = (page: Page) => page.routeWebSocket(/./, () => undefined);
const browser = usePage('/', withoutHotReload);

/** A pairs table big enough that encoding it with the tiny fixture model takes a few seconds. */
function largePairsCsv(rows: number): Buffer {
  const words = ['card', 'account', 'transfer', 'password', 'limit', 'branch', 'loan', 'statement', 'refund', 'mobile', 'fee', 'deposit'];
  const lines = ['question,answer'];
  for (let i = 0; i < rows; i++) {
    const text = (n: number) => Array.from({ length: n }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ');
    lines.push(`question ${i} about ${text(8)}?,answer ${i}: ${text(40)}`);
  }
  return Buffer.from(lines.join('\n'));
}

/** The page's worker of that name ("data" or "encoder"). */
async function workerNamed(page: Page, name: string): Promise<Worker> {
  for (const worker of page.workers()) {
    if ((await worker.evaluate(() => self.name)) === name) return worker;
  }
  throw new Error(`the page has no ${name} worker (it has ${page.workers().length})`);
}

describe('a worker that dies mid-run', () => {
  it('rejects the run, says which worker stopped and what is lost, and starts the lab again on request', async () => {
    const { page } = browser;
    await page.getByTestId('data-pick').setInputFiles({ name: 'many-pairs.csv', mimeType: 'text/csv', buffer: largePairsCsv(20_000) });
    await expect.poll(() => page.getByTestId('data-panel').textContent(), { timeout: 60_000 }).toMatch(/20[ ,.]?000/);
    for (const id of ['A', 'B']) {
      const slot = page.getByTestId(`slot-${id}`);
      await slot.getByText('Runtime options').click();
      await page.getByTestId(`backend-${id}`).selectOption('wasm');
      await page.getByTestId(`pick-${id}`).setInputFiles(FIXTURE_MODEL);
      await expect.poll(() => slot.getByTestId('model-name').textContent(), { timeout: 120_000 }).toBe('tiny-bert');
    }
    await page.getByTestId('kernels').selectOption('cpu');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('run-progress').textContent(), { timeout: 60_000 }).toMatch(/encoding documents \d+ \/ 20000/);
    console.log(`killed the data worker at: ${await page.getByTestId('run-progress').textContent()}`);

    // The data worker ends as the browser ends a worker (out of memory, a crash): no event reaches the page.
    const data = await workerNamed(page, 'data');
    void data.evaluate(() => close()).catch(() => undefined);

    const failure = page.getByTestId('worker-failure');
    await expect.poll(() => failure.textContent(), { timeout: 10_000 }).toMatch(/The data worker stopped unexpectedly \(ended by the browser: out of memory, or a crash\); what it held \(the dataset and the results\) is gone\./);
    // The run's promise was rejected with the same words: the panel no longer says "Starting…" or encoding.
    await expect.poll(() => page.getByTestId('run-error').textContent()).toMatch(/The data worker stopped unexpectedly/);
    expect(await page.getByTestId('run-progress').count()).toBe(0);
    expect(await page.getByTestId('environment').textContent()).toMatch(/The workers are not running/);
    expect(await page.getByTestId('run').isDisabled()).toBe(true);
    expect(await page.getByTestId('run-panel').textContent()).toMatch(/The workers are not running: start the lab again/);
    // The encoder worker was ended with it (a data worker is useless without it, and it without the data).
    const named = async () => (await Promise.all(page.workers().map((w) => w.evaluate(() => self.name).catch(() => null)))).filter((n) => n === 'data' || n === 'encoder');
    await expect.poll(named, { timeout: 10_000 }).toEqual([]);

    await page.getByTestId('worker-retry').click();
    await expect.poll(() => page.getByTestId('environment').textContent(), { timeout: 30_000 }).toMatch(/Inference runs in a worker on/);
    expect(await page.getByTestId('worker-failure').count()).toBe(0);
    expect((await named()).sort()).toEqual(['data', 'encoder']);
  }, 240_000);
});

describe('a worker that does not start', () => {
  async function failingPage(route: string, body: string | null): Promise<Page> {
    const { page } = await browser.session.newPage();
    await withoutHotReload(page);
    await page.route(route, (request) => (body === null ? request.fulfill({ status: 404, body: 'not here' }) : request.fulfill({ contentType: 'text/javascript', body })));
    await page.goto(browser.session.baseUrl);
    return page;
  }

  it('says so when the workers’ script does not load', async () => {
    const page = await failingPage('**/src/worker/index.ts*', null);
    try {
      await expect.poll(() => page.getByTestId('worker-failure').textContent(), { timeout: 30_000 }).toMatch(/The (data|encoder) worker did not start: its script could not be loaded\./);
      expect(await page.getByTestId('environment').textContent()).toMatch(/The workers are not running/);
      expect(await page.getByTestId('worker-retry').isVisible()).toBe(true);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('says so when its part throws while loading, and fails the calls that waited for it', async () => {
    const page = await failingPage('**/src/worker/dataWorker.ts*', "throw new Error('the data worker’s module broke while loading');");
    try {
      await expect.poll(() => page.getByTestId('worker-failure').locator('p').textContent(), { timeout: 30_000 }).toBe(
        'The data worker failed while loading: the data worker’s module broke while loading.',
      );
      // A dataset load sent to it now is rejected, and says why, instead of waiting forever.
      await page.getByTestId('data-sample').click();
      await expect.poll(() => page.getByTestId('data-panel').textContent(), { timeout: 10_000 }).toMatch(/The data worker failed while loading/);
    } finally {
      await page.close();
    }
  }, 60_000);
});
