/**
 * The data worker's GPU: one device, and on it one set of WGSL kernels (one top-k, one label-distance
 * kernel) that ranking and diagnostics share, their buffer pools reused from run to run. Under "auto" the
 * kernels' backend is chosen by the same rule as a model's (`core/backends/chooseBackend.ts`): never a
 * software adapter, and on real hardware the faster of the two on a top-k tile (`timeTopKTile`), measured
 * once per device.
 * A lost device is noticed by the one watch `requestGpuDevice` installs; the kernels on it are destroyed.
 */
import type { BackendRequest, KernelBackend, KernelsChoice } from '../core/backends/backendChoice.ts';
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

export interface ChosenKernels extends ComparisonKernels {
  choice: KernelsChoice;
}

const CPU_NAME = 'the CPU kernels';

/**
 * The kernels a data worker owns: its GPU device (requested on first use), the WGSL kernels on it, the
 * auto decision measured once per device, and onnxruntime-web's top-k started once.
 */
export class WorkerKernels {
  private device: Promise<GpuContext | null> | null = null;
  private owned: { context: GpuContext; topK: GpuTopK; distances: GpuLabelDistances; decision: Promise<BackendDecision> | null } | null = null;
  private wasmTopK: Promise<OrtTopK | Error> | null = null;

  /** The kernels for `choice`: the WGSL ones on this worker's device, or the CPU twins, with the reason. */
  async kernelsFor(choice: BackendRequest<KernelBackend>): Promise<ChosenKernels> {
    if (choice === 'cpu') return this.onCpu({ backend: 'cpu', reason: 'chosen in the run panel', calibration: null });
    this.device ??= requestGpuDevice().catch(() => null);
    const context = await this.device;
    if (context?.lost) this.release();
    if (!context || context.lost) {
      const reason = context?.lost ? `the GPU device was lost (${context.lost})` : 'WebGPU is not available in this worker';
      if (choice === 'webgpu') throw new Error(`kernels cannot run on WebGPU: ${reason}`);
      return this.onCpu({ backend: 'cpu', reason, calibration: null });
    }
    if (this.owned?.context !== context) {
      this.release();
      this.owned = { context, topK: new GpuTopK(context), distances: new GpuLabelDistances(context), decision: null };
    }
    const owned = this.owned;
    const gpu: ChosenKernels = { topK: owned.topK, diagnostics: gpuDiagnosticKernels(owned.distances, owned.topK), choice: { backend: 'webgpu', reason: 'chosen in the run panel', calibration: null } };
    if (choice === 'webgpu') return gpu;
    const facts = { adapter: context.adapter, lost: context.lost };
    if (!needsMeasurement(facts)) return this.onCpu({ backend: 'cpu', reason: chooseBackend(facts, CPU_NAME).reason, calibration: null });
    owned.decision ??= this.cpuTopK()
      .then((cpu) => timeTopKTile(owned.topK.run, cpu instanceof Error ? undefined : cpu.run))
      .then(({ gpu: probe, cpu }) => chooseBackend({ ...facts, gpu: probe, cpu }, CPU_NAME));
    const decision = await owned.decision;
    const calibration = { webgpuSeconds: decision.gpuSeconds, cpuSeconds: decision.cpuSeconds, speedup: decision.speedup };
    return decision.side === 'gpu' ? { ...gpu, choice: { backend: 'webgpu', reason: decision.reason, calibration } } : this.onCpu({ backend: 'cpu', reason: decision.reason, calibration });
  }

  /** onnxruntime-web's top-k, started once per worker, or why it would not start. */
  private cpuTopK(): Promise<OrtTopK | Error> {
    this.wasmTopK ??= createWasmTopK().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    return this.wasmTopK;
  }

  /**
   * The CPU kernels: top-k (ranking, k-means assignment, neighbour coherence) on onnxruntime-web's WASM
   * Gemm + TopK, the other diagnostics in JavaScript; the JavaScript top-k where onnxruntime will not start.
   */
  private async onCpu(choice: KernelsChoice): Promise<ChosenKernels> {
    const kernel = await this.cpuTopK();
    if (kernel instanceof Error) {
      return { topK: null, diagnostics: cpuDiagnosticKernels, choice: { ...choice, reason: `${choice.reason}; top-k in JavaScript (onnxruntime-web's WASM did not start: ${kernel.message})` } };
    }
    const threads = `${MAX_WASM_THREADS} thread${MAX_WASM_THREADS === 1 ? '' : 's'}`;
    return { ...cpuKernelsWith(kernel.run), choice: { ...choice, reason: `${choice.reason}; top-k on onnxruntime-web's WASM Gemm + TopK, ${threads}` } };
  }

  /** Frees the kernels' buffers. */
  private release(): void {
    this.owned?.topK.destroy();
    this.owned?.distances.destroy();
    this.owned = null;
  }
}
