/**
 * Similarity + top-k: for each query row, the k document rows with the largest dot product, best first,
 * ties broken by lower document index. For cosine the comparison hands in unit rows, so the dot product is
 * the cosine; for a `dot` model, the rows as it gives them (see `similarityTopK.ts`). The twins
 * (`topk.cpu.ts`, `topk.ts` on WebGPU, `topk.ort.ts` on onnxruntime) take and return these shapes.
 */
export interface TopKInput {
  /** `[queryCount × dim]`, row-major. */
  queries: Float32Array;
  /** `[docCount × dim]`, row-major. */
  docs: Float32Array;
  dim: number;
  k: number;
}

export interface TopKResult {
  queryCount: number;
  /** min(k, docCount): entries per query. */
  k: number;
  /** `[queryCount × k]` document indices, best first. */
  indices: Int32Array;
  /** `[queryCount × k]` scores, matching `indices`. */
  scores: Float32Array;
  /** The float64 scores the order was decided on, where a kernel keeps them (the CPU twin). */
  exactScores?: Float64Array;
}

/** One implementation of the kernel: the CPU twin, or the WebGPU one bound to a device. */
export type TopKKernel = (input: TopKInput) => Promise<TopKResult>;

export function checkTopKInput({ queries, docs, dim, k }: TopKInput): { queryCount: number; docCount: number } {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`top-k: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`top-k: k must be a positive integer, got ${k}`);
  if (queries.length % dim !== 0) throw new RangeError(`top-k: ${queries.length} query values are not a multiple of dim ${dim}`);
  if (docs.length % dim !== 0) throw new RangeError(`top-k: ${docs.length} document values are not a multiple of dim ${dim}`);
  return { queryCount: queries.length / dim, docCount: docs.length / dim };
}
