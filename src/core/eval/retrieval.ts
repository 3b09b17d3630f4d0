import type { Dataset } from '../data/dataset.ts';
import { cosineTopK, type GpuTopKKernel } from '../kernels/cosineTopK.ts';
import { judgeRun, type EvaluationMode, type RankedList, type Run } from '../metrics/judgedRun.ts';
import { evaluateJudged, parseMetricKey, requiredDepth, type Evaluation } from '../metrics/registry.ts';

/** Embeddings of a dataset's queries and documents by one model, rows in dataset order. */
export interface DatasetEmbeddings {
  queries: Float32Array;
  documents: Float32Array;
  dim: number;
}

export interface RetrievalOptions {
  metricKeys: readonly string[];
  mode?: EvaluationMode;
  /** Results kept per query (≥ the deepest cutoff); 100 by default, like sentence-transformers. */
  depth?: number;
  gpu?: GpuTopKKernel | null;
}

export interface RetrievalResult extends Evaluation {
  /** Each evaluated query's top results, best first: [document id, cosine]. */
  top: Map<string, [string, number][]>;
  run: Run;
  topKBackend: 'webgpu' | 'cpu';
  notes: string[];
}

/**
 * Ranks every document for every query by cosine and scores the rankings: sentence-transformers'
 * InformationRetrievalEvaluator (or trec_eval in TREC mode), with per-query values kept.
 */
export async function evaluateRetrieval(dataset: Dataset, embeddings: DatasetEmbeddings, options: RetrievalOptions): Promise<RetrievalResult> {
  const specs = options.metricKeys.map(parseMetricKey);
  const depth = Math.max(options.depth ?? 100, requiredDepth(specs));
  const { queries, documents, dim } = embeddings;
  if (queries.length !== dataset.queries.length * dim || documents.length !== dataset.documents.length * dim) {
    throw new RangeError('embeddings do not match the dataset: one row per query and per document expected');
  }
  const ranked = await cosineTopK(queries, documents, dim, depth, options.gpu);
  const run = new Map<string, RankedList>();
  const top = new Map<string, [string, number][]>();
  for (let q = 0; q < dataset.queries.length; q++) {
    const docIds: string[] = [];
    const scores: number[] = [];
    for (let r = 0; r < ranked.k; r++) {
      docIds.push(dataset.documents.id(ranked.indices[q * ranked.k + r]));
      scores.push(ranked.scores[q * ranked.k + r]);
    }
    const queryId = dataset.queries.id(q);
    run.set(queryId, { docIds, scores });
    top.set(queryId, docIds.map((id, r) => [id, scores[r]]));
  }
  const evaluation = evaluateJudged(judgeRun(run, dataset.qrels, options.mode), options.metricKeys);
  return { ...evaluation, top, run, topKBackend: ranked.backend, notes: ranked.note ? [ranked.note] : [] };
}
