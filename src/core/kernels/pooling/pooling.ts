import type { GpuContext } from '../gpuDevice.ts';
import { SinglePipelineKernel } from '../gpuKernel.ts';
import { checkPoolingInput, poolingModeCode, type PoolingInput } from './pooling.types.ts';
import POOLING_WGSL from './pooling.wgsl?raw';

const WORKGROUP_SIZE = 128;
/** The uniform block holds up to 8 mode codes; sentence-transformers has 6 modes. */
const MAX_MODES = 8;
const PARAMS_BYTES = 64;

/**
 * WebGPU twin of `poolTokensCpu`: same input, same output. Given the model's output as a GPU buffer (ORT's
 * `preferredOutputLocation: 'gpu-buffer'`), pooling and normalisation run where the token embeddings already
 * are, and only the pooled rows are read back: 384 floats per text instead of 384 per token. One instance per
 * device; it must be the device the buffer lives on.
 */
export class GpuPooling extends SinglePipelineKernel {
  constructor(gpu: GpuContext) {
    super(gpu, { code: POOLING_WGSL, entryPoint: 'poolRows', constants: { WORKGROUP_SIZE } });
  }

  /** The kernel, with the signature it shares with the CPU twin (plus token embeddings already on the GPU). */
  readonly run = (input: PoolingInput<Float32Array | GPUBuffer>): Promise<Float32Array> => this.poolRows(input);

  /** Whether one batch of this size fits the device's limits. */
  supports(batch: number, seqLen: number, hidden: number): boolean {
    const { limits, lost } = this.gpu;
    return !lost && batch <= limits.maxComputeWorkgroupsPerDimension && batch * seqLen * hidden * 4 <= limits.maxStorageBufferBindingSize;
  }

  private async poolRows(input: PoolingInput<Float32Array | GPUBuffer>): Promise<Float32Array> {
    const { dim } = checkPoolingInput(input);
    const { batch, seqLen, hidden, modes } = input;
    if (this.gpu.lost) throw new Error(`GPU device lost: ${this.gpu.lost}`);
    if (modes.length > MAX_MODES) throw new RangeError(`pooling: at most ${MAX_MODES} modes, got ${modes.length}`);
    if (!this.supports(batch, seqLen, hidden)) throw new RangeError(`pooling: a ${batch} × ${seqLen} × ${hidden} batch exceeds this GPU's limits`);
    const out = new Float32Array(batch * dim);
    if (batch === 0 || dim === 0) return out;
    const tokenBytes = batch * seqLen * hidden * 4;
    if (!(input.tokens instanceof Float32Array) && input.tokens.size < tokenBytes) {
      throw new RangeError(`pooling: the token buffer holds ${input.tokens.size} bytes, expected ${tokenBytes}`);
    }
    const { device } = this.gpu;
    const pipeline = await this.pipelineFor();
    try {
      const tokens = input.tokens instanceof Float32Array ? this.pool.upload(input.tokens, 'pooling tokens') : input.tokens;
      const mask = this.pool.upload(Uint32Array.from(input.mask), 'pooling mask');
      const params = this.pool.acquire(PARAMS_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'pooling params');
      const header = new Uint32Array(PARAMS_BYTES / 4);
      header.set([batch, seqLen, hidden, modes.length, input.normalize ? 1 : 0]);
      modes.forEach((mode, m) => (header[8 + m] = poolingModeCode(mode)));
      device.queue.writeBuffer(params, 0, header);
      const pooledBytes = out.byteLength;
      const pooled = this.pool.acquire(pooledBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'pooling output');
      const entries = [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: tokens, size: tokenBytes } },
        { binding: 2, resource: { buffer: mask, size: input.mask.length * 4 } },
        { binding: 3, resource: { buffer: pooled, size: pooledBytes } },
      ];
      out.set(new Float32Array(await this.runPass(pipeline, entries, [batch], pooled, pooledBytes, 'pooling')));
      return out;
    } finally {
      this.pool.releaseAll();
    }
  }
}
