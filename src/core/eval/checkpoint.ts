/**
 * What the comparison takes as a checkpoint: anything that yields vectors of the dataset's documents and
 * queries (a model encoding them here, an imported vector file), anything that yields rankings (a run file,
 * BM25), a stored report's per-query values, or a fusion of earlier checkpoints' rankings. The page and the
 * CLI build these; the comparison ({@link compareCheckpoints}) never asks which producer made them.
 */
import type { BackendChoice } from '../backends/backendChoice.ts';
import type { DocumentRows } from '../vectors/documentRows.ts';
import type { Dataset } from '../data/dataset.ts';
import type { DatasetFingerprint } from '../data/fingerprint.ts';
import type { EncodeProgress, Embeddings } from '../model/encoder.ts';
import { encodeWithCache, type EmbeddingStore, type EncodeChunk } from './embeddingCache.ts';
import { sha256Hex } from '../data/sha256.ts';
import type { SimilarityFunction } from '../kernels/similarityTopK.ts';
import type { ModelRunInfo } from '../report/evalReport.ts';
import type { ReportCheckpoint } from './reportCheckpoint.ts';
import type { FusionCheckpoint } from './fusion/fusionCheckpoint.ts';
import type { WeightVariant } from './weightVariants.ts';
import type { Rankings } from '../data/rankings.ts';

/**
 * Stages a checkpoint reports while it produces its vectors or rankings: encoding documents and queries,
 * reading vector or run files, or (BM25, which encodes nothing) indexing the documents and searching that
 * index for each query.
 */
export type CheckpointStage = 'documents' | 'queries' | 'vectors' | 'rankings' | 'index' | 'search';

export interface CheckpointProgress {
  stage: CheckpointStage;
  done: number;
  total: number;
  /** Encode stages: texts taken from the embedding cache. BM25's index: documents whose index an earlier BM25 checkpoint of the run built. */
  cached?: number;
  textsPerSecond?: number;
  etaSeconds?: number;
  /** Set on an encode stage's last event: what it took. */
  finished?: { encoded: number; cached: number; seconds: number };
  /** Set on the last event of BM25's index and search: the seconds they took (they encode nothing, so no `finished`). */
  seconds?: number;
}

export interface CheckpointContext {
  /** Awaited: across a worker boundary the round trip lets a cancel message in. */
  onProgress(progress: CheckpointProgress): void | Promise<void>;
  signal?: AbortSignal;
  /** The dataset's fingerprint, computed once per comparison (the report stores it; a baseline checks it). */
  fingerprint?: () => Promise<DatasetFingerprint>;
}

/** A checkpoint's vectors, rows in dataset order, as produced (normalising is the comparison's job). */
export interface CheckpointVectors {
  /** float32, or float16 kept as such when an imported file stored them so (half the memory). */
  documents: DocumentRows;
  queries: Float32Array;
  dim: number;
  /** What produced them, e.g. "WASM · 2 threads" or "onnxruntime-node 1.30.0 cpu". */
  backend: string;
  /** Identifies the producer: the model's fingerprint (weights, tokenizer, pooling) or a digest of the files. */
  fingerprint: string;
  /** Why it ran on `backend`: chosen in the slot, or the auto rule's reason and calibration. */
  backendChoice?: BackendChoice;
  /** What a model encoded here ran and how it scores: its weights file, family, similarity and prompts. */
  model?: ModelRunInfo;
  /** The score to rank by, `similarity_fn_name` of the model (cosine when absent). */
  similarity?: SimilarityFunction;
  notes: string[];
  /** Texts encoded now and taken from the cache (zero for imported vectors), and the seconds it all took. */
  encoded: number;
  cached: number;
  seconds: number;
}

export interface CheckpointRankings {
  rankings: Rankings;
  backend: string;
  /** SHA-256 of the run file. */
  fingerprint: string;
  notes: string[];
  /**
   * The scores are placeholders for positions (a ranking that has no scores of its own): a fusion that reads
   * scores refuses it; rrf, which reads ranks, takes it.
   */
  ranksOnly?: boolean;
}

interface CheckpointBase {
  /** What the user calls it: a model folder's name, a file's name, or the NAME of NAME=PATH. */
  name: string;
  /** Where it came from (a path, a served URL, a hub id): the report's `path`. */
  source: string;
  /** The page's slot letter, used to tell apart two checkpoints with the same name. */
  slot?: string;
}

export interface VectorCheckpoint extends CheckpointBase {
  kind: 'vectors';
  /**
   * The same model with other weights (`quantized`: int8, `fp16`), for the compression sweep to measure
   * against this one: offered by checkpoints that load a model folder (the comparison asks, names and pairs).
   */
  withWeights?(weights: WeightVariant): VectorCheckpoint;
  /** Vectors made elsewhere (files), checked for parity against the models encoded here. */
  imported?: boolean;
  vectors(dataset: Dataset, context: CheckpointContext): Promise<CheckpointVectors>;
}

export interface RankingCheckpoint extends CheckpointBase {
  kind: 'ranking';
  rankings(dataset: Dataset, context: CheckpointContext): Promise<CheckpointRankings>;
}

/** A fusion ({@link FusionCheckpoint}) ranks from earlier checkpoints' rankings, named in its `inputs`. */
export type Checkpoint = VectorCheckpoint | RankingCheckpoint | ReportCheckpoint | FusionCheckpoint;

/** What a text is to the model: its prompt depends on it (`prompts` in config_sentence_transformers.json). */
export type TextRole = 'query' | 'document';

/**
 * The embedding cache's key for texts encoded with `prompt`: the model's fingerprint alone without one (so
 * entries made before prompts existed still hit), else a digest of both.
 */
async function promptedKey(fingerprint: string, prompt: string): Promise<string> {
  return prompt === '' ? fingerprint : sha256Hex(`${fingerprint}|prompt:${prompt}`);
}

/**
 * Time left at the pace so far, measured in the units the work is counted in: padded tokens where the
 * encoder reports them (texts go longest first, so texts per second would start several times too slow).
 */
function secondsLeft(seconds: number, work: { done: number; total: number }): number | undefined {
  return seconds > 0 && work.done > 0 ? (seconds * (work.total - work.done)) / work.done : undefined;
}

/**
 * Time left when the texts are encoded in chunks (see {@link encodeWithCache}): the rest of this chunk at its
 * pace in tokens, then the chunks after it taking as long as this one will (chunks are slices of the texts
 * in their order, so alike in length; within one the longest go first).
 */
export function chunkedSecondsLeft(seconds: number, work: { done: number; total: number }, chunkTexts: number, chunk: EncodeChunk): number | undefined {
  const rest = secondsLeft(seconds, work);
  if (rest === undefined) return undefined;
  const after = chunk.total - chunk.first - chunkTexts;
  return rest + (after > 0 ? ((seconds + rest) * after) / chunkTexts : 0);
}

/** A model ready to encode: the worker's slot over its port, or the CLI's onnxruntime-node session. */
export interface OpenedEncoder {
  /** The embedding cache's model key (weights, tokenizer, pooling). */
  fingerprint: string;
  backend: string;
  backendChoice?: BackendChoice;
  notes: readonly string[];
  /** Which file ran and how it scores (models encoded here); the report records it. */
  model?: ModelRunInfo;
  /**
   * Embeddings of `texts` in order, encoded as `role` (its prompt prepended: sentence-transformers'
   * encode_query / encode_document); `note` says when something changed on the way (a GPU fell back).
   */
  encode(texts: string[], onProgress: (done: number, tokens?: EncodeProgress['tokens']) => void | Promise<void>, signal?: AbortSignal, role?: TextRole): Promise<Embeddings & { note?: string | null }>;
  /** Frees the session (the CLI loads one model at a time). */
  release?(): Promise<void>;
}

/**
 * A model that encodes the dataset here: documents, then queries, each through the embedding cache so that
 * only texts it has not seen are encoded. `open` loads the model when the comparison reaches it.
 */
export function encoderCheckpoint(
  identity: CheckpointBase,
  open: () => Promise<OpenedEncoder>,
  store: EmbeddingStore | null,
): VectorCheckpoint {
  return {
    ...identity,
    kind: 'vectors',
    async vectors(dataset, context) {
      const encoder = await open();
      try {
        const notes = [...encoder.notes];
        const embed = async (stage: 'documents' | 'queries', texts: readonly string[]) => {
          const started = performance.now();
          let cached = 0;
          const role: TextRole = stage === 'documents' ? 'document' : 'query';
          const key = await promptedKey(encoder.fingerprint, encoder.model?.prompts[role] ?? '');
          let encodeStarted = 0;
          const result = await encodeWithCache(texts, key, store, async (missing, chunk) => {
            if (chunk.first === 0) {
              cached = texts.length - chunk.total;
              await context.onProgress({ stage, done: cached, total: texts.length, cached });
              encodeStarted = performance.now();
            }
            const chunkStarted = performance.now();
            const fresh = await encoder.encode(
              missing,
              (done, tokens) => {
                const seconds = (performance.now() - encodeStarted) / 1000;
                const rate = seconds > 0 ? (chunk.first + done) / seconds : 0;
                return context.onProgress({
                  stage,
                  done: cached + chunk.first + done,
                  total: texts.length,
                  cached,
                  textsPerSecond: rate || undefined,
                  etaSeconds: chunkedSecondsLeft((performance.now() - chunkStarted) / 1000, tokens ?? { done, total: missing.length }, missing.length, chunk),
                });
              },
              context.signal,
              role,
            );
            if (fresh.note && !notes.includes(fresh.note)) notes.push(fresh.note);
            return fresh;
          });
          context.signal?.throwIfAborted();
          const finished = { encoded: result.encoded, cached: texts.length - result.encoded, seconds: (performance.now() - started) / 1000 };
          await context.onProgress({ stage, done: texts.length, total: texts.length, cached: finished.cached, finished });
          return { result, finished };
        };
        const documents = await embed('documents', dataset.documents.texts);
        const queries = await embed('queries', dataset.queries.texts);
        if (documents.result.count && queries.result.count && documents.result.dim !== queries.result.dim) {
          throw new Error(`${identity.name}: documents have ${documents.result.dim} dimensions but queries ${queries.result.dim}`);
        }
        return {
          documents: documents.result.vectors,
          queries: queries.result.vectors,
          dim: documents.result.dim || queries.result.dim,
          backend: encoder.backend,
          fingerprint: encoder.fingerprint,
          ...(encoder.backendChoice ? { backendChoice: encoder.backendChoice } : {}),
          ...(encoder.model ? { model: encoder.model, similarity: encoder.model.similarity as SimilarityFunction } : {}),
          notes,
          encoded: documents.finished.encoded + queries.finished.encoded,
          cached: documents.finished.cached + queries.finished.cached,
          seconds: documents.finished.seconds + queries.finished.seconds,
        };
      } finally {
        await encoder.release?.();
      }
    },
  };
}
