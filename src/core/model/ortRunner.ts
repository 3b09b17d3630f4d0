import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { poolTokensCpu } from '../kernels/pooling/pooling.cpu.ts';
import type { PoolingKernel } from '../kernels/pooling/pooling.types.ts';
import type { BatchInputs } from './batching.ts';
import type { PooledBatch, PoolingSpec } from './encoder.ts';
import type { OrtModule } from '../onnx/ortModule.ts';
import { onnxModelProblem } from '../onnx/quantizeDynamic.ts';
import { ModelFolderError } from './modelSource.ts';
import type { ModelSpec } from './modelSpec.ts';

/** Output names that carry per-token embeddings, in order of preference. */
const TOKEN_OUTPUTS = ['last_hidden_state', 'token_embeddings'];
const REQUIRED_INPUTS = ['input_ids', 'attention_mask'];
const OPTIONAL_INPUTS = ['token_type_ids'];

/**
 * Session creation, runs and releases of one onnxruntime package, one at a time: onnxruntime-web shares a
 * single WASM instance (and GPU device) between its sessions and fails with "Session already started" when
 * two overlap, and callers do overlap (an encode and a WebGPU/WASM agreement check, two slots loading).
 */
const queues = new WeakMap<OrtModule, { tail: Promise<unknown> }>();

function serialised<T>(ort: OrtModule, task: () => Promise<T>): Promise<T> {
  let queue = queues.get(ort);
  if (!queue) queues.set(ort, (queue = { tail: Promise.resolve() }));
  const result = queue.tail.then(task);
  queue.tail = result.catch(() => undefined);
  return result;
}

/**
 * Pooling on the GPU the session's outputs live on: with it, a WebGPU session keeps `last_hidden_state` on the
 * GPU (`preferredOutputLocation: 'gpu-buffer'`) and only pooled rows are read back.
 */
export interface GpuPoolingOption {
  run: PoolingKernel<GPUBuffer>;
  /** Whether a batch of this shape fits the device; otherwise the output is downloaded and pooled on the CPU. */
  supports(batch: number, seqLen: number, hidden: number): boolean;
}

/**
 * A model's bytes checked before onnxruntime sees them: its own words for a truncated or foreign file are
 * "protobuf parsing failed". A {@link ModelFolderError} naming the file and what is wrong.
 */
export function checkOnnxModel(spec: ModelSpec, model: Uint8Array): void {
  const problem = onnxModelProblem(model);
  if (problem) throw new ModelFolderError(spec.name, spec.onnxFile, `is not a valid ONNX model: ${problem}`);
}

/** One ONNX session that turns padded token ids into token embeddings, pooled into sentence embeddings. */
export class OrtRunner {
  private gpuPooling: GpuPoolingOption | null = null;

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: InferenceSession,
    private readonly outputName: string,
    private readonly feedsTypeIds: boolean,
    private readonly spec: ModelSpec,
  ) {}

  /** `model`: the model's bytes, or the path of a graph file the lab wrote itself (onnxruntime-node reads it). */
  static async create(ort: OrtModule, spec: ModelSpec, model: Uint8Array | string, options: InferenceSession.SessionOptions): Promise<OrtRunner> {
    if (typeof model !== 'string') checkOnnxModel(spec, model);
    let session: InferenceSession;
    try {
      session = await serialised(ort, () => ort.InferenceSession.create(model, options));
    } catch (error) {
      throw new ModelFolderError(spec.name, spec.onnxFile, `cannot be loaded by onnxruntime (${errorText(error)})`);
    }
    try {
      const inputs = session.inputNames;
      const missing = REQUIRED_INPUTS.filter((name) => !inputs.includes(name));
      const unknown = inputs.filter((name) => !REQUIRED_INPUTS.includes(name) && !OPTIONAL_INPUTS.includes(name));
      if (missing.length > 0 || unknown.length > 0) {
        throw new ModelFolderError(
          spec.name,
          spec.onnxFile,
          `has inputs [${inputs.join(', ')}]; expected input_ids, attention_mask and optionally token_type_ids` +
            (missing.length ? ` (missing ${missing.join(', ')})` : '') +
            (unknown.length ? ` (unknown ${unknown.join(', ')})` : ''),
        );
      }
      const outputName = TOKEN_OUTPUTS.find((name) => session.outputNames.includes(name));
      if (!outputName) {
        throw new ModelFolderError(
          spec.name,
          spec.onnxFile,
          `has outputs [${session.outputNames.join(', ')}]; expected last_hidden_state (token embeddings [batch, seq, hidden])`,
        );
      }
      checkDeclaredHidden(session, outputName, spec);
      return new OrtRunner(ort, session, outputName, inputs.includes('token_type_ids'), spec);
    } catch (error) {
      await serialised(ort, () => session.release());
      throw error;
    }
  }

  /**
   * Pools this session's token embeddings on the GPU from now on. The session must have been created with
   * `preferredOutputLocation: 'gpu-buffer'` on the device `pooling` runs on.
   */
  poolOnGpu(pooling: GpuPoolingOption): void {
    this.gpuPooling = pooling;
  }

  /** Where the last batch was pooled: 'gpu' when its token embeddings never left the GPU. */
  lastPooledOn: 'gpu' | 'cpu' | null = null;

  /** Runs one batch and pools it: on the GPU where the output is there, else on the CPU. */
  embed(inputs: BatchInputs, pooling: PoolingSpec): Promise<PooledBatch> {
    return serialised(this.ort, () =>
      this.runSession(inputs, async (output, hidden) => {
        const shape = { mask: inputs.mask, batch: inputs.batch, seqLen: inputs.seqLen, hidden, modes: pooling.modes, normalize: pooling.normalize };
        const gpu = this.gpuPooling;
        const onGpu = gpu !== null && output.location === 'gpu-buffer' && gpu.supports(inputs.batch, inputs.seqLen, hidden);
        const vectors = onGpu
          ? await gpu.run({ ...shape, tokens: output.gpuBuffer as unknown as GPUBuffer })
          : await poolTokensCpu({ ...shape, tokens: (await output.getData()) as Float32Array });
        this.lastPooledOn = onGpu ? 'gpu' : 'cpu';
        return { vectors, dim: hidden * pooling.modes.length };
      }),
    );
  }

  /** One session run with its output checked; `use` reads the output before it is disposed. */
  private async runSession<T>(inputs: BatchInputs, use: (output: Tensor, hidden: number) => Promise<T>): Promise<T> {
    const dims = [inputs.batch, inputs.seqLen];
    const feeds: Record<string, Tensor> = {
      input_ids: new this.ort.Tensor('int64', inputs.inputIds, dims),
      attention_mask: new this.ort.Tensor('int64', inputs.attentionMask, dims),
    };
    if (this.feedsTypeIds) feeds.token_type_ids = new this.ort.Tensor('int64', inputs.tokenTypeIds, dims);
    const outputs = await this.session.run(feeds, [this.outputName]);
    const output = outputs[this.outputName];
    try {
      const [batch, seqLen, hidden] = output.dims;
      if (output.type !== 'float32' || output.dims.length !== 3 || batch !== inputs.batch || seqLen !== inputs.seqLen) {
        throw new ModelFolderError(
          this.spec.name,
          this.spec.onnxFile,
          `${this.outputName} is ${output.type} [${output.dims.join(', ')}]; expected float32 [${inputs.batch}, ${inputs.seqLen}, hidden]`,
        );
      }
      if (this.spec.hiddenSize !== null && hidden !== this.spec.hiddenSize) {
        throw new ModelFolderError(
          this.spec.name,
          this.spec.onnxFile,
          `${this.outputName} has size ${hidden} per token but config.json says hidden_size ${this.spec.hiddenSize}`,
        );
      }
      return await use(output, hidden);
    } finally {
      for (const tensor of Object.values(feeds)) tensor.dispose();
      output.dispose();
    }
  }

  release(): Promise<void> {
    return serialised(this.ort, () => this.session.release());
  }
}

function checkDeclaredHidden(session: InferenceSession, outputName: string, spec: ModelSpec): void {
  const metadata = session.outputMetadata.find((m) => m.name === outputName);
  if (!metadata || !metadata.isTensor) return;
  const last = metadata.shape[metadata.shape.length - 1];
  if (typeof last === 'number' && spec.hiddenSize !== null && last !== spec.hiddenSize) {
    throw new ModelFolderError(
      spec.name,
      spec.onnxFile,
      `${outputName} has size ${last} per token but config.json says hidden_size ${spec.hiddenSize}`,
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
