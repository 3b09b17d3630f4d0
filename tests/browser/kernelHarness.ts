// Runs the WebGPU kernels in the page, on inputs regenerated from a seed (so only results cross to Node).
// Everything is on `window` synchronously: a top-level await here could run past the load event the test
// waits for.
import { requestGpuDevice } from '../../src/core/kernels/gpuDevice.ts';
import { GpuLabelDistances } from '../../src/core/kernels/labelDistances/labelDistances.ts';
import { GpuTopK } from '../../src/core/kernels/topk/topk.ts';
import type { TopKInput } from '../../src/core/kernels/topk/topk.types.ts';
import { randomLabelledCase, randomTopKCase } from '../fixtures/random.ts';

const kernels = requestGpuDevice().then((gpu) => (gpu ? { topK: new GpuTopK(gpu), labelDistances: new GpuLabelDistances(gpu) } : null));

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

Object.assign(window, {
  kernelsReady: kernels.then((k) => k !== null),
  timeGpuTopK,
  timeGpuLabelDistances,
  gpuTopKSeeded: (seed: number, queryCount: number, docCount: number, dim: number, k: number) =>
    run({ ...randomTopKCase(seed, queryCount, docCount, dim), dim, k }),
  gpuTopK: (queries: number[], docs: number[], dim: number, k: number) =>
    run({ queries: Float32Array.from(queries), docs: Float32Array.from(docs), dim, k }),
  gpuLabelDistancesSeeded: async (seed: number, count: number, dim: number, labelCount: number) =>
    Array.from((await (await ready()).labelDistances.run(randomLabelledCase(seed, count, dim, labelCount))).sums),
});
