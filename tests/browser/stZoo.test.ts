/**
 * The st-zoo checkpoints (`../shared/models/st-zoo/`, served as `/models/st-zoo-<name>/`) in the real
 * encoder worker in headless Chromium: every family's graph built from model.safetensors in the browser
 * and run on WASM must give what sentence-transformers 6.0.1 computed (`NAME.reference.json`) — token ids,
 * encode, encode_query, encode_document and the query·document similarity — and a few families on
 * WebGPU (SwiftShader here, ~100× slower than WASM: short texts only) must give the same.
 */
import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import type { EncoderApi, ModelInfo } from '../../src/worker/api.ts';
import type { PromptRole } from '../../src/core/model/prompts.ts';
import { HAS_ST_ZOO, ST_ZOO, ZOO_MODELS, zooReference, type ZooReference } from '../fixtures/stZoo.ts';
import { needs } from '../paths.ts';
import { usePage } from './usePage.ts';

declare global {
  interface Window {
    encoder: Remote<EncoderApi>;
  }
}

type ZooModel = (typeof ZOO_MODELS)[number];

const TOLERANCE = 1e-5;

/** The three calls of the reference, as the worker's roles. */
const CALLS: { key: 'encode' | 'encode_query' | 'encode_document'; role: PromptRole }[] = [
  { key: 'encode', role: 'plain' },
  { key: 'encode_query', role: 'query' },
  { key: 'encode_document', role: 'document' },
];

/**
 * The prompts each role gets under ST 6's rules (see src/core/model/prompts.ts): `query` takes
 * `prompts.query`, `document` takes `prompts.document` — for xlm-roberta-weightedmean its empty `document`
 * entry wins over `passage`.
 */
function expectedPrompts(reference: ZooReference): { query: string; document: string } {
  return { query: reference.prompts.query ?? '', document: reference.prompts.document ?? '' };
}

/**
 * Every folder on WebGPU too (each takes one to three seconds on SwiftShader, the first one the device's
 * start), on five short probes: two sentences, the empty text, extra spaces and a question. The long probe (truncation)
 * is left to WASM.
 */
const WEBGPU_PROBES = [0, 1, 2, 3, 9];

// Vite's HMR socket, answered here and never by the dev server: an edit elsewhere in the tree mid-run (several
// people work in this checkout) would otherwise reload the harness and its worker under a test.
const browser = usePage('/tests/browser/workerHarness.html', (page) => page.routeWebSocket((url) => url.searchParams.has('token'), () => undefined));

async function load(slot: string, name: ZooModel, backend: 'wasm' | 'webgpu'): Promise<ModelInfo> {
  return browser.page.evaluate(
    ([slot, served, backend]) => window.encoder.loadModel(slot, { kind: 'served', name: served }, { backend }),
    [slot, `st-zoo-${name}`, backend] as const,
  );
}

async function encodeRows(slot: string, texts: string[], role: PromptRole): Promise<{ rows: number[][]; backend: string; pooledOn: string | null }> {
  return browser.page.evaluate(
    async ([slot, texts, role]) => {
      const { vectors, dim, backend, pooledOn } = await window.encoder.encode(slot, texts, undefined, undefined, role);
      const rows = Array.from({ length: vectors.length / dim }, (_, r) => Array.from(vectors.subarray(r * dim, (r + 1) * dim)));
      return { rows, backend, pooledOn };
    },
    [slot, texts, role] as const,
  );
}

function maxAbsDelta(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((row, r) => {
    expect(row.length, `row ${r}`).toBe(expected[r].length);
    row.forEach((value, d) => (worst = Math.max(worst, Math.abs(value - expected[r][d]))));
  });
  return worst;
}

/** `model.similarity(queries, documents)` in float64 (sentence_transformers/util/similarity.py). */
function similarityMatrix(similarity: string, queries: number[][], documents: number[][]): number[][] {
  const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);
  const norm = (a: number[]) => Math.sqrt(dot(a, a));
  const scores: Record<string, (a: number[], b: number[]) => number> = {
    cosine: (a, b) => dot(a, b) / (Math.max(norm(a), 1e-8) * Math.max(norm(b), 1e-8)),
    dot,
  };
  const score = scores[similarity];
  if (!score) throw new Error(`no st-zoo model uses ${similarity}: add it here`);
  return queries.map((q) => documents.map((d) => score(q, d)));
}

const pick = <T>(rows: readonly T[], indices: readonly number[]) => indices.map((i) => rows[i]);

describe.skipIf(!HAS_ST_ZOO)(needs(ST_ZOO, 'st-zoo in the encoder worker: the graph built from model.safetensors in the browser'), () => {
  it.each(ZOO_MODELS)('%s on wasm: token ids, encode, encode_query, encode_document and similarity within 1e-5', async (name) => {
    const reference = zooReference(name);
    const slot = `${name}-wasm`;
    const info = await load(slot, name, 'wasm');
    expect(info.backend.backend).toBe('wasm');
    expect(info.provenance.format).toBe('safetensors');
    expect(info.provenance.family).toBe(reference.family);
    expect(info.similarity).toBe(reference.similarity_fn_name);
    expect(info.prompts).toEqual(expectedPrompts(reference));
    expect(info.modelPrompts).toEqual({ query: '', document: '', ...reference.prompts });
    expect(info.defaultPromptName).toBe(reference.default_prompt_name);
    expect(info.maxSeqLength).toBe(reference.max_seq_length);
    expect(info.dim).toBe(reference.encode[0].length);

    const ids = await browser.page.evaluate(([slot, texts]) => window.encoder.tokenize(slot, texts), [slot, reference.probe] as const);
    expect(ids).toEqual(reference.token_ids);

    const rows: Record<string, number[][]> = {};
    const deltas: string[] = [];
    for (const { key, role } of CALLS) {
      const result = await encodeRows(slot, reference.probe, role);
      expect(result.backend).toBe('wasm');
      const delta = maxAbsDelta(result.rows, reference[key]);
      deltas.push(`${key} ${delta.toExponential(2)}`);
      expect(delta, key).toBeLessThanOrEqual(TOLERANCE);
      rows[key] = result.rows;
    }
    const scores = similarityMatrix(info.similarity, rows.encode_query, rows.encode_document);
    const similarityDelta = maxAbsDelta(scores, reference.similarity_query_document);
    console.log(`${name} on wasm: max |Δ| ${deltas.join(', ')}, similarity (${info.similarity}) ${similarityDelta.toExponential(2)}`);
    expect(similarityDelta).toBeLessThanOrEqual(TOLERANCE);
    await browser.page.evaluate((slot) => window.encoder.dispose(slot), slot);
  }, 60_000);

  it.each(ZOO_MODELS)('%s on webgpu: short probes within 1e-5 of sentence-transformers', async (name) => {
    const reference = zooReference(name);
    const slot = `${name}-webgpu`;
    const started = Date.now();
    const info = await load(slot, name, 'webgpu');
    expect(info.backend.backend).toBe('webgpu');
    expect(info.provenance.format).toBe('safetensors');
    const texts = pick(reference.probe, WEBGPU_PROBES);
    const rows: Record<string, number[][]> = {};
    const deltas: string[] = [];
    for (const { key, role } of CALLS) {
      const result = await encodeRows(slot, texts, role);
      expect(result.backend).toBe('webgpu');
      expect(result.pooledOn).toBe('gpu');
      rows[key] = result.rows;
      deltas.push(`${key} ${maxAbsDelta(result.rows, pick(reference[key], WEBGPU_PROBES)).toExponential(2)}`);
    }
    const scores = similarityMatrix(info.similarity, rows.encode_query, rows.encode_document);
    const expected = pick(reference.similarity_query_document, WEBGPU_PROBES).map((row) => pick(row, WEBGPU_PROBES));
    const similarityDelta = maxAbsDelta(scores, expected);
    // Printed before asserting, so a failure's log says by how much every call missed, not only the first.
    console.log(`${name} on webgpu (${((Date.now() - started) / 1000).toFixed(1)} s): max |Δ| ${deltas.join(', ')}, similarity ${similarityDelta.toExponential(2)}`);
    for (const { key } of CALLS) expect(maxAbsDelta(rows[key], pick(reference[key], WEBGPU_PROBES)), key).toBeLessThanOrEqual(TOLERANCE);
    expect(similarityDelta).toBeLessThanOrEqual(TOLERANCE);
    await browser.page.evaluate((slot) => window.encoder.dispose(slot), slot);
  }, 120_000);

  it('logged no errors in the page but the 404s of optional model files', () => {
    // A model folder is read by asking for each optional file (modules.json, …); "not found" is an answer.
    const optional = browser.notFound.filter((url) => new URL(url).pathname.startsWith('/models/st-zoo-'));
    expect(browser.notFound).toEqual(optional);
    expect(browser.consoleErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
