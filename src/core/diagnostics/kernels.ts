import { labelDistanceSumsCpu } from '../kernels/labelDistances/labelDistances.cpu.ts';
import type { LabelDistanceKernel } from '../kernels/labelDistances/labelDistances.types.ts';
import { topKCpu } from '../kernels/topk/topk.cpu.ts';
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
const CPU_EXACT_LIMIT = 4000;
/** 20 000 points ≈ 8 · 10¹⁰ multiply-adds: well under a second on a discrete GPU. */
export const GPU_EXACT_LIMIT = 20_000;

export const cpuDiagnosticKernels: DiagnosticKernels = {
  backend: 'cpu',
  labelDistanceSums: labelDistanceSumsCpu,
  topK: topKCpu,
  exactLimit: CPU_EXACT_LIMIT,
};
