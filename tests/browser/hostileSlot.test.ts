/**
 * The CLI's hostile inputs (tests/cli/corruptInputs.test.ts, weakMessages.test.ts, safetensorsModel.test.ts)
 * picked into a page slot that already holds a model: each is refused when it is picked, with the CLI's
 * message (file, and row / line / JSON path where there is one), no stack trace, and the slot keeps its
 * model — its details stay, it says so, and Compare runs it. Then the slot part of #27 defect 4: a backend
 * changed from auto to WASM after the load reloads the model, so its stated reason (what the exports record)
 * is the new one. One page, many picks of tiny files.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInputs } from '../../src/cli/readDataset.ts';
import type { Dataset } from '../../src/core/data/dataset.ts';
import { embedlab } from '../cli/runCli.ts';
import { HAS_PYARROW } from '../fixtures/vectors/numpyWriter.ts';
import { FIXTURE_MODEL, ROOT } from '../paths.ts';
import { usePage } from './usePage.ts';
import { npyBytes } from '../fixtures/vectors/npyBytes.ts';

const SAMPLE = path.join(ROOT, 'public/samples/helpdesk-faq.csv');
const MODEL = '/models/tiny-bert';
const DIM = 4;

/** Vite's HMR socket, never answered: another engineer's edit mid-run would reload the page and lose the slots. */
const NO_HMR = (page: Page) => page.routeWebSocket((url) => url.searchParams.has('token'), () => undefined);


const browser = usePage('/', async (page) => {
  await NO_HMR(page);
  await page.setViewportSize({ width: 1280, height: 900 });
});

describe('hostile files picked into a slot that holds a model', () => {
  let dataset: Dataset;
  let dir: string;
  let report: Record<string, any>;
  const at = (...parts: string[]) => path.join(dir, ...parts);
  const rowOf = (i: number) => Array.from({ length: DIM }, (_, j) => (j === i % DIM ? 1 : 0.1 * ((i * 7 + j) % 5)));

  /** A folder `name` with documents.npy and queries.npy (good ones unless given). */
  function vectorFolder(name: string, documents?: Uint8Array, queries?: Uint8Array, documentIds?: string): string[] {
    mkdirSync(at(name));
    const n = dataset.documents.length;
    writeFileSync(at(name, 'documents.npy'), documents ?? npy(Array.from({ length: n }, (_, i) => rowOf(i)).flat(), n, DIM));
    writeFileSync(at(name, 'queries.npy'), queries ?? npy(Array.from({ length: dataset.queries.length }, (_, i) => rowOf(i)).flat(), dataset.queries.length, DIM));
    if (documentIds !== undefined) writeFileSync(at(name, 'documents.ids.txt'), documentIds);
    return ['documents.npy', 'queries.npy', ...(documentIds !== undefined ? ['documents.ids.txt'] : [])].map((f) => at(name, f));
  }

  /** The fixture model's folder with one thing broken, under `name/tiny-bert`. */
  function brokenModel(name: string, edit: (folder: string) => void): string {
    const folder = at(name, 'tiny-bert');
    cpSync(FIXTURE_MODEL, folder, { recursive: true });
    edit(folder);
    return folder;
  }

  beforeAll(async () => {
    dataset = (await readInputs([SAMPLE])).dataset!;
    dir = mkdtempSync(path.join(tmpdir(), 'embedlab-hostile-slot-'));
    const result = await embedlab(['eval', SAMPLE, '--model', FIXTURE_MODEL, '--json', at('base.json'), '--no-cache', '--no-diagnostics']);
    expect(result.code, result.stderr).toBe(0);
    report = JSON.parse(readFileSync(at('base.json'), 'utf8'));
  }, 120_000);

  /** Picks into slot A, waits for its answer, and checks the message and that the model is still there. */
  async function refused(pick: () => Promise<void>, message: string | RegExp): Promise<void> {
    const { page } = browser;
    const a = page.getByTestId('slot-A');
    await pick();
    await expect.poll(() => a.getByTestId('error-A').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => a.getAttribute('aria-busy')).toBe('false');
    const error = (await a.getByTestId('error-A').textContent()) ?? '';
    if (typeof message === 'string') expect(error).toContain(message);
    else expect(error).toMatch(message);
    expect(error).not.toMatch(/^\s+at |\bat \S+:\d+:\d+/m);
    // The file is named once: "did not take other.trec: ranks none…", not "other.trec: other.trec: …".
    expect(error).not.toMatch(/(\S+): \1: /);
    expect(error).toContain(`The slot still holds ${MODEL} (shown below): Compare runs that.`);
    expect(await a.getByTestId('holding-A').textContent()).toBe(`Compare runs: ${MODEL}`);
    expect(await a.getByTestId('model-name').textContent()).toBe(MODEL);
    expect(await a.getByTestId('imported-A').count()).toBe(0);
  }

  it('loads the sample and the fixture model into slot A', async () => {
    const { page } = browser;
    await page.getByTestId('data-sample').click();
    await expect.poll(() => page.getByTestId('data-name').textContent(), { timeout: 30_000 }).toBe('helpdesk-faq');
    await page.getByTestId('slot-A').getByText('Runtime options').click();
    await page.getByTestId('backend-A').selectOption('wasm');
    await page.getByTestId('served-A').selectOption('tiny-bert');
    await expect.poll(() => page.getByTestId('slot-A').getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe(MODEL);
  }, 90_000);

  it('vectors with NaN, ±Infinity, an all-zero row, dimension 0, or ids that do not match: the CLI’s messages', async () => {
    const pick = (files: string[]) => () => browser.page.getByTestId('vectors-A').setInputFiles(files);
    const n = dataset.documents.length;
    const ids = Array.from(dataset.documents, (d) => d.id);
    const queryIds = Array.from(dataset.queries, (q) => q.id);

    const nan = Array.from(new Uint32Array(Float32Array.from(Array.from({ length: n }, (_, i) => rowOf(i)).flat()).buffer));
    nan.fill(0xffffffff, 12 * DIM, 14 * DIM);
    await refused(pick(vectorFolder('nan', npy(nan, n, DIM, true))), `documents.npy: row 13 (id "${ids[12]}"): element 1 is NaN (2 rows hold NaN or ±Infinity in all): vectors must hold finite numbers`);

    const inf = Array.from({ length: queryIds.length }, (_, i) => rowOf(i)).flat();
    inf[DIM * 3 + 2] = Infinity;
    await refused(pick(vectorFolder('inf', undefined, npy(inf, queryIds.length, DIM))), `queries.npy: row 4 (id "${queryIds[3]}"): element 3 is Infinity`);

    const zero = Array.from({ length: n }, (_, i) => rowOf(i)).flat();
    zero.fill(0, DIM * (n - 1));
    await refused(pick(vectorFolder('zero', npy(zero, n, DIM))), `documents.npy: row ${n} (id "${ids[n - 1]}") is all zeros`);

    await refused(pick(vectorFolder('dim0', npy([], n, 0), npy([], queryIds.length, 0))), `documents.npy: holds an array of shape (${n}, 0): vectors of dimension 0`);

    const blankLine = ids.map((id) => `${id}\n`);
    blankLine.splice(10, 0, '\n');
    await refused(pick(vectorFolder('blank-id', undefined, undefined, blankLine.join(''))), 'documents.ids.txt:11: a blank line');
    const trailing = ids.map((id) => `${id}\n`);
    trailing[4] = `${ids[4]} \n`;
    await refused(pick(vectorFolder('trailing-id', undefined, undefined, trailing.join(''))), `documents.ids.txt:5:${ids[4].length + 1}: id "${ids[4]} " has a trailing space`);
    // Ids of other data: none of them is the corpus's.
    await refused(pick(vectorFolder('foreign-ids', undefined, undefined, ids.map((_, i) => `MED-${i}\n`).join(''))), `documents.npy: ${n} of the dataset's ${n} documents have no vector ("${ids[0]}", "${ids[1]}"`);
  }, 90_000);

  it.skipIf(!HAS_PYARROW)('a truncated Arrow stream and parquet parts that disagree: the file at fault named', async () => {
    const script = `
import os, sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq
root, dim = sys.argv[1], ${DIM}
DI = ${JSON.stringify(Array.from(dataset.documents, (d) => d.id))}
QI = ${JSON.stringify(Array.from(dataset.queries, (q) => q.id))}
def rows(n, d): return np.array([[1.0 if j == i % d else 0.1 * ((i * 7 + j) % 5) for j in range(d)] for i in range(n)], dtype="<f4")
def fixed(r): return pa.FixedSizeListArray.from_arrays(pa.array(r.reshape(-1)), r.shape[1])
def queries(d): pq.write_table(pa.table({"id": QI, "embedding": fixed(rows(len(QI), dim))}), os.path.join(d, "queries.parquet"))
d = os.path.join(root, "stream-cut"); os.makedirs(d)
t = pa.table({"id": DI, "embedding": fixed(rows(len(DI), dim))})
sink = pa.BufferOutputStream()
with pa.ipc.new_stream(sink, t.schema) as w:
    for b in t.to_batches(max_chunksize=8): w.write_batch(b)
open(os.path.join(d, "documents.arrows"), "wb").write(sink.getvalue().to_pybytes()[:-8])
queries(d)
d = os.path.join(root, "parts-dims"); os.makedirs(os.path.join(d, "documents"))
half = len(DI) // 2
pq.write_table(pa.table({"id": DI[:half], "embedding": fixed(rows(half, dim))}), os.path.join(d, "documents", "part-00000.parquet"))
pq.write_table(pa.table({"id": DI[half:], "embedding": fixed(rows(len(DI) - half, dim + 1))}), os.path.join(d, "documents", "part-00001.parquet"))
queries(d)
`;
    execFileSync('python3', ['-c', script, dir], { stdio: 'pipe' });
    const folderInput = browser.page.getByTestId('vectors-folder-A');
    await refused(() => folderInput.setInputFiles(at('stream-cut')), /documents\.arrows: is truncated: the stream ends after \d+ record batches \(at byte \d+\) without its end-of-stream marker/);
    await refused(() => folderInput.setInputFiles(at('parts-dims')), new RegExp(`documents/part-00001\\.parquet: has ${DIM + 1} dimensions where (parts-dims/)?documents/part-00000\\.parquet has ${DIM}: the documents parts disagree on the dimension`));
  }, 60_000);

  it('a run file that names no query, or only unknown documents', async () => {
    const pick = (name: string, text: string) => () => {
      writeFileSync(at(name), text);
      return browser.page.getByTestId('run-file-A').setInputFiles(at(name));
    };
    await refused(pick('other.trec', 'PLAIN-1 Q0 MED-10 1 9.5 bm25\nPLAIN-1 Q0 MED-11 2 8.0 bm25\n'), `other.trec: ranks none of the dataset's ${dataset.queries.length} queries (its first line names query "PLAIN-1")`);
    const queryIds = Array.from(dataset.queries, (q) => q.id);
    await refused(pick('unknown.trec', queryIds.map((q) => `${q} Q0 MED-${q} 1 1.0 bm25`).join('\n')), `unknown.trec: names none of the corpus's ${dataset.documents.length} documents in its ${queryIds.length} results (the first: "MED-${queryIds[0]}")`);
  }, 60_000);

  it('a stored report with NDCG 7.5, a value of the wrong type, an unknown mode, a tampered fingerprint', async () => {
    const pick = (edit: (r: Record<string, any>) => void) => () => {
      const edited = structuredClone(report);
      edit(edited);
      writeFileSync(at('base.json'), JSON.stringify(edited));
      return browser.page.getByTestId('report-file-A').setInputFiles(at('base.json'));
    };
    const q = Object.keys(report.models[0].perQuery['ndcg@10'])[0];
    await refused(pick((r) => (r.models[0].perQuery['ndcg@10'][q] = 7.5)), `base.json: models[0].perQuery["ndcg@10"]["${q}"]: 7.5 is outside [0, 1]`);
    await refused(pick((r) => (r.models[0].perQuery['recall@1'][q] = '1')), `base.json: models[0].perQuery["recall@1"]["${q}"]: "1" is not a number`);
    await refused(pick((r) => (r.mode = 'bm25')), 'base.json: mode: "bm25" is not a mode the lab scores in (sentence-transformers, trec)');
    await refused(pick((r) => (r.dataset.fingerprint.documents.digest = 'a'.repeat(64))), 'base.json: dataset.fingerprint.documents.digest: does not match what it fingerprints (the report was edited)');
  }, 60_000);

  it('model folders with a truncated model.onnx, random bytes as model.safetensors, a string vocab, a safetensors header past the end', async () => {
    const pick = (folder: string) => () => browser.page.getByTestId('pick-A').setInputFiles(folder);
    const onnx = readFileSync(path.join(FIXTURE_MODEL, 'onnx/model.onnx'));
    await refused(pick(brokenModel('cut-onnx', (f) => writeFileSync(path.join(f, 'onnx/model.onnx'), onnx.subarray(0, 5000)))), /onnx\/model\.onnx: is not a valid ONNX model: it is cut short \(truncated\?\)/);
    await refused(
      pick(brokenModel('vocab', (f) => {
        const json = JSON.parse(readFileSync(path.join(f, 'tokenizer.json'), 'utf8'));
        json.model.vocab = 'vocab.txt';
        writeFileSync(path.join(f, 'tokenizer.json'), JSON.stringify(json));
      })),
      'tokenizer.json: model.vocab: is a string ("vocab.txt"): expected an object mapping each token to its id',
    );
    let seed = 1;
    const random = Uint8Array.from({ length: 4096 }, () => (seed = (Math.imul(seed, 48271) + 11) >>> 0) >>> 24);
    await refused(pick(brokenModel('random-safetensors', (f) => writeFileSync(path.join(f, 'model.safetensors'), random))), /model\.safetensors: (declares a \d+-byte header|is not)/);
    const pastTheEnd = new Uint8Array(58);
    new DataView(pastTheEnd.buffer).setBigUint64(0, 1000n, true);
    await refused(pick(brokenModel('short-safetensors', (f) => writeFileSync(path.join(f, 'model.safetensors'), pastTheEnd))), 'model.safetensors: declares a 1000-byte header but only 50 bytes follow the length: the file is truncated or not safetensors');
  }, 90_000);

  it('a backend changed from auto to WASM after the load reloads the model: its stated reason follows', async () => {
    const { page } = browser;
    const b = page.getByTestId('slot-B');
    await page.getByTestId('served-B').selectOption('tiny-bert');
    await expect.poll(() => b.getByTestId('model-name').textContent(), { timeout: 60_000 }).toBe(MODEL);
    const autoReason = await b.getByTestId('model-backend-reason').textContent();
    expect(autoReason).not.toBe('chosen in the slot');
    await b.getByText('Runtime options').click();
    await page.getByTestId('backend-B').selectOption('wasm');
    await expect.poll(() => b.getByTestId('model-backend-reason').textContent(), { timeout: 60_000 }).toBe('chosen in the slot');
    expect(await b.getByTestId('model-backend').textContent()).toMatch(/WASM/);
  }, 120_000);

  it('Compare runs what the slots say they hold: the model in A, kept through every refusal, and the model in B', async () => {
    const { page } = browser;
    await page.getByTestId('kernels').selectOption('cpu');
    await page.getByTestId('run').click();
    await expect.poll(() => page.getByTestId('results').count(), { timeout: 120_000 }).toBe(1);
    const row = (await page.getByTestId('metrics-table').locator('tr[data-metric="ndcg@10"] td').allTextContents()).slice(0, 2).map(Number);
    // The fixture model in both slots: the same value, and the stored report's (the CLI, same model, same data).
    expect(row[0]).toBeCloseTo(report.models[0].metrics['ndcg@10'], 4);
    expect(row[1]).toBeCloseTo(row[0], 4);
    expect(browser.consoleErrors).toEqual([]);
  }, 180_000);
});

/** A float32 `.npy` of `rows` × `dim` (`bits`: values as uint32 patterns). */
function npy(values: ArrayLike<number>, rows: number, dim: number, bits = false): Uint8Array {
  return npyBytes(values, [rows, dim], '<f4', bits);
}
