import { describe, expect, it } from 'vitest';
import { randomTopKCase } from '../../../tests/fixtures/random.ts';
import { cosineTopK, GPU_MIN_WORK, type GpuTopKKernel } from './cosineTopK.ts';
import { topKCpuSync } from './topk/topk.cpu.ts';
import type { TopKInput } from './topk/topk.types.ts';

/**
 * Stands in for `GpuTopK` (tested on a real adapter in the browser kernel tests): it answers with the CPU
 * twin, records the calls, and can refuse a dimension or fail the way a lost device does.
 */
function gpuStandIn(options: { supports?: boolean; fails?: boolean } = {}): GpuTopKKernel & { calls: TopKInput[] } {
  const calls: TopKInput[] = [];
  return {
    calls,
    supports: () => options.supports ?? true,
    run: async (input) => {
      calls.push(input);
      if (options.fails) throw new Error('GPU device lost: destroyed');
      return topKCpuSync(input);
    },
  };
}

describe('the cosine top-k dispatcher', () => {
  // 64 × 1024 × 256 multiply-adds = 2^24: exactly the GPU threshold.
  const big = randomTopKCase(31, 64, 1024, 256);
  const small = randomTopKCase(32, 3, 50, 256);

  it('sends jobs of at least GPU_MIN_WORK multiply-adds to the GPU kernel, smaller ones to the CPU twin', async () => {
    expect(64 * 1024 * 256).toBe(GPU_MIN_WORK);
    const gpu = gpuStandIn();
    const onGpu = await cosineTopK(big.queries, big.docs, 256, 10, gpu);
    expect(onGpu.backend).toBe('webgpu');
    expect(gpu.calls).toHaveLength(1);
    const onCpu = await cosineTopK(small.queries, small.docs, 256, 10, gpu);
    expect(onCpu.backend).toBe('cpu');
    expect(gpu.calls).toHaveLength(1);
    expect(Array.from(onCpu.indices)).toEqual(Array.from(topKCpuSync({ queries: small.queries, docs: small.docs, dim: 256, k: 10 }).indices));
  });

  it('uses the CPU when no GPU kernel is given or the device cannot take the dimension', async () => {
    expect((await cosineTopK(big.queries, big.docs, 256, 10, null)).backend).toBe('cpu');
    const narrow = gpuStandIn({ supports: false });
    expect((await cosineTopK(big.queries, big.docs, 256, 10, narrow)).backend).toBe('cpu');
    expect(narrow.calls).toHaveLength(0);
  });

  it('falls back to the CPU twin with a note when the GPU kernel fails, with the same result', async () => {
    const result = await cosineTopK(big.queries, big.docs, 256, 10, gpuStandIn({ fails: true }));
    expect(result.backend).toBe('cpu');
    expect(result.note).toMatch(/WebGPU top-k failed \(GPU device lost: destroyed\); used the CPU/);
    expect(Array.from(result.indices)).toEqual(Array.from(topKCpuSync({ queries: big.queries, docs: big.docs, dim: 256, k: 10 }).indices));
  });

  it('leaves its inputs alone (the comparison normalised them already)', async () => {
    const before = big.queries.slice();
    await cosineTopK(big.queries, big.docs, 256, 5, null);
    expect(big.queries).toEqual(before);
  });
});
