import { proxy, type Remote } from 'comlink';
import type { Backend, BackendInfo, BackendRequest, EncoderApi, LoadOptions, ModelInfo, ModelLocation, AgreementReport } from '../worker/api.ts';
import type { EncodeProgress } from '../core/model/encoder.ts';
import type { CheckpointRequest, PickedRequest, StoredReportSummary } from '../worker/evaluation.ts';
import { saveFile } from './saveFile.ts';

/** Short texts for the WebGPU-vs-WASM check: a few seconds even on a software GPU. */
const AGREEMENT_TEXTS = ['This is an example sentence', 'How do I reset my card PIN?', 'Vitamin D deficiency and bone density'];

/** `Omit` over each member of a union (TypeScript's own `Omit` merges the members first). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * What a slot holds in place of a model: the data worker's request for it without the slot letter (one
 * definition of each kind), plus what the page shows of it — a stored report's summary, and which dataset
 * picked files were checked against.
 */
export type ImportedFiles = (
  | OmitEach<Extract<CheckpointRequest, { kind: 'vectors' | 'ranking' | 'bm25' | 'fusion' }>, 'slot'>
  | (OmitEach<Extract<CheckpointRequest, { kind: 'report' }>, 'slot'> & { summary: StoredReportSummary })
) & { checkedAgainst?: string | null };

/** What the data worker reads for a slot: a stored report's summary, and picked files checked against the dataset. */
export interface PickedFilesReader {
  describeReport(file: File): Promise<StoredReportSummary>;
  /** The dataset's name when the files were read against it, null when no dataset is loaded yet. */
  checkPicked(request: PickedRequest): Promise<string | null>;
}

/** How often the list of served model folders is asked for again (a folder put in models/ appears without a reload). */
const SERVED_MODELS_REFRESH_MS = 3000;

export class ModelSlotState {
  status = $state<'empty' | 'loading' | 'ready' | 'error'>('empty');
  info = $state.raw<ModelInfo | null>(null);
  /** Set when the slot holds files instead of a model; they are read when a run reaches them. */
  imported = $state.raw<ImportedFiles | null>(null);
  error = $state<string | null>(null);
  agreement = $state.raw<AgreementReport | { unavailable: string } | null>(null);
  agreementRunning = $state(false);

  constructor(
    readonly id: string,
    private readonly encoder: Remote<EncoderApi>,
    private readonly reader: PickedFilesReader,
  ) {}

  /** Where the loaded model came from and its backend (in memory only: a hub token may be part of it). */
  private loaded: { location: ModelLocation; backend: BackendRequest<Backend>; options: LoadOptions } | null = null;

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
    void this.useFiles({ kind: 'bm25', name: 'bm25' });
  }

  /** A hybrid of earlier slots' rankings (`inputs`: slot letters), fused by `method` (rrf, combsum, combmnz, wsum…). */
  useFusion(inputs: string[], method: string): void {
    if (inputs.length < 2) {
      this.refuse('A hybrid fuses two or more checkpoints: tick at least two earlier slots.');
      return;
    }
    void this.useFiles({ kind: 'fusion', name: `${method} ${inputs.join('+')}`, inputs, method });
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
    await this.take(async () => {
      const summary = await this.reader.describeReport(file);
      const model = summary.models[0];
      return { kind: 'report', name: model, file, model, summary, checkedAgainst: await this.reader.checkPicked({ slot: this.id, kind: 'report', name: model, file, model }) };
    }, file.name);
  }

  /** Which model of the slot's stored report to compare. */
  chooseReportModel(model: string): void {
    if (this.imported?.kind === 'report' && this.imported.summary.models.includes(model)) this.imported = { ...this.imported, name: model, model };
  }

  /**
   * Takes picked vector files (documents.npy, queries.npy and their ids) or a run file in place of a model.
   * They are read against the dataset now, as a run would read them, so a bad file is refused here with the
   * run's message and the slot keeps what it held; without a dataset the run checks them.
   */
  async useFiles(imported: ImportedFiles): Promise<void> {
    if (imported.kind === 'vectors' && !imported.files.some((f) => /\.(parquet|arrow|arrows|feather|ipc)$/i.test(f.path))) {
      const names = imported.files.map((f) => f.path.split('/').pop()!.toLowerCase());
      const missing = ['documents.npy', 'queries.npy'].filter((n) => !names.includes(n) && !(n === 'documents.npy' && (names.includes('docs.npy') || names.includes('corpus.npy'))));
      if (missing.length) {
        this.refuse(`${this.notLoaded(`the vectors ${imported.name}`)}: vector files need documents.npy and queries.npy (with documents.ids.txt / queries.ids.txt when their rows are not the dataset's, in order); ${missing.join(' and ')} is missing.`);
        return;
      }
    }
    if (imported.kind !== 'vectors' && imported.kind !== 'ranking') {
      this.hold(imported);
      return;
    }
    // The messages name the file at fault; a vector set is named by its checkpoint name (its folder's).
    const picked = imported.kind === 'vectors' ? `the vectors ${imported.name}` : imported.file.name;
    await this.take(async () => ({ ...imported, checkedAgainst: await this.reader.checkPicked({ slot: this.id, ...imported }) }), picked);
  }

  /** Reads what `read` makes of the picked files; on success the slot holds it, on failure it keeps what it held. */
  private async take(read: () => Promise<ImportedFiles>, what: string): Promise<void> {
    const before = this.status;
    this.status = 'loading';
    this.error = null;
    try {
      const imported = await read();
      this.hold(imported);
    } catch (error) {
      this.status = before === 'loading' ? 'empty' : before;
      this.refuse(this.notTaken(what, error as Error));
    }
  }

  private hold(imported: ImportedFiles): void {
    this.imported = imported;
    this.info = null;
    this.loaded = null;
    this.agreement = null;
    this.error = null;
    this.status = 'ready';
    void this.encoder.dispose(this.id);
  }

  /** Shows why something offered to the slot was refused before it was read, and what the slot still holds. */
  refuse(message: string): void {
    // A sentence of its own after the message, which may end without a full stop (a file's own wording).
    this.error = `${message}${/[.!?]$/.test(message) ? '' : '.'} ${this.stillHolds()}`;
  }

  private notLoaded(what: string): string {
    return `Slot ${this.id} did not take ${what}`;
  }

  /** "Slot A did not take other.trec: ranks none…" — the file named once where the message starts with it. */
  private notTaken(what: string, error: Error): string {
    return error.message.startsWith(`${what}: `) ? `Slot ${this.id} did not take ${error.message}` : `${this.notLoaded(what)}: ${error.message}`;
  }

  /** What the slot still holds after a failed load, so that nobody reads its details as the failed checkpoint's. */
  private stillHolds(): string {
    const held = this.label;
    return held ? `The slot still holds ${held} (shown below): Compare runs that.` : `The slot is still empty.`;
  }

  /**
   * Applies the runtime options picked after a model was loaded (backend, weights, format): the model is
   * loaded again with them, so the slot's details, its backend reason and what Compare runs follow the
   * choice rather than the options it was loaded with. Nothing happens when no model is loaded.
   */
  async applyOptions(options: LoadOptions & { backend: BackendRequest<Backend> }): Promise<void> {
    if (!this.loaded || this.imported || this.status === 'loading') return;
    const { backend, options: current } = this.loaded;
    if (backend === options.backend && (current.variant ?? 'fp32') === (options.variant ?? 'fp32') && (current.format ?? 'auto') === (options.format ?? 'auto')) return;
    await this.load(this.loaded.location, { ...current, ...options });
  }

  /**
   * Loads a model; on failure the slot keeps what it held (the encoder worker keeps the previous model) and
   * the error says what failed and what the slot still holds.
   */
  async load(location: ModelLocation, options: LoadOptions & { backend: BackendRequest<Backend> }): Promise<void> {
    const before = this.status;
    this.status = 'loading';
    this.error = null;
    try {
      this.info = await this.encoder.loadModel(this.id, location, options);
      this.loaded = { location, backend: options.backend, options };
      this.imported = null;
      this.status = 'ready';
      this.agreement = null;
      void this.checkAgreement();
    } catch (error) {
      this.status = before === 'ready' ? 'ready' : 'error';
      this.refuse(this.notTaken(locationName(location), error as Error));
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

  async checkAgreement(): Promise<void> {
    this.agreementRunning = true;
    try {
      this.agreement = await this.encoder.agreement(this.id, AGREEMENT_TEXTS);
    } catch (error) {
      this.agreement = { unavailable: (error as Error).message };
    } finally {
      this.agreementRunning = false;
    }
  }

  async encode(texts: string[], onProgress?: (done: number, total: number) => void) {
    return this.encoder.encode(this.id, texts, onProgress ? proxy(({ done, total }: EncodeProgress) => onProgress(done, total)) : undefined);
  }
}

/** A model location as the user named it: the served folder, the hub id, the picked folder. */
function locationName(location: ModelLocation): string {
  if (location.kind === 'served') return `/models/${location.name}`;
  if (location.kind === 'hub') return location.revision ? `${location.id}@${location.revision}` : location.id;
  return location.name;
}

/** Checkpoints one comparison can hold: A…H. */
export const MAX_SLOTS = 8;

export class LabState {
  slots = $state<ModelSlotState[]>([]);
  /** The folders in models/, asked for again every few seconds: the slot which explains them is the first. */
  readonly servedModels = new ServedModels(() => this.slots[0]?.id ?? null);
  environment = $state.raw<{ webgpu: BackendInfo | null; wasm: BackendInfo; crossOriginIsolated: boolean } | null>(null);

  constructor(
    private readonly encoder: Remote<EncoderApi>,
    private readonly reader: PickedFilesReader,
  ) {
    this.slots = [new ModelSlotState('A', encoder, reader), new ModelSlotState('B', encoder, reader)];
  }

  /** A further checkpoint (epoch 2, epoch 3, …), named by the next free letter. */
  addSlot(): void {
    if (this.slots.length >= MAX_SLOTS) return;
    const taken = new Set(this.slots.map((s) => s.id));
    const id = Array.from({ length: MAX_SLOTS }, (_, i) => String.fromCharCode(65 + i)).find((l) => !taken.has(l))!;
    this.slots = [...this.slots, new ModelSlotState(id, this.encoder, this.reader)].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Removes a checkpoint and frees its model in the worker; two always stay. */
  async removeSlot(id: string): Promise<void> {
    if (this.slots.length <= 2) return;
    this.slots = this.slots.filter((s) => s.id !== id);
    await this.encoder.dispose(id);
  }

  async start(): Promise<void> {
    const [environment] = await Promise.all([this.encoder.environment(), this.servedModels.refresh()]);
    this.environment = environment;
    this.servedModels.keepFresh();
  }
}

/**
 * The model folders the dev server lists from models/ (`/models/index.json`; a static host has none). A
 * folder copied there appears without a reload: the list is asked for again while the page is seen.
 */
export class ServedModels {
  names = $state.raw<string[]>([]);
  /** Set once the server answered (or did not): before that an empty list means nothing yet. */
  listed = $state(false);
  /** Folders in models/ that are not listed, with why (no tokenizer.json). */
  incomplete = $state.raw<{ name: string; reason: string }[]>([]);

  /** `explainedIn`: the slot whose card says what a model folder is and where it goes (one card, not each). */
  constructor(readonly explainedIn: () => string | null) {}

  async refresh(): Promise<void> {
    type Listing = { models: string[]; incomplete?: { name: string; reason: string }[] };
    const listing: Listing = await fetch('/models/index.json')
      .then((r) => (r.ok ? (r.json() as Promise<Listing>) : { models: [] }))
      .catch(() => ({ models: [] }));
    const incomplete = listing.incomplete ?? [];
    // Assigned only when changed: a new array would re-render every slot's menu each time.
    if (listing.models.join('\n') !== this.names.join('\n')) this.names = listing.models;
    if (JSON.stringify(incomplete) !== JSON.stringify(this.incomplete)) this.incomplete = incomplete;
    this.listed = true;
  }

  /** Refreshes every {@link SERVED_MODELS_REFRESH_MS} while the page is visible, and when it gets focus. */
  keepFresh(): void {
    setInterval(() => void (document.visibilityState === 'visible' && this.refresh()), SERVED_MODELS_REFRESH_MS);
    addEventListener('focus', () => void this.refresh());
  }
}
