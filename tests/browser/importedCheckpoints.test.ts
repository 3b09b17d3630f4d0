import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNodeEncoder } from '../../src/cli/nodeEncoder.ts';
import { readInputs } from '../../src/cli/readDataset.ts';
import { HAS_NUMPY, HAS_PYARROW, NUMPY_MISSING, numpyWrite } from '../fixtures/vectors/numpyWriter.ts';
import { FIXTURE_MODEL, ROOT } from '../paths.ts';
import { usePage } from './usePage.ts';
import { loadSample, serveModel } from './pageSteps.ts';

const SAMPLE = path.join(ROOT, 'public/samples/helpdesk-faq.csv');

/**
 * In the page: the fixture model encoded here (slot A), the same model's vectors written by NumPy (slot B)
 * and NumPy's ranking of them as a run file (slot C), on the sample data — one comparison. With pyarrow
 * here, the same vectors as two parquet part files with a kind column (slot D), read page by page in the
 * data worker, and as two Feather files (slot E), read record batch by record batch.
 */
describe.skipIf(!HAS_NUMPY)(HAS_NUMPY ? 'vector files and a run file beside a model, in the page' : `imported checkpoints in the page — ${NUMPY_MISSING}`, () => {
  const browser = usePage('/', async (page) => page.setViewportSize({ width: 1280, height: 900 }));
  let vectors: string;
  let run: string;
  let parquetParts: string[] = [];
  let featherParts: string[] = [];

  beforeAll(async () => {
    const dataset = (await readInputs([SAMPLE])).dataset!;
    const encoder = await loadNodeEncoder(FIXTURE_MODEL);
    const documents = await encoder.encode(dataset.documents.texts);
    const queries = await encoder.encode(dataset.queries.texts);
    await encoder.release();
    const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-page-imported-'));
    vectors = path.join(dir, 'tiny-vectors');
    mkdirSync(vectors);
    const raw = (name: string, rows: Float32Array) => {
      writeFileSync(path.join(dir, name), Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength));
      return path.join(dir, name);
    };
    // No ids: the rows are the dataset's, in order (the page says which way they were matched).
    numpyWrite('npy', raw('documents.f32', documents.vectors), String(documents.count), String(documents.dim), path.join(vectors, 'documents.npy'));
    numpyWrite('npy', raw('queries.f32', queries.vectors), String(queries.count), String(queries.dim), path.join(vectors, 'queries.npy'));
    writeFileSync(path.join(dir, 'qids.txt'), Array.from(dataset.queries, (q) => q.id).join('\n'));
    writeFileSync(path.join(dir, 'dids.txt'), Array.from(dataset.documents, (d) => d.id).join('\n'));
    run = path.join(dir, 'tiny-numpy.run');
    numpyWrite('run', path.join(dir, 'documents.f32'), path.join(dir, 'queries.f32'), String(documents.dim), path.join(dir, 'qids.txt'), path.join(dir, 'dids.txt'), '100', run);
    if (HAS_PYARROW) {
      const parquet = path.join(dir, 'tiny-parquet');
      numpyWrite('parquet', path.join(dir, 'documents.f32'), path.join(dir, 'queries.f32'), String(documents.dim), path.join(dir, 'dids.txt'), path.join(dir, 'qids.txt'), parquet);
      parquetParts = ['part-00000.parquet', 'part-00001.parquet'].map((f) => path.join(parquet, f));
      const feather = path.join(dir, 'tiny-feather');
      numpyWrite('parquet', path.join(dir, 'documents.f32'), path.join(dir, 'queries.f32'), String(documents.dim), path.join(dir, 'dids.txt'), path.join(dir, 'qids.txt'), feather, 'feather');
      featherParts = ['part-00000.feather', 'part-00001.feather'].map((f) => path.join(feather, f));
    }
  }, 120_000);

  it('compares them in one run, with the same metrics, and says what each checkpoint is', async () => {
    const { page } = browser;
    await loadSample(page);
    await serveModel(page, 'A', 'tiny-bert');
    await page.getByTestId('vectors-B').setInputFiles([path.join(vectors, 'documents.npy'), path.join(vectors, 'queries.npy')]);
    await expect.poll(() => page.getByTestId('imported-B').textContent()).toMatch(/precomputed vectors \(documents\.npy, queries\.npy\)/);
    await page.getByTestId('add-slot').click();
    await page.getByTestId('run-file-C').setInputFiles(run);
    await expect.poll(() => page.getByTestId('imported-C').textContent()).toMatch(/a ranking from the run file tiny-numpy\.run/);
    if (parquetParts.length) {
      await page.getByTestId('add-slot').click();
      await page.getByTestId('vectors-D').setInputFiles(parquetParts);
      await expect.poll(() => page.getByTestId('imported-D').textContent()).toMatch(/precomputed vectors \(part-00000\.parquet, part-00001\.parquet\)/);
      await page.getByTestId('add-slot').click();
      await page.getByTestId('vectors-E').setInputFiles(featherParts);
      await expect.poll(() => page.getByTestId('imported-E').textContent()).toMatch(/precomputed vectors \(part-00000\.feather, part-00001\.feather\)/);
    }
    await page.getByTestId('kernels').selectOption('cpu');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results').count(), { timeout: 120_000 }).toBe(1);

    const slots = parquetParts.length ? 5 : 3;
    const row = (await page.getByTestId('metrics-table').locator('tr[data-metric="ndcg@10"] td').allTextContents()).slice(0, slots).map(Number);
    expect(row[1]).toBeCloseTo(row[0], 4);
    expect(row[2]).toBeCloseTo(row[0], 4);
    if (parquetParts.length) {
      expect(row[3]).toBeCloseTo(row[0], 4);
      expect(row[4]).toBeCloseTo(row[0], 4);
    }
    const hint = (await page.getByTestId('results').locator('p.hint').first().textContent()) ?? '';
    expect(hint).toMatch(/vectors B: precomputed vectors read from files/);
    // The CPU kernels rank on onnxruntime-web's WASM graph in the data worker, as the CLI does on onnxruntime-node.
    expect(await page.getByTestId('kernels-choice').textContent()).toMatch(/the CPU — chosen in the run panel; top-k on onnxruntime-web's WASM Gemm \+ TopK, 2 threads/);
    expect(hint).toMatch(/tiny-numpy: a ranking read from a run file, 32 deep/);
    expect(await page.getByTestId('diagnostics-unavailable').textContent()).toMatch(/C tiny-numpy: diagnostics not available for a ranking/);

    await page.getByTestId('per-query-table').locator('tbody tr').first().click();
    await expect.poll(() => page.getByTestId('diff-model-2').locator('li').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(browser.consoleErrors).toEqual([]);
  }, 240_000);
});
