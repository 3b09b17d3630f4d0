/**
 * The lab's only import of onnxruntime-web (the JSEP bundle: WebGPU + WASM in one copy). Maps a backend
 * choice to execution providers and knows the WebGPU device ORT runs on; gives the data worker its CPU
 * top-k kernel on the WASM backend.
 */
import * as ort from 'onnxruntime-web';
import type { GpuContext } from '../core/kernels/gpuDevice.ts';
import { GpuPooling } from '../core/kernels/pooling/pooling.ts';
import { OrtTopK } from '../core/kernels/topk/topk.ort.ts';
import type { ModelFolder } from '../core/model/modelFolder.ts';
import { OrtRunner } from '../core/model/ortRunner.ts';

export type Backend = 'webgpu' | 'wasm';

export interface BackendInfo {
  backend: Backend;
  /** e.g. "WebGPU · google swiftshader (fallback adapter)" or "WASM · 2 threads". */
  description: string;
  threads?: number;
  adapter?: { vendor: string; architecture: string; description: string; isFallbackAdapter: boolean };
}

// Multi-threaded WASM needs SharedArrayBuffer, i.e. a cross-origin isolated page (COOP + COEP headers).
export const MAX_WASM_THREADS = globalThis.crossOriginIsolated ? Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8)) : 1;
let WASM_THREADS = MAX_WASM_THREADS;
ort.env.wasm.numThreads = WASM_THREADS;
ort.env.logLevel = 'error';
let sessionsCreated = false;

/** Fewer WASM threads than the default (all cores, at most 8); ORT reads the count once, at its first session. */
export function setWasmThreads(threads: number): void {
  if (sessionsCreated) throw new Error('the WASM thread count is fixed once a model is loaded; set it in a fresh worker');
  WASM_THREADS = Math.max(1, Math.min(Math.floor(threads), MAX_WASM_THREADS));
  ort.env.wasm.numThreads = WASM_THREADS;
}

let adapterPromise: Promise<GPUAdapter | null> | null = null;

/** The WebGPU adapter, or null where WebGPU is missing (headless Chromium without --enable-unsafe-webgpu). */
export function webgpuAdapter(): Promise<GPUAdapter | null> {
  adapterPromise ??= (async () => {
    if (!('gpu' in navigator) || !navigator.gpu) return null;
    try {
      return await navigator.gpu.requestAdapter();
    } catch {
      return null;
    }
  })();
  return adapterPromise;
}

export async function describeBackend(backend: Backend): Promise<BackendInfo> {
  if (backend === 'wasm') {
    return { backend, threads: WASM_THREADS, description: `WASM · ${WASM_THREADS} thread${WASM_THREADS === 1 ? '' : 's'}` };
  }
  const adapter = await webgpuAdapter();
  const info = adapter?.info;
  const details = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
  };
  const name = [details.vendor, details.architecture].filter(Boolean).join(' ') || details.description || 'unknown adapter';
  return { backend, adapter: details, description: `WebGPU · ${name}${details.isFallbackAdapter ? ' (fallback adapter)' : ''}` };
}

/**
 * A session for `folder` on `backend`. On WebGPU the token embeddings stay on the GPU and are pooled there by
 * the WGSL pooling kernel, on ORT's own device: only `[batch × dim]` floats are read back per batch.
 */
export async function createRunner(folder: ModelFolder, backend: Backend): Promise<OrtRunner> {
  sessionsCreated = true;
  const runner = await OrtRunner.create(ort, folder.spec, folder.onnx, {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    // ORT warns that shape ops run on the CPU under WebGPU, as designed; keep the console for real problems.
    logSeverityLevel: 3,
    ...(backend === 'webgpu' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
    // A graph built from safetensors comes as its message and its weights beside it (see readModelFolder's externalWeights).
    ...(folder.externalData ? { externalData: [folder.externalData] } : {}),
  });
  if (backend === 'webgpu') runner.poolOnGpu(await poolingOnOrtDevice());
  return runner;
}

/**
 * Similarity + top-k as a Gemm + TopK graph on the WASM backend: MLAS's SIMD matrix multiply on every thread
 * the page may use (both cores here), where the JavaScript twin does one multiply-add at a time on one.
 */
export function createWasmTopK(): Promise<OrtTopK> {
  sessionsCreated = true;
  return OrtTopK.create(ort, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
}

/** The GPUDevice ORT's WebGPU backend runs on; it exists once a WebGPU session does. */
function ortGpuDevice(): Promise<GPUDevice> {
  // Typed as a Promise, but after the first WebGPU session ORT hands back the GPUDevice itself.
  return Promise.resolve(ort.env.webgpu.device as GPUDevice | Promise<GPUDevice>);
}

/**
 * What lives on ORT's device: the context the pooling kernel checks, the kernel, and the one watch of the
 * device's loss, which marks the context and tells every listener.
 */
interface OrtGpu {
  device: GPUDevice;
  pooling: GpuPooling;
  lost: Promise<string>;
}

let ortGpu: Promise<OrtGpu> | null = null;
const lossListeners = new Set<(reason: string) => void>();

function ortGpuState(): Promise<OrtGpu> {
  ortGpu ??= ortGpuDevice().then((device) => {
    const context: GpuContext = { device, limits: device.limits, lost: null, adapter: { description: 'the adapter ORT chose', isFallbackAdapter: false } };
    const lost = device.lost.then((info) => {
      const reason = info.message || info.reason || 'unknown reason';
      context.lost = reason;
      for (const listener of lossListeners) listener(reason);
      return reason;
    });
    return { device, pooling: new GpuPooling(context), lost };
  });
  return ortGpu;
}

/** The pooling kernel on ORT's GPU device. */
async function poolingOnOrtDevice(): Promise<GpuPooling> {
  return (await ortGpuState()).pooling;
}

/**
 * Calls `onLost` once if the GPU device that ORT's WebGPU backend created is lost. ORT cannot re-initialise
 * WebGPU in the same worker afterwards, so the caller must switch to WASM for good.
 */
export function watchDeviceLoss(onLost: (reason: string) => void): void {
  lossListeners.add(onLost);
  void ortGpuState();
}

/** The loss reason if the device is lost within `ms` (a failing run often precedes the `lost` event). */
export async function deviceLostWithin(ms: number): Promise<string | null> {
  if (!ortGpu) return null;
  const { lost } = await ortGpu;
  return Promise.race([lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);
}

/**
 * Destroys ORT's GPU device, which the browser reports as a device loss (the path a driver reset takes), and
 * resolves once the loss has been seen. Resolves false when no WebGPU session was ever created.
 */
export async function destroyGpuDevice(): Promise<boolean> {
  if (!ortGpu) return false;
  const { device, lost } = await ortGpu;
  device.destroy();
  await lost;
  return true;
}
