import { proxy, type Remote } from 'comlink';
import type { BackendChoice, BackendInfo, EncoderApi, LoadOptions, ModelInfo, ModelLocation, ParityReport } from '../worker/api.ts';
import type { EncodeProgress } from '../core/model/encoder.ts';
import type { CheckpointRequest, StoredReportSummary } from '../worker/evaluation.ts';
import { saveFile } from './saveFile.ts';

/** Short texts for the WebGPU-vs-WASM check: a few seconds even on a software GPU. */
export const PARITY_TEXTS = ['This is an example sentence', 'How do I reset my card PIN?', 'Vitamin D deficiency and bone density'];

/** Files picked into a slot in place of a model: precomputed vectors, or a run file's rankings. */
export type ImportedFiles =
  | { kind: 'vectors'; name: string; files: { path: string; file: File }[] }
  | { kind: 'run'; name: string; file: File }
  | { kind: 'report'; name: string; file: File; model: string; summary: StoredReportSummary }
  | { kind: 'bm25'; name: string }
  | { kind: 'fusion'; name: string; inputs: string[]; method: string };

/** Reads a stored report's summary in the data worker. */
export type DescribeReport = (file: File) => Promise<StoredReportSummary>;

export class ModelSlotState {
  status = $state<'empty' | 'loading' | 'ready' | 'error'>('empty');
  info = $state.raw<ModelInfo | null>(null);
  /** Set when the slot holds files instead of a model; they are read when a run reaches them. */
  imported = $state.raw<ImportedFiles | null>(null);
  error = $state<string | null>(null);
  parity = $state.raw<ParityReport | { unavailable: string } | null>(null);
  parityRunning = $state(false);

  constructor(
    readonly id: string,
    private readonly encoder: Remote<EncoderApi>,
    private readonly describeReport: DescribeReport,
  ) {}

  /** Where the loaded model came from and its backend (in memory only: a hub token may be part of it). */
  private loaded: { location: ModelLocation; backend: BackendChoice; options: LoadOptions } | null = null;

  /**
   * Sets the prompts queries and documents get in this slot (the evaluator's query_prompt / corpus_prompt);
   * a role left undefined goes back to the model's own. Kept for the sweep's weight variants too.
   */
  async setPrompts(prompts: { query?: string; document?: string }): Promise<void> {
    try {
      this.info = await this.encoder.setPrompts(this.id, prompts);
      if (this.loaded) this.loaded = { ...this.loaded, options: { ...this.loaded.options, prompts } };
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  /** Loads the same folder again with its other weights (the ONNX export instead of the safetensors, or back). */
  async runOtherFormat(): Promise<void> {
    const other = this.info?.provenance.alternative;
    if (!this.loaded || !other) return;
    await this.load(this.loaded.location, { ...this.loaded.options, backend: this.loaded.backend, format: other });
  }

  /** BM25 over the dataset's own texts, as bm25s defines it: the lexical baseline a fine-tune must beat. */
  useBm25(): void {
    this.useFiles({ kind: 'bm25', name: 'bm25' });
  }

  /** A hybrid of earlier slots' rankings (`inputs`: slot letters), fused by `method` (rrf, combsum, combmnz, wsum…). */
  useFusion(inputs: string[], method: string): void {
    if (inputs.length < 2) {
      this.error = 'A hybrid fuses two or more checkpoints: tick at least two earlier slots.';
      return;
    }
    this.useFiles({ kind: 'fusion', name: `${method} ${inputs.join('+')}`, inputs, method });
  }

  /** What the slot holds, in a few words, for other slots' menus ("lab-minilm-l6-base", "bm25"). */
  get label(): string | null {
    return this.info?.name ?? this.imported?.name ?? null;
  }

  /** The slot as a checkpoint of a run (with what a sweep needs to load its weight variants). */
  request(): CheckpointRequest {
    if (!this.imported) return { slot: this.id, kind: 'model', ...(this.loaded ? { reload: this.loaded } : {}) };
    if (this.imported.kind === 'report') {
      const { name, file, model } = this.imported;
      return { slot: this.id, kind: 'report', name, file, model };
    }
    return { slot: this.id, ...this.imported };
  }

  /**
   * Takes a report the lab wrote (the JSON export, `embedlab eval --json`) as this checkpoint: one of its
   * models, compared through its stored per-query values; the data must be the data it was made on.
   */
  async useReport(file: File): Promise<void> {
    try {
      const summary = await this.describeReport(file);
      this.useFiles({ kind: 'report', name: summary.models[0], file, model: summary.models[0], summary });
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  /** Which model of the slot's stored report to compare. */
  chooseReportModel(model: string): void {
    if (this.imported?.kind === 'report' && this.imported.summary.models.includes(model)) this.imported = { ...this.imported, name: model, model };
  }

  /**
   * Takes picked vector files (documents.npy, queries.npy and their ids) or a run file in place of a model.
   * A vector set needs both matrices; everything else is checked against the dataset when the run reads them.
   */
  useFiles(imported: ImportedFiles): void {
    if (imported.kind === 'vectors' && !imported.files.some((f) => /\.(parquet|arrow|arrows|feather|ipc)$/i.test(f.path))) {
      const names = imported.files.map((f) => f.path.split('/').pop()!.toLowerCase());
      const missing = ['documents.npy', 'queries.npy'].filter((n) => !names.includes(n) && !(n === 'documents.npy' && (names.includes('docs.npy') || names.includes('corpus.npy'))));
      if (missing.length) {
        this.error = `Vector files need documents.npy and queries.npy (with documents.ids.txt / queries.ids.txt when their rows are not the dataset's, in order); ${missing.join(' and ')} is missing.`;
        return;
      }
    }
    this.imported = imported;
    this.info = null;
    this.parity = null;
    this.error = null;
    this.status = 'ready';
    void this.encoder.dispose(this.id);
  }

  /** Loads a model; on failure the previously loaded model stays in the slot and the error is shown. */
  async load(location: ModelLocation, options: LoadOptions & { backend: BackendChoice }): Promise<void> {
    const previous = this.status === 'ready' ? 'ready' : 'empty';
    this.status = 'loading';
    this.error = null;
    try {
      this.info = await this.encoder.loadModel(this.id, location, options);
      this.loaded = { location, backend: options.backend, options };
      this.imported = null;
      this.status = 'ready';
      this.parity = null;
      void this.checkParity();
    } catch (error) {
      this.error = (error as Error).message;
      this.status = previous === 'ready' ? 'ready' : 'error';
    }
  }

  /** Downloads the int8 weights the lab made for this slot, to put in the model folder as onnx/model_quantized.onnx. */
  async saveMadeModel(): Promise<void> {
    try {
      const bytes = await this.encoder.madeModel(this.id);
      saveFile(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), 'model_quantized.onnx');
    } catch (error) {
      this.error = (error as Error).message;
    }
  }

  async checkParity(): Promise<void> {
    this.parityRunning = true;
    try {
      this.parity = await this.encoder.parity(this.id, PARITY_TEXTS);
    } catch (error) {
      this.parity = { unavailable: (error as Error).message };
    } finally {
      this.parityRunning = false;
    }
  }

  async encode(texts: string[], onProgress?: (done: number, total: number) => void) {
    return this.encoder.encode(this.id, texts, onProgress ? proxy(({ done, total }: EncodeProgress) => onProgress(done, total)) : undefined);
  }
}

/** Checkpoints one comparison can hold: A…H. */
export const MAX_SLOTS = 8;

export class LabState {
  slots = $state<ModelSlotState[]>([]);
  servedModels = $state.raw<string[]>([]);
  environment = $state.raw<{ webgpu: BackendInfo | null; wasm: BackendInfo; crossOriginIsolated: boolean } | null>(null);

  constructor(
    private readonly encoder: Remote<EncoderApi>,
    private readonly describeReport: DescribeReport,
  ) {
    this.slots = [new ModelSlotState('A', encoder, describeReport), new ModelSlotState('B', encoder, describeReport)];
  }

  /** A further checkpoint (epoch 2, epoch 3, …), named by the next free letter. */
  addSlot(): void {
    if (this.slots.length >= MAX_SLOTS) return;
    const taken = new Set(this.slots.map((s) => s.id));
    const id = Array.from({ length: MAX_SLOTS }, (_, i) => String.fromCharCode(65 + i)).find((l) => !taken.has(l))!;
    this.slots = [...this.slots, new ModelSlotState(id, this.encoder, this.describeReport)].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Removes a checkpoint and frees its model in the worker; two always stay. */
  async removeSlot(id: string): Promise<void> {
    if (this.slots.length <= 2) return;
    this.slots = this.slots.filter((s) => s.id !== id);
    await this.encoder.dispose(id);
  }

  async start(): Promise<void> {
    const [environment, served] = await Promise.all([
      this.encoder.environment(),
      fetch('/models/index.json')
        .then((r) => (r.ok ? (r.json() as Promise<{ models: string[] }>) : { models: [] }))
        .catch(() => ({ models: [] })),
    ]);
    this.environment = environment;
    this.servedModels = served.models;
  }
}
