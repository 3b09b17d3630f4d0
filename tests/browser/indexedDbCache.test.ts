import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { IndexedDbEmbeddingStore } from '../../src/worker/indexedDbEmbeddingStore.ts';
import { usePage } from './usePage.ts';

interface StoreWindow {
  IndexedDbEmbeddingStore: typeof IndexedDbEmbeddingStore;
}

/** What a test asks of the page's store: its module, loaded by the dev server as the worker loads it. */
const STORE = '/src/worker/indexedDbEmbeddingStore.ts';
const DIM = 4;

/** The store's class on `window`, imported by the page (a string, so the test runner leaves the import alone). */
async function loadStore(page: Page): Promise<void> {
  await page.evaluate(`import(${JSON.stringify(STORE)}).then((m) => { window.IndexedDbEmbeddingStore = m.IndexedDbEmbeddingStore; })`);
}

interface Outcome {
  size: { models: number; entries: number; bytes: number };
  got: (number[] | null)[];
  keys: number;
}

/**
 * Runs puts on a store named `name` in the page, then reads `read` back: the size it reports, the vectors,
 * and how many entries the object store really holds for the model.
 */
async function putAndRead(page: Page, name: string, puts: [string[], number[]][], read: string[]): Promise<Outcome> {
  await loadStore(page);
  return page.evaluate(
    async ({ name, puts, read, dim }) => {
      const cache = new (window as unknown as StoreWindow).IndexedDbEmbeddingStore(name);
      for (const [hashes, values] of puts) await cache.put('model', hashes, Float32Array.from(values), dim);
      const got = (await cache.get('model', read)).map((v: Float32Array | null) => (v ? Array.from(v) : null));
      const keys = await new Promise<number>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => {
          const count = request.result.transaction('vectors').objectStore('vectors').count();
          count.onsuccess = () => resolve(count.result);
          count.onerror = () => reject(count.error);
        };
        request.onerror = () => reject(request.error);
      });
      return { size: await cache.size(), got, keys };
    },
    { name, puts, read, dim: DIM },
  );
}

const row = (x: number) => [x, x + 0.25, x + 0.5, x + 0.75];

describe('the page\'s embedding cache (IndexedDB)', () => {
  const browser = usePage('/tests/browser/workerHarness.html');

  it('stores a text a batch repeats once, counts it once, and keeps what it had', async () => {
    const outcome = await putAndRead(
      browser.page,
      'cache-duplicates',
      [
        [['h1', 'h2', 'h1', 'h3', 'h3'], [...row(1), ...row(2), ...row(1), ...row(3), ...row(3)]],
        // A later batch with texts already stored, and a new one twice.
        [['h2', 'h4', 'h4'], [...row(2), ...row(4), ...row(4)]],
      ],
      ['h1', 'h2', 'h3', 'h4', 'h5'],
    );
    expect(outcome.got).toEqual([row(1), row(2), row(3), row(4), null]);
    expect(outcome.size).toEqual({ models: 1, entries: 4, bytes: 4 * DIM * 4 });
    expect(outcome.keys).toBe(4);
  });

  it('a put cut off by a reload leaves every earlier entry, and a count that matches what is stored', async () => {
    const { page } = browser;
    const name = 'cache-interrupted';
    await putAndRead(page, name, [[['a', 'b'], [...row(1), ...row(2)]]], []);
    // A large put, and the page reloaded while it runs.
    const hashes = Array.from({ length: 20_000 }, (_, i) => `big${i}`);
    await loadStore(page);
    void page
      .evaluate(
        async ({ name, hashes, dim }) => {
          const { IndexedDbEmbeddingStore } = window as unknown as StoreWindow;
          await new IndexedDbEmbeddingStore(name).put('model', hashes, new Float32Array(hashes.length * dim).fill(0.5), dim);
        },
        { name, hashes, dim: DIM },
      )
      .catch(() => undefined);
    await page.waitForTimeout(30);
    await page.reload();
    const after = await putAndRead(page, name, [], ['a', 'b', 'big0', 'big19999']);
    expect(after.got.slice(0, 2)).toEqual([row(1), row(2)]);
    // All of the cut-off put or none of it: the size the page shows is what the store holds.
    const big = after.got.slice(2).filter((v) => v !== null).length;
    expect([0, 2]).toContain(big);
    expect(after.size.entries).toBe(after.keys);
    expect(after.keys).toBe(big ? 20_002 : 2);
  });
});
