// Apart from kernels.ts: the WGSL imports (`?raw`) only resolve in the Vite build, not in the Node CLI.
import type { GpuContext } from '../kernels/gpuDevice.ts';
import { GpuLabelDistances } from '../kernels/labelDistances/labelDistances.ts';
import { GpuTopK } from '../kernels/topk/topk.ts';
import { GPU_EXACT_LIMIT, type DiagnosticKernels } from './kernels.ts';

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
