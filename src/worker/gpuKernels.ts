/**
 * The data worker's GPU: one device, and on it one set of WGSL kernels (one top-k, one label-distance
 * kernel) that ranking and diagnostics share, their buffer pools reused from run to run. Under "auto" the
 * kernels' backend is chosen by the same rule as a model's (`core/backends/chooseBackend.ts`): never a
 * software adapter, and on real hardware the faster of the two on a top-k tile (`timeTopKTile`), measured
 * once per device.
 * A lost device is noticed by the one watch `requestGpuDevice` installs; the kernels on it are destroyed.
 */
import { chooseBackend, needsMeasurement, type BackendDecision } from '../core/backends/chooseBackend.ts';
import { cpuDiagnosticKernels } from '../core/diagnostics/kernels.ts';
import { gpuDiagnosticKernels } from '../core/diagnostics/gpuKernels.ts';
import { cpuKernelsWith, type ComparisonKernels } from '../core/eval/compare.ts';
import { requestGpuDevice, type GpuContext } from '../core/kernels/gpuDevice.ts';
import { GpuLabelDistances } from '../core/kernels/labelDistances/labelDistances.ts';
import { GpuTopK } from '../core/kernels/topk/topk.ts';
import { timeTopKTile } from '../core/backends/kernelCalibration.ts';
import type { OrtTopK } from '../core/kernels/topk/topk.ort.ts';
import { createWasmTopK, MAX_WASM_THREADS } from './ortWeb.ts';

export type KernelChoice = 'auto' | 'webgpu' | 'cpu';

/** Where the kernels run and why, as the run panel and the report state it. */
export interface KernelsChoice {
  backend: 'webgpu' | 'cpu';
  reason: string;
  calibration: { webgpuSeconds: number | null; cpuSeconds: number | null; speedup: number | null } | null;
}

export interface ChosenKernels extends ComparisonKernels {
  choice: KernelsChoice;
}

let device: Promise<GpuContext | null> | null = null;
let owned: { context: GpuContext; topK: GpuTopK; distances: GpuLabelDistances; decision: Promise<BackendDecision> | null } | null = null;

const CPU_NAME = 'the CPU kernels';
let wasmTopK: Promise<OrtTopK | Error> | null = null;

/** onnxruntime-web's top-k, started once per worker, or why it would not start. */
function cpuTopK(): Promise<OrtTopK | Error> {
  wasmTopK ??= createWasmTopK().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  return wasmTopK;
}

/**
 * The CPU kernels: top-k (ranking, k-means assignment, neighbour coherence) on onnxruntime-web's WASM
 * Gemm + TopK, the other diagnostics in JavaScript; the JavaScript top-k where onnxruntime will not start.
 */
async function onCpu(choice: KernelsChoice): Promise<ChosenKernels> {
  const kernel = await cpuTopK();
  if (kernel instanceof Error) {
    return { topK: null, diagnostics: cpuDiagnosticKernels, choice: { ...choice, reason: `${choice.reason}; top-k in JavaScript (onnxruntime-web's WASM did not start: ${kernel.message})` } };
  }
  const threads = `${MAX_WASM_THREADS} thread${MAX_WASM_THREADS === 1 ? '' : 's'}`;
  return { ...cpuKernelsWith(kernel.run), choice: { ...choice, reason: `${choice.reason}; top-k on onnxruntime-web's WASM Gemm + TopK, ${threads}` } };
}

/** The kernels for `choice`: the WGSL ones on this worker's device, or the CPU twins, with the reason. */
export async function kernelsFor(choice: KernelChoice): Promise<ChosenKernels> {
  if (choice === 'cpu') return onCpu({ backend: 'cpu', reason: 'chosen in the run panel', calibration: null });
  device ??= requestGpuDevice().catch(() => null);
  const context = await device;
  if (context?.lost) release();
  if (!context || context.lost) {
    const reason = context?.lost ? `the GPU device was lost (${context.lost})` : 'WebGPU is not available in this worker';
    if (choice === 'webgpu') throw new Error(`kernels cannot run on WebGPU: ${reason}`);
    return onCpu({ backend: 'cpu', reason, calibration: null });
  }
  if (owned?.context !== context) {
    release();
    owned = { context, topK: new GpuTopK(context), distances: new GpuLabelDistances(context), decision: null };
  }
  const gpu: ChosenKernels = { topK: owned.topK, diagnostics: gpuDiagnosticKernels(owned.distances, owned.topK), choice: { backend: 'webgpu', reason: 'chosen in the run panel', calibration: null } };
  if (choice === 'webgpu') return gpu;
  const facts = { adapter: context.adapter, lost: context.lost };
  if (!needsMeasurement(facts)) return onCpu({ backend: 'cpu', reason: chooseBackend(facts, CPU_NAME).reason, calibration: null });
  const gpuTopK = owned.topK;
  owned.decision ??= cpuTopK()
    .then((cpu) => timeTopKTile(gpuTopK.run, cpu instanceof Error ? undefined : cpu.run))
    .then(({ gpu: probe, cpu }) => chooseBackend({ ...facts, gpu: probe, cpu }, CPU_NAME));
  const decision = await owned.decision;
  const calibration = { webgpuSeconds: decision.gpuSeconds, cpuSeconds: decision.cpuSeconds, speedup: decision.speedup };
  return decision.side === 'gpu' ? { ...gpu, choice: { backend: 'webgpu', reason: decision.reason, calibration } } : onCpu({ backend: 'cpu', reason: decision.reason, calibration });
}

/** Frees the kernels' buffers. */
function release(): void {
  owned?.topK.destroy();
  owned?.distances.destroy();
  owned = null;
}
