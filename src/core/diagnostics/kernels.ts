import type { GpuContext } from '../kernels/gpuDevice.ts';
import { labelDistanceSumsCpu } from '../kernels/labelDistances/labelDistances.cpu.ts';
import { GpuLabelDistances } from '../kernels/labelDistances/labelDistances.ts';
import type { LabelDistanceKernel } from '../kernels/labelDistances/labelDistances.types.ts';
import { topKCpu } from '../kernels/topk/topk.cpu.ts';
import { GpuTopK } from '../kernels/topk/topk.ts';
import type { TopKKernel } from '../kernels/topk/topk.types.ts';

/**
 * The O(n²) parts of the diagnostics, on one backend. `exactLimit` is how many points the pairwise
 * diagnostics take exactly before they switch to a seeded sample: what the backend does in seconds.
 */
export interface DiagnosticKernels {
  backend: 'webgpu' | 'cpu';
  labelDistanceSums: LabelDistanceKernel;
  topK: TopKKernel;
  exactLimit: number;
}

/** 4 000 points ≈ 3 · 10⁹ multiply-adds at 384 dims: a few seconds of JavaScript. */
export const CPU_EXACT_LIMIT = 4000;
/** 20 000 points ≈ 8 · 10¹⁰ multiply-adds: well under a second on a discrete GPU. */
export const GPU_EXACT_LIMIT = 20_000;

export const cpuDiagnosticKernels: DiagnosticKernels = {
  backend: 'cpu',
  labelDistanceSums: labelDistanceSumsCpu,
  topK: topKCpu,
  exactLimit: CPU_EXACT_LIMIT,
};

/** The WGSL kernels on `gpu`; `destroy` frees their buffers. */
export function gpuDiagnosticKernels(gpu: GpuContext): DiagnosticKernels & { destroy(): void } {
  const distances = new GpuLabelDistances(gpu);
  const topK = new GpuTopK(gpu);
  return {
    backend: 'webgpu',
    labelDistanceSums: distances.run,
    topK: topK.run,
    exactLimit: GPU_EXACT_LIMIT,
    destroy() {
      distances.destroy();
      topK.destroy();
    },
  };
}
