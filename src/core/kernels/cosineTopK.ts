import { normalizeRows } from './pooling/pooling.cpu.ts';
import { topKCpu } from './topk/topk.cpu.ts';
import type { TopKKernel, TopKResult } from './topk/topk.types.ts';

/** A GPU kernel as the dispatcher sees it: `GpuTopK` on WebGPU, absent elsewhere (the CLI, no adapter). */
export interface GpuTopKKernel {
  run: TopKKernel;
  supports(dim: number): boolean;
}

/** Below this many multiply-adds, upload and readback cost more than the CPU needs for the whole job. */
export const GPU_MIN_WORK = 2 ** 24;

export interface CosineTopKResult extends TopKResult {
  backend: 'webgpu' | 'cpu';
  /** Why the GPU was not used or failed, when one was offered. */
  note?: string;
}

/**
 * Cosine top-k of every query over the documents. Rows are normalised on copies first (models without a
 * Normalize module give raw vectors; cosine, as sentence-transformers' evaluator uses, must not depend on
 * that). Picks the WebGPU kernel when one is given and the job is big enough, and falls back to the CPU
 * twin, with a note, if it fails.
 */
export async function cosineTopK(
  queries: Float32Array,
  docs: Float32Array,
  dim: number,
  k: number,
  gpu?: GpuTopKKernel | null,
): Promise<CosineTopKResult> {
  const q = queries.slice();
  const d = docs.slice();
  normalizeRows(q, dim);
  normalizeRows(d, dim);
  const input = { queries: q, docs: d, dim, k };
  const work = (q.length / dim) * d.length;
  if (gpu && work >= GPU_MIN_WORK && gpu.supports(dim)) {
    try {
      return { ...(await gpu.run(input)), backend: 'webgpu' };
    } catch (error) {
      return { ...(await topKCpu(input)), backend: 'cpu', note: `WebGPU top-k failed (${(error as Error).message}); used the CPU` };
    }
  }
  return { ...(await topKCpu(input)), backend: 'cpu' };
}
