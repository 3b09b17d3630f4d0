/**
 * The WebGPU device the kernels run on. `requestGpuDevice` returns null where WebGPU is missing (no
 * `navigator.gpu`, or no adapter: headless Chromium without --enable-unsafe-webgpu), so callers fall back
 * to the CPU twins instead of failing.
 */
export interface GpuContext {
  device: GPUDevice;
  limits: GPUSupportedLimits;
  /** What the adapter says it is; a fallback (software) adapter is correct but slow. */
  adapter: { description: string; isFallbackAdapter: boolean };
  /** Set once the device is lost; kernels then refuse to run and the dispatcher uses the CPU. */
  lost: string | null;
}

export async function requestGpuDevice(gpu: GPU | undefined = globalThis.navigator?.gpu): Promise<GpuContext | null> {
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  // Ask for the adapter's own storage limits: the defaults (128 MiB bindings) are far below what GPUs offer.
  const device = await adapter
    .requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      },
    })
    .catch(() => null);
  if (!device) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const description = [info?.vendor, info?.architecture].filter(Boolean).join(' ') || info?.description || 'unknown adapter';
  const context: GpuContext = { device, limits: device.limits, lost: null, adapter: { description, isFallbackAdapter: Boolean(info?.isFallbackAdapter) } };
  void device.lost.then((info) => (context.lost = info.message || info.reason || 'device lost'));
  return context;
}

/** Creates a compute pipeline and surfaces WGSL compilation and validation errors, which WebGPU otherwise only logs. */
export async function createComputePipeline(
  device: GPUDevice,
  code: string,
  entryPoint: string,
  constants: Record<string, number>,
): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) throw new Error(`WGSL ${entryPoint}: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  device.pushErrorScope('validation');
  // Synchronous on purpose: Dawn's Node binding (npm `webgpu`) aborts the process in createComputePipelineAsync.
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint, constants } });
  const error = await device.popErrorScope();
  if (error) throw new Error(`WGSL ${entryPoint}: ${error.message}`);
  return pipeline;
}
