import { BufferPool } from './bufferPool.ts';
import { createComputePipeline, type GpuContext } from './gpuDevice.ts';

/**
 * What a one-pipeline WebGPU kernel owns on its device: a buffer pool and its compute pipeline, compiled on
 * first use. `destroy()` frees both.
 */
export abstract class SinglePipelineKernel {
  protected readonly pool: BufferPool;
  private pipeline: Promise<GPUComputePipeline> | null = null;

  constructor(
    protected readonly gpu: GpuContext,
    private readonly shader: { code: string; entryPoint: string; constants?: Record<string, number> },
  ) {
    this.pool = new BufferPool(gpu.device);
  }

  protected pipelineFor(): Promise<GPUComputePipeline> {
    if (!this.pipeline) {
      const { code, entryPoint, constants = {} } = this.shader;
      this.pipeline = createComputePipeline(this.gpu.device, code, entryPoint, constants);
      // A failed compilation must not stay cached: the next call should retry (or report) afresh.
      this.pipeline.catch(() => (this.pipeline = null));
    }
    return this.pipeline;
  }

  /**
   * One pass of `pipeline` over `workgroups`, then `bytes` of `output` read back: submitted under a validation
   * error scope, so a binding mistake throws instead of only being logged. Returns a copy of the bytes.
   */
  protected async runPass(
    pipeline: GPUComputePipeline,
    entries: GPUBindGroupEntry[],
    workgroups: [number, number?],
    output: GPUBuffer,
    bytes: number,
    label: string,
  ): Promise<ArrayBuffer> {
    const { device } = this.gpu;
    const staging = this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `${label} readback`);
    const encoder = device.createCommandEncoder({ label });
    const compute = encoder.beginComputePass();
    compute.setPipeline(pipeline);
    compute.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
    compute.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1);
    compute.end();
    encoder.copyBufferToBuffer(output, 0, staging, 0, bytes);
    device.pushErrorScope('validation');
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    if (error) throw new Error(`${label}: ${error.message}`);
    await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    const copy = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    return copy;
  }

  destroy(): void {
    this.pool.destroy();
    this.pipeline = null;
  }
}
