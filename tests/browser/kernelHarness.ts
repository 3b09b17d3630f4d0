// Runs the WebGPU kernels in the page, on inputs regenerated from a seed (so only results cross to Node).
// Everything is on `window` synchronously: a top-level await here could run past the load event the test
// waits for.
import { gpuDiagnosticKernels } from '../../src/core/diagnostics/gpuKernels.ts';
import { withLabels } from '../../src/core/diagnostics/labelled.ts';
import { labelStructure } from '../../src/core/diagnostics/labelStructure.ts';
import { requestGpuDevice } from '../../src/core/kernels/gpuDevice.ts';
import { GpuLabelDistances } from '../../src/core/kernels/labelDistances/labelDistances.ts';
import { GpuPooling } from '../../src/core/kernels/pooling/pooling.ts';
import type { PoolingMode } from '../../src/core/kernels/pooling/poolingModes.ts';
import { GpuTopK } from '../../src/core/kernels/topk/topk.ts';
import type { TopKInput } from '../../src/core/kernels/topk/topk.types.ts';
import { randomLabelledCase, randomPoolingCase, randomTopKCase } from '../fixtures/random.ts';

const kernels = requestGpuDevice().then((gpu) => {
  if (!gpu) return null;
  const topK = new GpuTopK(gpu);
  const labelDistances = new GpuLabelDistances(gpu);
  return { topK, labelDistances, pooling: new GpuPooling(gpu), diagnostics: gpuDiagnosticKernels(labelDistances, topK) };
});

async function ready() {
  const k = await kernels;
  if (!k) throw new Error('no WebGPU device in this page');
  return k;
}

async function run(input: TopKInput) {
  const result = await (await ready()).topK.run(input);
  return { queryCount: result.queryCount, k: result.k, indices: Array.from(result.indices), scores: Array.from(result.scores) };
}

/** Best-of-`repeats` milliseconds of `job`, after one warm-up run (pipeline creation). */
async function bestOf(job: () => Promise<unknown>, repeats: number): Promise<number> {
  await job();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await job();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function timeGpuTopK(seed: number, queryCount: number, docCount: number, dim: number, k: number, repeats = 3): Promise<number> {
  const { topK } = await ready();
  const input = { ...randomTopKCase(seed, queryCount, docCount, dim), dim, k };
  return bestOf(() => topK.run(input), repeats);
}

async function timeGpuLabelDistances(seed: number, count: number, dim: number, labelCount: number, repeats = 3): Promise<number> {
  const { labelDistances } = await ready();
  const input = randomLabelledCase(seed, count, dim, labelCount);
  return bestOf(() => labelDistances.run(input), repeats);
}

/**
 * Milliseconds of one exact silhouette (and pairwise separation) on the WGSL kernels, after a warm-up on a
 * small input that creates the pipelines: on a software GPU a full-size run takes minutes.
 */
async function timeGpuSilhouette(seed: number, count: number, dim: number, labelCount: number): Promise<{ ms: number; silhouette: number }> {
  const { diagnostics } = await ready();
  const labelled = (n: number) => {
    const { vectors, labelOf } = randomLabelledCase(seed, n, dim, labelCount);
    return withLabels(vectors, dim, labelOf, Array.from({ length: labelCount }, (_, l) => `c${l}`));
  };
  await labelStructure(labelled(2 * labelCount), diagnostics);
  const data = labelled(count);
  const start = performance.now();
  const { silhouette } = await labelStructure(data, diagnostics);
  return { ms: performance.now() - start, silhouette: silhouette.score };
}

Object.assign(window, {
  timeGpuSilhouette,
  kernelsReady: kernels.then((k) => k !== null),
  timeGpuTopK,
  timeGpuLabelDistances,
  gpuTopKSeeded: (seed: number, queryCount: number, docCount: number, dim: number, k: number) =>
    run({ ...randomTopKCase(seed, queryCount, docCount, dim), dim, k }),
  gpuTopK: (queries: number[], docs: number[], dim: number, k: number) =>
    run({ queries: Float32Array.from(queries), docs: Float32Array.from(docs), dim, k }),
  gpuPoolingSeeded: async (seed: number, batch: number, seqLen: number, hidden: number, modes: PoolingMode[], normalize: boolean) =>
    Array.from(await (await ready()).pooling.run({ ...randomPoolingCase(seed, batch, seqLen, hidden), batch, seqLen, hidden, modes, normalize })),
  gpuLabelDistancesSeeded: async (seed: number, count: number, dim: number, labelCount: number) =>
    Array.from((await (await ready()).labelDistances.run(randomLabelledCase(seed, count, dim, labelCount))).sums),
});
