// Runs the WebGPU kernels in the page, on inputs regenerated from a seed (so only results cross to Node).
import { requestGpuDevice } from '../../src/core/kernels/gpuDevice.ts';
import { GpuTopK } from '../../src/core/kernels/topk/topk.ts';
import type { TopKInput } from '../../src/core/kernels/topk/topk.types.ts';
import { randomTopKCase } from '../fixtures/random.ts';

const gpu = await requestGpuDevice();
const topK = gpu ? new GpuTopK(gpu) : null;

async function run(input: TopKInput) {
  if (!topK) throw new Error('no WebGPU device in this page');
  const result = await topK.run(input);
  return { queryCount: result.queryCount, k: result.k, indices: Array.from(result.indices), scores: Array.from(result.scores) };
}

/** Best-of-`repeats` milliseconds of the GPU top-k on seeded data, after one warm-up run (pipeline creation). */
async function timeGpuTopK(seed: number, queryCount: number, docCount: number, dim: number, k: number, repeats = 3): Promise<number> {
  if (!topK) throw new Error('no WebGPU device in this page');
  const input = { ...randomTopKCase(seed, queryCount, docCount, dim), dim, k };
  await topK.run(input);
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await topK.run(input);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

Object.assign(window, {
  timeGpuTopK,
  kernelsReady: Promise.resolve(gpu !== null),
  gpuTopKSeeded: (seed: number, queryCount: number, docCount: number, dim: number, k: number) =>
    run({ ...randomTopKCase(seed, queryCount, docCount, dim), dim, k }),
  gpuTopK: (queries: number[], docs: number[], dim: number, k: number) =>
    run({ queries: Float32Array.from(queries), docs: Float32Array.from(docs), dim, k }),
});
