/**
 * The encoder worker's whole surface. Methods take and return plain data or TypedArrays; progress comes
 * back through a comlink `proxy` callback; every failure rejects the caller's promise. Its state (the loaded
 * slots, the running encodes, a lost GPU) lives in one {@link EncoderWorkerState} per worker.
 */
import { expose, transfer } from 'comlink';
import { modelFingerprint } from '../core/eval/embeddingCache.ts';
import { describeModules, modelRunInfo, resolvedPrompts, type PromptOverrides } from '../core/eval/modelRunInfo.ts';
import type { ModelRunInfo } from '../core/report/evalReport.ts';
import type { PromptRole } from '../core/model/prompts.ts';
import { DEFAULT_TOKEN_BUDGET, encodeTexts, type EncodeProgress, type Embeddings, type PooledBatch, type PoolingSpec, type TokenEmbedder } from '../core/model/encoder.ts';
import { readModelFolder, type ModelFolder, type WeightsFormat, type WeightsProvenance } from '../core/model/modelFolder.ts';
import type { ModelVariant } from '../core/model/modelSpec.ts';
import type { BatchInputs } from '../core/model/batching.ts';
import type { OrtRunner } from '../core/model/ortRunner.ts';
import { backendAgreement, type BackendAgreement } from '../core/vectors/backendAgreement.ts';
import type { BackendChoice, BackendRequest } from '../core/backends/backendChoice.ts';
import { openRunner, type GpuLoss } from './backendCalibration.ts';
import { modelSource, type ModelLocation } from './modelSources.ts';
import { createRunner, describeBackend, destroyGpuDevice, deviceLostWithin, setWasmThreads, watchDeviceLoss, webgpuAdapter, type Backend, type BackendInfo } from './ortWeb.ts';

export type { BackendChoice, BackendRequest } from '../core/backends/backendChoice.ts';
export type { ModelLocation } from './modelSources.ts';
export type { BackendInfo, Backend } from './ortWeb.ts';

export interface LoadOptions {
  backend?: BackendRequest<Backend>;
  variant?: ModelVariant;
  /** Which weights of a folder that has both: safetensors (the graph built here) or the ONNX export. */
  format?: WeightsFormat;
  /** Prompts in place of the model's own (config_sentence_transformers.json); "" is none. */
  prompts?: PromptOverrides;
  /** Most padded tokens per forward pass (default `WASM_TOKEN_BUDGET` on WASM, `DEFAULT_TOKEN_BUDGET` on WebGPU); benchmarks vary it. */
  tokenBudget?: number;
}

/** What the page shows about a loaded model. */
export interface ModelInfo {
  name: string;
  modelType: string | null;
  dim: number;
  hiddenSize: number | null;
  pooling: string[];
  normalize: boolean;
  maxSeqLength: number;
  variant: ModelVariant;
  onnxFile: string;
  /** Which file ran, as what (an export, or the graph built here from safetensors), and what else the folder has. */
  provenance: WeightsProvenance;
  /** The modules after the encoder, in words (pooling, Dense layers, Normalize). */
  modules: string[];
  /** The score rankings use: the model's `similarity_fn_name`. */
  similarity: string;
  /** The prompts queries and documents get now (the model's, or the slot's own). */
  prompts: { query: string; document: string };
  /** The prompts the model's config names, and its default prompt (what plain `encode` uses). */
  modelPrompts: Record<string, string>;
  defaultPromptName: string | null;
  notes: string[];
  /** True when the lab made these weights itself (dynamic int8): the page offers the file for download. */
  madeHere: boolean;
  backend: BackendInfo;
  /** Why this backend: chosen in the slot, or by the auto rule with its calibration figures. */
  backendChoice: BackendChoice<'wasm'>;
}

export interface EncodeResult extends Embeddings {
  backend: Backend;
  /** Where the last batch was pooled: 'gpu' when token embeddings stayed on the GPU (WebGPU). */
  pooledOn: 'gpu' | 'cpu' | null;
  /** Set when the GPU was lost during this run and it finished on WASM. */
  fellBackToWasm: string | null;
}

/** The loaded model as a comparison names it: fingerprint (the cache key), name, backend and notes. */
export interface SlotIdentity {
  fingerprint: string;
  name: string;
  dim: number;
  backend: Backend;
  backendDescription: string;
  backendChoice: BackendChoice<'wasm'>;
  model: ModelRunInfo;
  notes: string[];
}

/** What this browser offers, before any model is loaded. */
export interface EncoderEnvironment {
  webgpu: BackendInfo | null;
  wasm: BackendInfo;
  crossOriginIsolated: boolean;
  /** Why the GPU device was lost, once it was: from then on every model runs on WASM. */
  gpuLost: string | null;
}

/** How closely a model's WebGPU and WASM embeddings of the same texts agree, with the two backends described. */
export interface AgreementReport extends BackendAgreement {
  texts: string[];
  webgpu: BackendInfo;
  wasm: BackendInfo;
}

interface Slot {
  folder: ModelFolder;
  /** Set for this slot; otherwise the encoder's default applies. */
  tokenBudget: number | undefined;
  /**
   * Identifies the embeddings this model gives (weights, tokenizer, pooling): the cache key's model part.
   * Hashed on first use (a run's cache lookup), not at load, so that loading does not also wait for hashing
   * the weights beside its probe encode (what that hashing costs: docs/performance.md).
   */
  fingerprint: () => Promise<string>;
  runner: OrtRunner;
  /** The prompt each role gets: what the model's config chooses, or the slot's overrides. */
  prompts: { query: string; document: string };
  backend: Backend;
  /** How the backend was chosen at load; kept for the run (a lost GPU aside), never re-decided mid-run. */
  choice: BackendChoice<'wasm'>;
  info: Omit<ModelInfo, 'backend' | 'dim' | 'backendChoice' | 'prompts'> & { dim: number };
}

/**
 * Padded tokens per forward pass on WASM. Smaller batches keep the activations in cache (per 1 000 tokens a
 * hidden state is 1.5 MB, the feed-forward one 6 MB), so 1024 beat 8192 in `bench:encode` (figures in
 * docs/performance.md). WebGPU keeps {@link DEFAULT_TOKEN_BUDGET}: a GPU wants large batches.
 */
const WASM_TOKEN_BUDGET = 1024;

/** The worker's GPU device loss, told by the one device-loss watch (`ortWeb.ts`): once lost, every slot runs on WASM. */
class WatchedGpuLoss implements GpuLoss {
  reason: string | null = null;
  private readonly onLost = (reason: string) => void (this.reason = reason);

  watch(): void {
    watchDeviceLoss(this.onLost);
  }
}

/**
 * Everything one encoder worker holds: its model slots, the encodes that can be cancelled, and whether the
 * GPU device was lost. One per API object; two (a test's) share nothing but the worker's onnxruntime module.
 */
export class EncoderWorkerState {
  readonly slots = new Map<string, Slot>();
  /** Running encodes by the caller's job id, so that `cancel` can stop one between batches. */
  readonly jobs = new Map<string, AbortController>();
  readonly gpuLoss = new WatchedGpuLoss();

  slotOf(id: string): Slot {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`no model is loaded in slot ${id}`);
    return slot;
  }
}

async function switchToWasm(slot: Slot): Promise<void> {
  const previous = slot.runner;
  slot.runner = await createRunner(slot.folder, 'wasm');
  slot.backend = 'wasm';
  void previous.release().catch(() => undefined);
}

/**
 * Runs batches on the slot's runner. If the GPU goes away mid-run, the batch in flight is re-run on WASM (its
 * GPU result cannot be trusted) and the rest of the run stays there.
 */
function slotEmbedder(slot: Slot, gpu: GpuLoss, onFallback: (reason: string) => void): TokenEmbedder {
  const fallBack = async (reason: string) => {
    await switchToWasm(slot);
    onFallback(reason);
  };
  return {
    async embed(inputs: BatchInputs, pooling: PoolingSpec): Promise<PooledBatch> {
      if (slot.backend === 'webgpu' && gpu.reason) await fallBack(gpu.reason);
      if (slot.backend !== 'webgpu') return slot.runner.embed(inputs, pooling);
      try {
        const output = await slot.runner.embed(inputs, pooling);
        if (!gpu.reason) return output;
      } catch (error) {
        const reason = await deviceLostWithin(1000);
        if (!reason) throw error;
      }
      await fallBack(gpu.reason ?? 'unknown reason');
      return slot.runner.embed(inputs, pooling);
    },
  };
}

/** `make()` on the first call, its promise on every later one. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | null = null;
  return () => (made ??= make());
}

async function infoOf(slot: Slot): Promise<ModelInfo> {
  return { ...slot.info, prompts: slot.prompts, backend: await describeBackend(slot.backend), backendChoice: slot.choice };
}

/** What plain `encode` prepends: the model's default prompt, if it names one. */
function resolvedPlainPrompt(slot: Slot): string {
  const { spec } = slot.folder;
  return spec.defaultPromptName ? (spec.prompts[spec.defaultPromptName] ?? '') : '';
}

/** The prompt a role's texts get: queries and documents as the slot says; plain `encode` as the model says. */
function promptOf(slot: Slot, role: PromptRole): string | undefined {
  return role === 'plain' ? undefined : slot.prompts[role];
}

/**
 * The encoder worker's surface. Every method is listed here, so what the page (and the data worker, over its
 * port) can call is what this interface says; `workerApi.test.ts` pins it.
 */
export interface EncoderApi {
  /** Loads (or replaces) the model in `slotId`. The old model stays loaded if the new one fails. */
  loadModel(slotId: string, location: ModelLocation, options?: LoadOptions): Promise<ModelInfo>;
  /** The ONNX weights the lab made for a slot (its int8 variant), to save as onnx/model_quantized.onnx. */
  madeModel(slotId: string): Uint8Array;
  /**
   * Embeddings of `texts`, rows in input order. `onProgress` must be a top-level argument: comlink only
   * proxies functions passed directly. `jobId` lets `cancel` stop the run between batches.
   */
  encode(slotId: string, texts: string[], onProgress?: (progress: EncodeProgress) => void, jobId?: string, role?: PromptRole): Promise<EncodeResult>;
  /** The loaded model as a comparison names it: fingerprint (the cache key), name, backend and notes. */
  identify(slotId: string): Promise<SlotIdentity>;
  /** WASM threads for this worker (benchmarks compare 1 thread with all); only before the first model loads. */
  configureWasm(threads: number): void;
  /** Serves this API on `port` as well: the data worker encodes through it without a round trip via the page. */
  connect(port: MessagePort): void;
  /** Stops a running encode after its current batch; its promise rejects with an AbortError. */
  cancel(jobId: string): boolean;
  /** Token ids exactly as the model sees them (the role's prompt, specials, truncation). */
  tokenize(slotId: string, texts: string[], role?: PromptRole): number[][];
  /** Sets the slot's prompts (the evaluator's query_prompt / corpus_prompt); `undefined` goes back to the model's. */
  setPrompts(slotId: string, prompts: PromptOverrides): Promise<ModelInfo>;
  /** Encodes `texts` on WebGPU and on WASM and compares: the backends must agree for results to be trusted. */
  agreement(slotId: string, texts: string[]): Promise<AgreementReport | { unavailable: string }>;
  /** Unloads the slot's model and releases its session. */
  dispose(slotId: string): Promise<void>;
  /** What this browser offers, before any model is loaded. */
  environment(): Promise<EncoderEnvironment>;
  /**
   * Destroys the GPU device ORT uses, exactly what a driver reset does to the page: used by the device-loss
   * test and by anyone who wants to see the fallback happen. Resolves false when no GPU session exists.
   */
  loseGpuDevice(): Promise<boolean>;
}

/** The encoder worker's state and the surface over it: `index.ts` exposes one per worker. */
export function createEncoderApi(state = new EncoderWorkerState()): EncoderApi {
  const api: EncoderApi = {
    async loadModel(slotId, location, options = {}) {
      const folder = await readModelFolder(modelSource(location), { variant: options.variant ?? 'fp32', format: options.format ?? 'auto', externalWeights: true });
      const { runner, backend: actual, choice } = await openRunner(folder, options.backend ?? 'auto', state.gpuLoss);
      if (actual === 'webgpu') state.gpuLoss.watch();
      const { spec } = folder;
      // Probe once so the page knows the embedding size before any real encode (and the session is warm).
      const probe = await encodeTexts(['dimension probe'], folder.tokenizer, runner, spec);
      const previous = state.slots.get(slotId);
      const slot: Slot = {
        folder,
        tokenBudget: options.tokenBudget,
        fingerprint: once(() => modelFingerprint(folder)),
        runner,
        prompts: resolvedPrompts(spec, options.prompts),
        backend: actual,
        choice,
        info: {
          name: spec.name,
          modelType: spec.modelType,
          dim: probe.dim,
          hiddenSize: spec.hiddenSize,
          pooling: spec.pooling,
          normalize: spec.normalize,
          maxSeqLength: spec.maxSeqLength,
          variant: spec.variant,
          onnxFile: spec.onnxFile,
          provenance: folder.provenance,
          modules: describeModules(spec),
          similarity: spec.similarity,
          modelPrompts: spec.prompts,
          defaultPromptName: spec.defaultPromptName,
          notes: spec.notes,
          madeHere: folder.madeHere === true,
        },
      };
      state.slots.set(slotId, slot);
      if (previous) void previous.runner.release().catch(() => undefined);
      return infoOf(slot);
    },

    madeModel(slotId) {
      const { folder } = state.slotOf(slotId);
      if (!folder.madeHere) throw new Error(`slot ${slotId}: its weights are the folder's own, not made here`);
      const copy = folder.onnx.slice();
      return transfer(copy, [copy.buffer]);
    },

    async encode(slotId, texts, onProgress, jobId, role = 'plain') {
      const slot = state.slotOf(slotId);
      const controller = new AbortController();
      if (jobId) state.jobs.set(jobId, controller);
      let fellBackToWasm: string | null = null;
      try {
        const embedder = slotEmbedder(slot, state.gpuLoss, (reason) => (fellBackToWasm = `GPU device lost (${reason}): finished on WASM`));
        const result = await encodeTexts(texts, slot.folder.tokenizer, embedder, slot.folder.spec, {
          signal: controller.signal,
          onProgress,
          role,
          prompt: promptOf(slot, role),
          tokenBudget: slot.tokenBudget ?? (slot.backend === 'wasm' ? WASM_TOKEN_BUDGET : DEFAULT_TOKEN_BUDGET),
        });
        return transfer({ ...result, backend: slot.backend, pooledOn: slot.runner.lastPooledOn, fellBackToWasm }, [result.vectors.buffer]);
      } finally {
        if (jobId) state.jobs.delete(jobId);
      }
    },

    async identify(slotId) {
      const slot = state.slotOf(slotId);
      return {
        fingerprint: await slot.fingerprint(),
        model: await modelRunInfo(slot.folder, slot.prompts),
        name: slot.info.name,
        dim: slot.info.dim,
        backend: slot.backend,
        backendDescription: (await describeBackend(slot.backend)).description,
        backendChoice: slot.choice,
        notes: [...slot.info.notes],
      };
    },

    configureWasm(threads) {
      setWasmThreads(threads);
    },

    connect(port) {
      expose(api, port);
    },

    cancel(jobId) {
      const controller = state.jobs.get(jobId);
      controller?.abort(new DOMException('encoding cancelled', 'AbortError'));
      return Boolean(controller);
    },

    tokenize(slotId, texts, role = 'plain') {
      const slot = state.slotOf(slotId);
      const prompt = promptOf(slot, role) ?? resolvedPlainPrompt(slot);
      return texts.map((text) => slot.folder.tokenizer.encode(text, prompt));
    },

    async setPrompts(slotId, prompts) {
      const slot = state.slotOf(slotId);
      slot.prompts = resolvedPrompts(slot.folder.spec, prompts);
      return infoOf(slot);
    },

    async agreement(slotId, texts) {
      const slot = state.slotOf(slotId);
      if (state.gpuLoss.reason) return { unavailable: `the GPU device was lost (${state.gpuLoss.reason})` };
      if (!(await webgpuAdapter())) return { unavailable: 'WebGPU is not available in this browser' };
      const run = async (backend: Backend) => {
        if (slot.backend === backend) return encodeTexts(texts, slot.folder.tokenizer, slot.runner, slot.folder.spec);
        const runner = await createRunner(slot.folder, backend);
        try {
          if (backend === 'webgpu') state.gpuLoss.watch();
          return await encodeTexts(texts, slot.folder.tokenizer, runner, slot.folder.spec);
        } finally {
          await runner.release();
        }
      };
      const gpu = await run('webgpu');
      const cpu = await run('wasm');
      const { cosines, maxAbsDelta } = backendAgreement(gpu.vectors, cpu.vectors, gpu.dim);
      return { texts, cosines, maxAbsDelta, webgpu: await describeBackend('webgpu'), wasm: await describeBackend('wasm') };
    },

    async dispose(slotId) {
      const slot = state.slots.get(slotId);
      state.slots.delete(slotId);
      await slot?.runner.release();
    },

    async environment() {
      return {
        webgpu: (await webgpuAdapter()) && !state.gpuLoss.reason ? await describeBackend('webgpu') : null,
        wasm: await describeBackend('wasm'),
        crossOriginIsolated: globalThis.crossOriginIsolated === true,
        gpuLost: state.gpuLoss.reason,
      };
    },

    loseGpuDevice: () => destroyGpuDevice(),
  };
  return api;
}
