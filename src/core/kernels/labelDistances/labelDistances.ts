import type { GpuContext } from '../gpuDevice.ts';
import { SinglePipelineKernel } from '../gpuKernel.ts';
import { checkLabelDistanceInput, type LabelDistanceInput, type LabelDistanceSums } from './labelDistances.types.ts';
import LABEL_DISTANCES_WGSL from './labelDistances.wgsl?raw';

/** Rows and columns of one workgroup's block (must match the WGSL). */
const TILE = 64;
/** Cap on one pass's partial-sum buffer: rows are split into passes below it. */
const MAX_PARTIAL_BYTES = 64 << 20;
const PARAMS_BYTES = 32;

/**
 * WebGPU twin of `labelDistanceSumsCpu`: same input, same output. The GPU sums distances over runs of at
 * most 64 same-label columns in float32; the runs of a label are added here in float64, so the error stays
 * that of a 64-term float32 sum whatever the number of points.
 */
export class GpuLabelDistances extends SinglePipelineKernel {
  constructor(gpu: GpuContext) {
    super(gpu, { code: LABEL_DISTANCES_WGSL, entryPoint: 'labelDistanceSums' });
  }

  /** The kernel, with the signature it shares with the CPU twin. */
  readonly run = (input: LabelDistanceInput): Promise<LabelDistanceSums> => this.sums(input);

  private async sums(input: LabelDistanceInput): Promise<LabelDistanceSums> {
    const count = checkLabelDistanceInput(input);
    const { dim, labelOf, labelCount } = input;
    if (this.gpu.lost) throw new Error(`GPU device lost: ${this.gpu.lost}`);
    const sums = new Float64Array(count * labelCount);
    if (count === 0) return { count, labelCount, sums };
    const { limits, device } = this.gpu;
    if (input.vectors.byteLength > limits.maxStorageBufferBindingSize) {
      throw new RangeError(`label distances: ${input.vectors.byteLength} bytes of vectors exceed this GPU's binding limit`);
    }

    // Sort rows by label (stable), so each label's columns are one contiguous range, cut into chunks.
    const order = Int32Array.from({ length: count }, (_, i) => i).sort((a, b) => labelOf[a] - labelOf[b] || a - b);
    const sorted = new Float32Array(count * dim);
    order.forEach((row, i) => sorted.set(input.vectors.subarray(row * dim, (row + 1) * dim), i * dim));
    const ranges: number[] = [];
    const chunkLabel: number[] = [];
    for (let start = 0; start < count; ) {
      let end = start;
      while (end < count && end - start < TILE && labelOf[order[end]] === labelOf[order[start]]) end++;
      ranges.push(start, end);
      chunkLabel.push(labelOf[order[start]]);
      start = end;
    }
    const chunkCount = chunkLabel.length;
    if (chunkCount > limits.maxComputeWorkgroupsPerDimension) throw new RangeError(`label distances: ${count} points exceed one dispatch`);
    const bindingCap = Math.min(limits.maxStorageBufferBindingSize, MAX_PARTIAL_BYTES);
    const rowsPerPass = Math.max(TILE, Math.floor(bindingCap / (chunkCount * 4) / TILE) * TILE);
    if (rowsPerPass * chunkCount * 4 > limits.maxStorageBufferBindingSize) throw new RangeError(`label distances: ${count} points need more GPU memory than one binding`);

    const pipeline = await this.pipelineFor();
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    try {
      const vectors = this.pool.acquire(sorted.byteLength, storage, 'label distances vectors');
      device.queue.writeBuffer(vectors, 0, sorted);
      const chunks = this.pool.acquire(ranges.length * 4, storage, 'label distances chunks');
      device.queue.writeBuffer(chunks, 0, Uint32Array.from(ranges));
      for (let firstRow = 0; firstRow < count; firstRow += rowsPerPass) {
        const rowCount = Math.min(rowsPerPass, count - firstRow);
        const partial = await this.pass(pipeline, vectors, chunks, count, dim, chunkCount, firstRow, rowCount);
        for (let r = 0; r < rowCount; r++) {
          const target = order[firstRow + r] * labelCount;
          for (let c = 0; c < chunkCount; c++) sums[target + chunkLabel[c]] += partial[r * chunkCount + c];
        }
      }
    } finally {
      this.pool.releaseAll();
    }
    return { count, labelCount, sums };
  }

  private async pass(
    pipeline: GPUComputePipeline,
    vectors: GPUBuffer,
    chunks: GPUBuffer,
    count: number,
    dim: number,
    chunkCount: number,
    firstRow: number,
    rowCount: number,
  ): Promise<Float32Array> {
    const { device } = this.gpu;
    const bytes = rowCount * chunkCount * 4;
    const partial = this.pool.acquire(bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, 'label distances partial sums');
    const params = this.pool.acquire(PARAMS_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'label distances params');
    device.queue.writeBuffer(params, 0, Uint32Array.of(count, dim, chunkCount, firstRow, rowCount, 0, 0, 0));
    const entries = [
      { binding: 0, resource: { buffer: params } },
      { binding: 1, resource: { buffer: vectors } },
      { binding: 2, resource: { buffer: chunks } },
      { binding: 3, resource: { buffer: partial, size: bytes } },
    ];
    return new Float32Array(await this.runPass(pipeline, entries, [chunkCount, Math.ceil(rowCount / TILE)], partial, bytes, 'label distances'));
  }
}
