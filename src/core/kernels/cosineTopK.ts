import type { DocumentRows } from '../vectors/documentRows.ts';
import { topKCpu } from './topk/topk.cpu.ts';
import { topKOverRows } from './topk/topKOverRows.ts';
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
 * Cosine top-k of every query over the documents: the dispatcher between the WGSL kernel and its CPU twin.
 * Rows must be L2-normalised already (the comparison normalises each checkpoint's vectors once, in place),
 * so that the dot product the kernels take is the cosine. Picks the WebGPU kernel when one is given, the
 * job is big enough and the device supports the dimension; else, or with a note if it fails, the CPU kernel
 * given (the JavaScript twin by default; the CLI gives the onnxruntime one). All break ties by lower row.
 * Documents kept as float16 are decoded a block at a time as the kernel goes ({@link topKOverRows}).
 */
export async function cosineTopK(
  unitQueries: Float32Array,
  unitDocs: DocumentRows,
  dim: number,
  k: number,
  gpu?: GpuTopKKernel | null,
  cpu: TopKKernel = topKCpu,
): Promise<CosineTopKResult> {
  const run = (kernel: TopKKernel) => topKOverRows(kernel, unitQueries, unitDocs, dim, k);
  const work = (unitQueries.length / dim) * unitDocs.length;
  if (gpu && work >= GPU_MIN_WORK && gpu.supports(dim)) {
    try {
      return { ...(await run(gpu.run)), backend: 'webgpu' };
    } catch (error) {
      return { ...(await run(cpu)), backend: 'cpu', note: `WebGPU top-k failed (${(error as Error).message}); used the CPU` };
    }
  }
  return { ...(await run(cpu)), backend: 'cpu' };
}
