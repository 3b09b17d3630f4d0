import type { Dataset } from '../data/dataset.ts';
import type { DiagnosticKernels } from '../diagnostics/kernels.ts';
import { diagnoseEmbeddings, type DiagnosticsOptions, type ModelDiagnostics } from '../diagnostics/modelDiagnostics.ts';
import type { DatasetEmbeddings, RetrievalResult } from './retrieval.ts';

/** Whether the dataset carries what the label and triplet diagnostics need (the CLI computes them then). */
export function hasDiagnosticsData(dataset: Dataset): boolean {
  return Boolean(dataset.triplets?.length) || dataset.documents.some((d) => d.label !== undefined);
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
  const docIndex = new Map(dataset.documents.map((d, i) => [d.id, i]));
  const relevant: number[] = [];
  const competing: number[] = [];
  dataset.queries.forEach((query, q) => {
    const judged = dataset.qrels.get(query.id);
    if (!judged) return;
    for (const [docId, grade] of judged) {
      const d = docIndex.get(docId);
      if (grade > 0 && d !== undefined) relevant.push(q, d);
    }
    for (const docId of retrieval.run.get(query.id)?.docIds ?? []) {
      if (!((judged.get(docId) ?? 0) > 0)) competing.push(q, docIndex.get(docId)!);
    }
  });
  return diagnoseEmbeddings(
    {
      documents: embeddings.documents,
      dim: embeddings.dim,
      documentLabels: dataset.documents.map((d) => d.label),
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
