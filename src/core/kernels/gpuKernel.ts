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

  destroy(): void {
    this.pool.destroy();
    this.pipeline = null;
  }
}
