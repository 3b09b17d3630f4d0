/**
 * "Auto" as a measurement, not a guess: the one rule that picks between a GPU path (WebGPU) and a CPU path
 * (WASM for encoding, the JavaScript kernels for similarity and top-k), for a model when it loads and for
 * the kernels when a run starts. A software adapter (SwiftShader and the like, `isFallbackAdapter`) is never
 * chosen automatically: it is correct but slower than the CPU path by an order of magnitude.
 */

/** What the browser says about its WebGPU adapter. */
export interface AdapterFacts {
  description: string;
  isFallbackAdapter: boolean;
}

/** Seconds of one timed pass (after a warm-up pass), or why the GPU side could not run it. */
export type Probe = { seconds: number } | { failed: string };

/** What the rule decides on: the adapter, whether its device was lost, and the timings where it needs them. */
export interface BackendEvidence {
  /** Null where WebGPU is missing. */
  adapter: AdapterFacts | null;
  /** Set once the GPU device was lost: nothing runs on it again. */
  lost?: string | null;
  /** Timings of the same work on each side; absent where the rule decides without measuring. */
  gpu?: Probe;
  cpu?: { seconds: number };
}

export interface BackendDecision {
  side: 'gpu' | 'cpu';
  /** Why, in the words the page shows beside the backend. */
  reason: string;
  /** CPU seconds ÷ GPU seconds, when both were measured. */
  speedup: number | null;
  gpuSeconds: number | null;
  cpuSeconds: number | null;
}

/**
 * The GPU side must be this much faster to be chosen. Near a tie the CPU side wins: it needs no readback,
 * no driver, and it survives a lost device.
 */
export const GPU_MARGIN = 1.1;

/** Whether the rule needs timings: only for a real (not fallback) adapter on a device that still works. */
export function needsMeasurement(c: Pick<BackendEvidence, 'adapter' | 'lost'>): boolean {
  return c.adapter !== null && !c.adapter.isFallbackAdapter && !c.lost;
}

/** The decision for `c`; `cpuName` names the CPU side in the reason ("WASM", "the CPU kernels"). */
export function chooseBackend(c: BackendEvidence, cpuName: string): BackendDecision {
  const none = { speedup: null, gpuSeconds: null, cpuSeconds: c.cpu?.seconds ?? null };
  if (!c.adapter) return { side: 'cpu', reason: 'WebGPU is not available in this browser', ...none };
  if (c.lost) return { side: 'cpu', reason: `the GPU device was lost (${c.lost})`, ...none };
  if (c.adapter.isFallbackAdapter) return { side: 'cpu', reason: `WebGPU is a software adapter (${c.adapter.description})`, ...none };
  if (!c.gpu || !c.cpu) throw new Error('chooseBackend: a hardware adapter needs both timings');
  if ('failed' in c.gpu) return { side: 'cpu', reason: `WebGPU failed here (${c.gpu.failed})`, ...none };
  const speedup = c.cpu.seconds / Math.max(c.gpu.seconds, 1e-9);
  const measured = { speedup, gpuSeconds: c.gpu.seconds, cpuSeconds: c.cpu.seconds };
  if (speedup >= GPU_MARGIN) return { side: 'gpu', reason: `${speedup.toFixed(1)}× faster than ${cpuName} here`, ...measured };
  return { side: 'cpu', reason: `WebGPU measured ${speedup.toFixed(2)}× of ${cpuName} here`, ...measured };
}
