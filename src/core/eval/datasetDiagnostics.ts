import type { Dataset } from '../data/dataset.ts';
import type { DiagnosticKernels } from '../diagnostics/kernels.ts';
import { diagnoseEmbeddings, type DiagnosticsOptions, type ModelDiagnostics } from '../diagnostics/modelDiagnostics.ts';
import type { DatasetEmbeddings, RetrievalResult } from './retrieval.ts';

/** Whether the dataset carries what the label and triplet diagnostics need (the CLI computes them then). */
export function hasDiagnosticsData(dataset: Dataset): boolean {
  return Boolean(dataset.triplets?.length) || dataset.documents.hasLabels;
}

/**
 * One model's diagnostics over a dataset: documents with their labels, (query, relevant document) pairs
 * from the judgments, and as competitors the non-relevant documents of each query's ranked top results.
 */
export function diagnoseDataset(
  dataset: Dataset,
  embeddings: DatasetEmbeddings,
  retrieval: RetrievalResult,
  kernels: DiagnosticKernels,
  options: DiagnosticsOptions = {},
): Promise<ModelDiagnostics> {
  const { queries, documents } = dataset;
  const relevant: number[] = [];
  const competing: number[] = [];
  for (let q = 0; q < queries.length; q++) {
    const queryId = queries.id(q);
    const judged = dataset.qrels.get(queryId);
    if (!judged) continue;
    for (const [docId, grade] of judged) {
      const d = documents.rowOf(docId);
      if (grade > 0 && d >= 0) relevant.push(q, d);
    }
    for (const docId of retrieval.run.get(queryId)?.docIds ?? []) {
      if (!((judged.get(docId) ?? 0) > 0)) competing.push(q, documents.rowOf(docId));
    }
  }
  return diagnoseEmbeddings(
    {
      documents: embeddings.documents,
      dim: embeddings.dim,
      documentLabels: Array.from({ length: documents.length }, (_, d) => documents.label(d)),
      labelColumn: dataset.labelColumn,
      queries: embeddings.queries,
      relevantPairs: Int32Array.from(relevant),
      competingPairs: Int32Array.from(competing),
      triplets: dataset.triplets,
    },
    kernels,
    options,
  );
}
