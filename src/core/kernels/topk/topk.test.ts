import { describe, expect, it } from 'vitest';
import { useKernelHarness } from '../../../../tests/browser/usePage.ts';
import { randomTopKCase } from '../../../../tests/fixtures/random.ts';
import * as ortNode from 'onnxruntime-node';
import { topKCpu } from './topk.cpu.ts';
import { OrtTopK } from './topk.ort.ts';
import type { TopKInput, TopKResult } from './topk.types.ts';

/** Float64 reference: every score, fully sorted by (score desc, index asc). */
function reference({ queries, docs, dim, k }: TopKInput): { indices: number[][]; scores: number[][] } {
  const queryCount = queries.length / dim;
  const docCount = docs.length / dim;
  const indices: number[][] = [];
  const scores: number[][] = [];
  for (let q = 0; q < queryCount; q++) {
    const all = Array.from({ length: docCount }, (_, d) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s += queries[q * dim + j] * docs[d * dim + j];
      return { d, s };
    }).sort((a, b) => b.s - a.s || a.d - b.d);
    const top = all.slice(0, Math.min(k, docCount));
    indices.push(top.map((e) => e.d));
    scores.push(top.map((e) => e.s));
  }
  return { indices, scores };
}

type PlainResult = Pick<TopKResult, 'queryCount' | 'k'> & { indices: ArrayLike<number>; scores: ArrayLike<number> };

/**
 * Same ranking as the reference, allowing two documents to trade places only where their float64 scores
 * differ by less than `tieTolerance` (float32 accumulation on the GPU can reorder such near-ties).
 */
function expectMatches(result: PlainResult, input: TopKInput, scoreTolerance: number, tieTolerance: number): void {
  const expected = reference(input);
  const queryCount = input.queries.length / input.dim;
  expect(result.queryCount).toBe(queryCount);
  expect(result.k).toBe(Math.min(input.k, input.docs.length / input.dim));
  for (let q = 0; q < queryCount; q++) {
    const got = Array.from({ length: result.k }, (_, r) => result.indices[q * result.k + r]);
    for (let r = 0; r < result.k; r++) {
      const score = result.scores[q * result.k + r];
      expect(Math.abs(score - expected.scores[q][r]), `query ${q} rank ${r} score`).toBeLessThanOrEqual(scoreTolerance);
      const doc = got[r];
      if (doc === expected.indices[q][r]) continue;
      let docScore = 0;
      for (let j = 0; j < input.dim; j++) docScore += input.queries[q * input.dim + j] * input.docs[doc * input.dim + j];
      expect(Math.abs(docScore - expected.scores[q][r]), `query ${q} rank ${r}: doc ${doc} instead of ${expected.indices[q][r]}`).toBeLessThan(tieTolerance);
    }
    expect(new Set(got).size, `query ${q}: a document twice`).toBe(got.length);
  }
}

const CASES: [string, number, number, number, number][] = [
  // name, queries, docs, dim, k
  ['1×1', 1, 1, 1, 1],
  ['7×13, k 5', 7, 13, 3, 5],
  ['k > D', 3, 4, 17, 10],
  ['k = D', 2, 9, 8, 9],
  ['docs not a multiple of the tile', 5, 1025, 16, 7],
  ['several merge passes', 3, 20_000, 8, 12],
  ['384 dims, k 100', 9, 3001, 384, 100],
];

// Ties: docs 0, 2, 4 are one vector, 1 and 3 another, less similar to the query.
const TIES = { queries: [0.6, 0.8], docs: [0.6, 0.8, 0.8, 0.6, 0.6, 0.8, 0.8, 0.6, 0.6, 0.8], dim: 2, k: 4 };

/** One twin on a fresh random case of the given shape, against the reference; the seed is in any failure. */
async function checkSeeded(run: (input: TopKInput) => Promise<PlainResult>, shape: [number, number, number, number], scoreTolerance: number, tieTolerance: number): Promise<void> {
  const [queryCount, docCount, dim, k] = shape;
  const seed = Date.now() >>> 0;
  const input = { ...randomTopKCase(seed, queryCount, docCount, dim), dim, k };
  try {
    expectMatches(await run(input), input, scoreTolerance, tieTolerance);
  } catch (error) {
    throw new Error(`seed ${seed}: ${(error as Error).message}`);
  }
}

describe('top-k, CPU twin', () => {
  it.each(CASES)('%s matches the float64 reference', (_, ...shape) => checkSeeded(topKCpu, shape, 1e-6, 1e-9));

  it('breaks exact ties by lower document index', async () => {
    const result = await topKCpu({ ...TIES, queries: Float32Array.from(TIES.queries), docs: Float32Array.from(TIES.docs) });
    expect(Array.from(result.indices)).toEqual([0, 2, 4, 1]);
  });

  it('ranks a NaN score last instead of first', async () => {
    const docs = Float32Array.from([NaN, 0, 1, 0, 0, 1]);
    const result = await topKCpu({ queries: Float32Array.from([1, 0]), docs, dim: 2, k: 3 });
    expect(Array.from(result.indices)).toEqual([1, 2, 0]);
  });

  it('returns nothing for no queries and rejects malformed input', async () => {
    const result = await topKCpu({ queries: new Float32Array(0), docs: new Float32Array(6), dim: 3, k: 2 });
    expect(result).toMatchObject({ queryCount: 0, k: 2 });
    await expect(topKCpu({ queries: new Float32Array(5), docs: new Float32Array(6), dim: 3, k: 2 })).rejects.toThrow(/not a multiple of dim 3/);
    await expect(topKCpu({ queries: new Float32Array(3), docs: new Float32Array(6), dim: 3, k: 0 })).rejects.toThrow(/k must be a positive integer/);
  });
});

describe('top-k, onnxruntime twin (Gemm + TopK graph, onnxruntime-node)', () => {
  let kernel: OrtTopK;
  const run = async (input: TopKInput) => {
    kernel ??= await OrtTopK.create(ortNode, { intraOpNumThreads: 2 });
    return kernel.run(input);
  };
  const ORT_CASES: typeof CASES = [
    ...CASES,
    // Past one document tile (32 768) and one query block (512): merged results must match the whole.
    ['two document tiles', 3, 40_000, 8, 25],
    ['two query blocks', 600, 700, 16, 10],
  ];

  // float32 sums: scores within 1e-5, order free only between near-ties.
  it.each(ORT_CASES)('%s matches the float64 reference', (_, ...shape) => checkSeeded(run, shape, 1e-5, 1e-5), 60_000);

  it('breaks exact ties by lower document index, within a tile and across tiles', async () => {
    const result = await run({ ...TIES, queries: Float32Array.from(TIES.queries), docs: Float32Array.from(TIES.docs) });
    expect(Array.from(result.indices)).toEqual([0, 2, 4, 1]);
    const { queries, docs } = randomTopKCase(5, 1, 40_000, 4);
    docs.copyWithin(36_000 * 4, 7 * 4, 8 * 4);
    docs.copyWithin(33_000 * 4, 7 * 4, 8 * 4);
    queries.set(docs.subarray(7 * 4, 8 * 4));
    const across = await run({ queries, docs, dim: 4, k: 3 });
    expect(Array.from(across.indices)).toEqual([7, 33_000, 36_000]);
  });

  it('ranks a NaN score last, as the other twins do', async () => {
    const docs = Float32Array.from([NaN, 0, 1, 0, 0, 1]);
    const result = await run({ queries: Float32Array.from([1, 0]), docs, dim: 2, k: 3 });
    expect(Array.from(result.indices)).toEqual([1, 2, 0]);
  });
});

describe('top-k, WGSL (headless Chromium WebGPU)', () => {
  const harness = useKernelHarness();

  it.each(CASES)('%s matches the float64 reference', async (_, queryCount, docCount, dim, k) => {
    const seed = Date.now() >>> 0;
    const input = { ...randomTopKCase(seed, queryCount, docCount, dim), dim, k };
    const result = await harness.page.evaluate(
      ([seed, queryCount, docCount, dim, k]) =>
        (window as unknown as { gpuTopKSeeded: (...a: number[]) => Promise<PlainResult> }).gpuTopKSeeded(seed, queryCount, docCount, dim, k),
      [seed, queryCount, docCount, dim, k],
    );
    try {
      expectMatches(result, input, 1e-5, 1e-5);
    } catch (error) {
      throw new Error(`seed ${seed}: ${(error as Error).message}`);
    }
  }, 120_000);

  it('breaks exact ties by lower document index, as the CPU twin does', async () => {
    const result = await harness.page.evaluate(
      ({ queries, docs, dim, k }) =>
        (window as unknown as { gpuTopK: (q: number[], d: number[], dim: number, k: number) => Promise<PlainResult> }).gpuTopK(queries, docs, dim, k),
      TIES,
    );
    expect(Array.from(result.indices)).toEqual([0, 2, 4, 1]);
  });
});
