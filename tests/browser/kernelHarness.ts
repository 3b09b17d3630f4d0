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

Object.assign(window, {
  kernelsReady: Promise.resolve(gpu !== null),
  gpuTopKSeeded: (seed: number, queryCount: number, docCount: number, dim: number, k: number) =>
    run({ ...randomTopKCase(seed, queryCount, docCount, dim), dim, k }),
  gpuTopK: (queries: number[], docs: number[], dim: number, k: number) =>
    run({ queries: Float32Array.from(queries), docs: Float32Array.from(docs), dim, k }),
});
