import { blockRows, isHalfRows, rowsBlock, type DocumentRows } from '../../vectors/documentRows.ts';
import { mergeTopK } from './mergeTopK.ts';
import type { TopKKernel, TopKResult } from './topk.types.ts';

/**
 * A top-k kernel over rows that may be kept as float16 ({@link DocumentRows}). float32 rows go to the kernel
 * as they are. float16 rows are decoded a block at a time (whole document tiles, see `blockRows`), never whole: query blocks
 * are ranked one after another, and document blocks merged into each query's running list. Merging keeps
 * the kernels' order (score descending, then lower row) because a later block's rows all come after the
 * earlier ones', so the result is the one the kernel gives over the decoded rows at once.
 */
export async function topKOverRows(kernel: TopKKernel, queries: DocumentRows, docs: DocumentRows, dim: number, k: number, size = blockRows(dim)): Promise<TopKResult> {
  if (!isHalfRows(queries) && !isHalfRows(docs)) return kernel({ queries, docs, dim, k });
  const queryCount = queries.length / dim;
  const docCount = docs.length / dim;
  if (queryCount === 0 || docCount === 0) return kernel({ queries: rowsBlock(queries, dim, 0, queryCount), docs: rowsBlock(docs, dim, 0, docCount), dim, k });
  const kept = Math.min(k, docCount);
  const indices = new Int32Array(queryCount * kept);
  const scores = new Float32Array(queryCount * kept);
  // One decoded block of each, reused: a kernel is done with its input when it returns.
  const scratch = (rows: DocumentRows, count: number) => (isHalfRows(rows) ? new Float32Array(Math.min(size, count) * dim) : undefined);
  const queryScratch = scratch(queries, queryCount);
  const docScratch = scratch(docs, docCount);
  for (let q0 = 0; q0 < queryCount; q0 += size) {
    const queryBlock = rowsBlock(queries, dim, q0, Math.min(queryCount, q0 + size), queryScratch);
    let running: TopKResult | null = null;
    for (let d0 = 0; d0 < docCount; d0 += size) {
      const found = await kernel({ queries: queryBlock, docs: rowsBlock(docs, dim, d0, Math.min(docCount, d0 + size), docScratch), dim, k });
      if (d0) for (let i = 0; i < found.indices.length; i++) found.indices[i] += d0;
      running = running ? mergeTopK(running, found, kept) : found;
    }
    indices.set(running!.indices, q0 * kept);
    scores.set(running!.scores, q0 * kept);
  }
  return { queryCount, k: kept, indices, scores };
}
