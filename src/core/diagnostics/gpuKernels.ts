// Apart from kernels.ts: the WGSL imports (`?raw`) only resolve in the Vite build, not in the Node CLI.
import type { GpuLabelDistances } from '../kernels/labelDistances/labelDistances.ts';
import type { GpuTopK } from '../kernels/topk/topk.ts';
import { GPU_EXACT_LIMIT, type DiagnosticKernels } from './kernels.ts';

/**
 * The diagnostics' kernels on WebGPU. The caller owns both kernels (and destroys them): the top-k one is the
 * same instance the ranking uses, so a device holds one set of top-k buffers.
 */
export function gpuDiagnosticKernels(distances: GpuLabelDistances, topK: GpuTopK): DiagnosticKernels {
  return {
    backend: 'webgpu',
    labelDistanceSums: distances.run,
    topK: topK.run,
    exactLimit: GPU_EXACT_LIMIT,
  };
}
