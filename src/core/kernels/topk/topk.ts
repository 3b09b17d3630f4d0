import { BufferPool } from '../bufferPool.ts';
import { createComputePipeline, type GpuContext } from '../gpuDevice.ts';
import { checkTopKInput, type TopKInput, type TopKResult } from './topk.types.ts';
import TOPK_WGSL from './topk.wgsl?raw';

const WORKGROUP_SIZE = 256;
/** Documents scored by one workgroup: the tile of the score matrix that exists at any time (per query). */
const SEGMENT = 1024;
/** Candidate segments merged by one workgroup per merge pass. */
const MERGE_GROUP = 16;
/** Cap on the candidate buffer, whatever the adapter allows: keeps memory use polite. */
const MAX_CANDIDATE_BYTES = 256 << 20;
const PARAMS_BYTES = 32;

interface Pipelines {
  segment: GPUComputePipeline;
  merge: GPUComputePipeline;
}

/**
 * WebGPU twin of `topKCpu`: same input, same output, same tie-break. One instance per device; call
 * `destroy()` to free its buffers.
 */
export class GpuTopK {
  private readonly pool: BufferPool;
  private readonly pipelines = new Map<number, Promise<Pipelines>>();

  constructor(private readonly gpu: GpuContext) {
    this.pool = new BufferPool(gpu.device);
  }

  /** The kernel, with the signature it shares with the CPU twin. */
  readonly run = (input: TopKInput): Promise<TopKResult> => this.topK(input);

  /** Whether this device can run the kernel for vectors of `dim` components. */
  supports(dim: number): boolean {
    const workgroupBytes = dim * 4 + SEGMENT * 4 + WORKGROUP_SIZE * 8;
    return !this.gpu.lost && workgroupBytes <= this.gpu.limits.maxComputeWorkgroupStorageSize;
  }

  private async topK(input: TopKInput): Promise<TopKResult> {
    const { queryCount, docCount } = checkTopKInput(input);
    const { dim } = input;
    if (this.gpu.lost) throw new Error(`GPU device lost: ${this.gpu.lost}`);
    if (!this.supports(dim)) throw new RangeError(`top-k: dim ${dim} needs more workgroup memory than this GPU has`);
    const k = Math.min(input.k, docCount);
    const result: TopKResult = { queryCount, k, indices: new Int32Array(queryCount * k), scores: new Float32Array(queryCount * k) };
    if (queryCount === 0 || k === 0) return result;

    const { limits } = this.gpu;
    const docBytes = input.docs.byteLength;
    if (docBytes > limits.maxStorageBufferBindingSize) {
      throw new RangeError(`top-k: ${docBytes} bytes of documents exceed this GPU's ${limits.maxStorageBufferBindingSize}-byte binding limit`);
    }
    const pipelines = await this.pipelinesFor(dim);
    const segments = Math.ceil(docCount / SEGMENT);
    const bytesPerQuery = segments * k * 4;
    const bindingCap = Math.min(limits.maxStorageBufferBindingSize, MAX_CANDIDATE_BYTES);
    const chunk = Math.max(1, Math.min(queryCount, limits.maxComputeWorkgroupsPerDimension, Math.floor(bindingCap / bytesPerQuery)));
    if (segments > limits.maxComputeWorkgroupsPerDimension) throw new RangeError(`top-k: ${docCount} documents exceed one dispatch`);

    try {
      const docs = this.pool.upload(input.docs, 'topk docs');
      for (let q0 = 0; q0 < queryCount; q0 += chunk) {
        const qn = Math.min(chunk, queryCount - q0);
        await this.runChunk(pipelines, docs, input.queries.subarray(q0 * dim, (q0 + qn) * dim), qn, docCount, dim, k, segments, result, q0);
      }
    } finally {
      this.pool.releaseAll();
    }
    return result;
  }

  private async runChunk(
    pipelines: Pipelines,
    docs: GPUBuffer,
    queries: Float32Array,
    queryCount: number,
    docCount: number,
    dim: number,
    k: number,
    segments: number,
    result: TopKResult,
    firstQuery: number,
  ): Promise<void> {
    const { device } = this.gpu;
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const candidateBytes = queryCount * segments * k * 4;
    // Ping-pong candidate buffers: each merge pass reads one and writes the other.
    const scores = [this.pool.acquire(candidateBytes, storage, 'topk scores A'), this.pool.acquire(candidateBytes, storage, 'topk scores B')];
    const indices = [this.pool.acquire(candidateBytes, storage, 'topk indices A'), this.pool.acquire(candidateBytes, storage, 'topk indices B')];
    const queryBuffer = this.pool.upload(queries, 'topk queries');
    const encoder = device.createCommandEncoder({ label: 'topk' });

    const params = (segmentCount: number, outSegments: number) => {
      const buffer = this.pool.acquire(PARAMS_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'topk params');
      device.queue.writeBuffer(buffer, 0, Uint32Array.of(queryCount, docCount, dim, k, segmentCount, outSegments, MERGE_GROUP, 0));
      return buffer;
    };
    const pass = (pipeline: GPUComputePipeline, entries: GPUBindGroupEntry[], x: number) => {
      const compute = encoder.beginComputePass();
      compute.setPipeline(pipeline);
      compute.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
      compute.dispatchWorkgroups(x, queryCount);
      compute.end();
    };

    pass(
      pipelines.segment,
      [
        { binding: 0, resource: { buffer: params(segments, segments) } },
        { binding: 1, resource: { buffer: queryBuffer } },
        { binding: 2, resource: { buffer: docs } },
        { binding: 5, resource: { buffer: scores[0] } },
        { binding: 6, resource: { buffer: indices[0] } },
      ],
      segments,
    );
    let current = 0;
    for (let remaining = segments; remaining > 1; ) {
      const out = Math.ceil(remaining / MERGE_GROUP);
      pass(
        pipelines.merge,
        [
          { binding: 0, resource: { buffer: params(remaining, out) } },
          { binding: 3, resource: { buffer: scores[current] } },
          { binding: 4, resource: { buffer: indices[current] } },
          { binding: 5, resource: { buffer: scores[1 - current] } },
          { binding: 6, resource: { buffer: indices[1 - current] } },
        ],
        out,
      );
      current = 1 - current;
      remaining = out;
    }

    // One staging buffer holds scores then indices: a single map per chunk.
    const resultBytes = queryCount * k * 4;
    const staging = this.pool.acquire(2 * resultBytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'topk readback');
    encoder.copyBufferToBuffer(scores[current], 0, staging, 0, resultBytes);
    encoder.copyBufferToBuffer(indices[current], 0, staging, resultBytes, resultBytes);
    device.pushErrorScope('validation');
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    if (error) throw new Error(`top-k: ${error.message}`);

    await staging.mapAsync(GPUMapMode.READ, 0, 2 * resultBytes);
    const mapped = staging.getMappedRange(0, 2 * resultBytes);
    result.scores.set(new Float32Array(mapped, 0, queryCount * k), firstQuery * k);
    result.indices.set(new Int32Array(mapped, resultBytes, queryCount * k), firstQuery * k);
    staging.unmap();
  }

  private pipelinesFor(dim: number): Promise<Pipelines> {
    let pipelines = this.pipelines.get(dim);
    if (!pipelines) {
      const constants = { WORKGROUP_SIZE, SEGMENT, DIM: dim };
      pipelines = Promise.all([
        createComputePipeline(this.gpu.device, TOPK_WGSL, 'segmentTopK', constants),
        createComputePipeline(this.gpu.device, TOPK_WGSL, 'mergeTopK', { WORKGROUP_SIZE }),
      ]).then(([segment, merge]) => ({ segment, merge }));
      // A failed compilation must not stay cached: the next call should retry (or report) afresh.
      pipelines.catch(() => this.pipelines.delete(dim));
      this.pipelines.set(dim, pipelines);
    }
    return pipelines;
  }

  destroy(): void {
    this.pool.destroy();
    this.pipelines.clear();
  }
}
