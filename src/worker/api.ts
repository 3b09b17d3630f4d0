/**
 * The encoder worker's whole surface. Methods take and return plain data or TypedArrays; progress comes
 * back through a comlink `proxy` callback; every failure rejects the caller's promise.
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
   * Hashed on first use (a run's cache lookup), not at load: hashing 90 MB of weights beside the load's probe
   * encode made loading 0.6–1.4 s slower on 2 cores.
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

const slots = new Map<string, Slot>();
const jobs = new Map<string, AbortController>();
let gpuLostReason: string | null = null;
/** One listener for the one device-loss watch (`ortWeb.ts`): from then on every slot runs on WASM. */
const onGpuLost = (reason: string) => (gpuLostReason = reason);
const gpuLoss: GpuLoss = {
  get reason() {
    return gpuLostReason;
  },
  watch: () => watchDeviceLoss(onGpuLost),
};

function slotOf(id: string): Slot {
  const slot = slots.get(id);
  if (!slot) throw new Error(`no model is loaded in slot ${id}`);
  return slot;
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
function slotEmbedder(slot: Slot, onFallback: (reason: string) => void): TokenEmbedder {
  const fallBack = async (reason: string) => {
    await switchToWasm(slot);
    onFallback(reason);
  };
  return {
    async embed(inputs: BatchInputs, pooling: PoolingSpec): Promise<PooledBatch> {
      if (slot.backend === 'webgpu' && gpuLostReason) await fallBack(gpuLostReason);
      if (slot.backend !== 'webgpu') return slot.runner.embed(inputs, pooling);
      try {
        const output = await slot.runner.embed(inputs, pooling);
        if (!gpuLostReason) return output;
      } catch (error) {
        const reason = await deviceLostWithin(1000);
        if (!reason) throw error;
      }
      await fallBack(gpuLostReason ?? 'unknown reason');
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

export const api = {
  /** Loads (or replaces) the model in `slotId`. The old model stays loaded if the new one fails. */
  async loadModel(slotId: string, location: ModelLocation, options: LoadOptions = {}): Promise<ModelInfo> {
    const folder = await readModelFolder(modelSource(location), { variant: options.variant ?? 'fp32', format: options.format ?? 'auto' });
    const { runner, backend: actual, choice } = await openRunner(folder, options.backend ?? 'auto', gpuLoss);
    if (actual === 'webgpu') watchDeviceLoss(onGpuLost);
    const { spec } = folder;
    // Probe once so the page knows the embedding size before any real encode (and the session is warm).
    const probe = await encodeTexts(['dimension probe'], folder.tokenizer, runner, spec);
    const previous = slots.get(slotId);
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
    slots.set(slotId, slot);
    if (previous) void previous.runner.release().catch(() => undefined);
    return infoOf(slot);
  },

  /** The ONNX weights the lab made for a slot (its int8 variant), to save as onnx/model_quantized.onnx. */
  madeModel(slotId: string): Uint8Array {
    const { folder } = slotOf(slotId);
    if (!folder.madeHere) throw new Error(`slot ${slotId}: its weights are the folder's own, not made here`);
    const copy = folder.onnx.slice();
    return transfer(copy, [copy.buffer]);
  },

  /**
   * Embeddings of `texts`, rows in input order. `onProgress` must be a top-level argument: comlink only
   * proxies functions passed directly. `jobId` lets {@link api.cancel} stop the run between batches.
   */
  async encode(
    slotId: string,
    texts: string[],
    onProgress?: (progress: EncodeProgress) => void,
    jobId?: string,
    role: PromptRole = 'plain',
  ): Promise<EncodeResult> {
    const slot = slotOf(slotId);
    const controller = new AbortController();
    if (jobId) jobs.set(jobId, controller);
    let fellBackToWasm: string | null = null;
    try {
      const embedder = slotEmbedder(slot, (reason) => (fellBackToWasm = `GPU device lost (${reason}): finished on WASM`));
      const result = await encodeTexts(texts, slot.folder.tokenizer, embedder, slot.folder.spec, {
        signal: controller.signal,
        onProgress,
        role,
        prompt: promptOf(slot, role),
        tokenBudget: slot.tokenBudget ?? (slot.backend === 'wasm' ? WASM_TOKEN_BUDGET : DEFAULT_TOKEN_BUDGET),
      });
      return transfer({ ...result, backend: slot.backend, pooledOn: slot.runner.lastPooledOn, fellBackToWasm }, [result.vectors.buffer]);
    } finally {
      if (jobId) jobs.delete(jobId);
    }
  },

  /** The loaded model as a comparison names it: fingerprint (the cache key), name, backend and notes. */
  async identify(slotId: string): Promise<{ fingerprint: string; name: string; dim: number; backend: Backend; backendDescription: string; backendChoice: BackendChoice<'wasm'>; model: ModelRunInfo; notes: string[] }> {
    const slot = slotOf(slotId);
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

  /** WASM threads for this worker (benchmarks compare 1 thread with all); only before the first model loads. */
  configureWasm(threads: number): void {
    setWasmThreads(threads);
  },

  /** Serves this API on `port` as well: the data worker encodes through it without a round trip via the page. */
  connect(port: MessagePort): void {
    expose(api, port);
  },

  /** Stops a running encode after its current batch; its promise rejects with an AbortError. */
  cancel(jobId: string): boolean {
    const controller = jobs.get(jobId);
    controller?.abort(new DOMException('encoding cancelled', 'AbortError'));
    return Boolean(controller);
  },

  /** Token ids exactly as the model sees them (the role's prompt, specials, truncation). */
  tokenize(slotId: string, texts: string[], role: PromptRole = 'plain'): number[][] {
    const slot = slotOf(slotId);
    const prompt = promptOf(slot, role) ?? resolvedPlainPrompt(slot);
    return texts.map((text) => slot.folder.tokenizer.encode(text, prompt));
  },

  /** Sets the slot's prompts (the evaluator's query_prompt / corpus_prompt); `undefined` goes back to the model's. */
  async setPrompts(slotId: string, prompts: PromptOverrides): Promise<ModelInfo> {
    const slot = slotOf(slotId);
    slot.prompts = resolvedPrompts(slot.folder.spec, prompts);
    return infoOf(slot);
  },

  /** Encodes `texts` on WebGPU and on WASM and compares: the backends must agree for results to be trusted. */
  async agreement(slotId: string, texts: string[]): Promise<AgreementReport | { unavailable: string }> {
    const slot = slotOf(slotId);
    if (gpuLostReason) return { unavailable: `the GPU device was lost (${gpuLostReason})` };
    if (!(await webgpuAdapter())) return { unavailable: 'WebGPU is not available in this browser' };
    const run = async (backend: Backend) => {
      if (slot.backend === backend) return encodeTexts(texts, slot.folder.tokenizer, slot.runner, slot.folder.spec);
      const runner = await createRunner(slot.folder, backend);
      try {
        if (backend === 'webgpu') watchDeviceLoss(onGpuLost);
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

  async dispose(slotId: string): Promise<void> {
    const slot = slots.get(slotId);
    slots.delete(slotId);
    await slot?.runner.release();
  },

  /** What this browser offers, before any model is loaded. */
  async environment(): Promise<{ webgpu: BackendInfo | null; wasm: BackendInfo; crossOriginIsolated: boolean; gpuLost: string | null }> {
    return {
      webgpu: (await webgpuAdapter()) && !gpuLostReason ? await describeBackend('webgpu') : null,
      wasm: await describeBackend('wasm'),
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      gpuLost: gpuLostReason,
    };
  },

  /**
   * Destroys the GPU device ORT uses, exactly what a driver reset does to the page: used by the device-loss
   * test and by anyone who wants to see the fallback happen. Resolves false when no GPU session exists.
   */
  async loseGpuDevice(): Promise<boolean> {
    return destroyGpuDevice();
  },
};

export type EncoderApi = typeof api;
