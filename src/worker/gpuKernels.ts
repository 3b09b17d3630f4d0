/**
 * The data worker's GPU: one device, and on it one set of WGSL kernels (one top-k, one label-distance
 * kernel) that ranking and diagnostics share, their buffer pools reused from run to run. A lost device is
 * noticed by the one watch `requestGpuDevice` installs; the kernels on it are destroyed and the CPU twins
 * take over.
 */
import { cpuDiagnosticKernels } from '../core/diagnostics/kernels.ts';
import { gpuDiagnosticKernels } from '../core/diagnostics/gpuKernels.ts';
import type { ComparisonKernels } from '../core/eval/compare.ts';
import { requestGpuDevice, type GpuContext } from '../core/kernels/gpuDevice.ts';
import { GpuLabelDistances } from '../core/kernels/labelDistances/labelDistances.ts';
import { GpuTopK } from '../core/kernels/topk/topk.ts';

export type KernelChoice = 'auto' | 'webgpu' | 'cpu';

export interface ChosenKernels extends ComparisonKernels {
  /** Why the kernels run on the CPU although the GPU was asked for or could have been used. */
  note: string | null;
}

let device: Promise<GpuContext | null> | null = null;
let owned: { context: GpuContext; topK: GpuTopK; distances: GpuLabelDistances } | null = null;

/** The kernels for `choice`: the WGSL ones on this worker's device, or the CPU twins (with the reason). */
export async function kernelsFor(choice: KernelChoice): Promise<ChosenKernels> {
  if (choice === 'cpu') return { topK: null, diagnostics: cpuDiagnosticKernels, note: null };
  device ??= requestGpuDevice().catch(() => null);
  const context = await device;
  if (!context || context.lost) {
    if (context?.lost) release();
    const note = context?.lost ? `the GPU device was lost (${context.lost}); kernels ran on the CPU` : 'no WebGPU adapter in this worker; kernels ran on the CPU';
    if (choice === 'webgpu') throw new Error(note);
    return { topK: null, diagnostics: cpuDiagnosticKernels, note };
  }
  if (owned?.context !== context) {
    release();
    owned = { context, topK: new GpuTopK(context), distances: new GpuLabelDistances(context) };
  }
  return { topK: owned.topK, diagnostics: gpuDiagnosticKernels(owned.distances, owned.topK), note: null };
}

/** Frees the kernels' buffers. */
function release(): void {
  owned?.topK.destroy();
  owned?.distances.destroy();
  owned = null;
}
