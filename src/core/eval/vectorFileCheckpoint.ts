import type { ReadFile } from '../data/vectorFiles/readFile.ts';
import { readVectorFiles } from '../data/vectorFiles/vectorFiles.ts';
import { chunkedSha256Hex } from '../data/sha256.ts';
import { isHalfRows } from '../vectors/documentRows.ts';
import type { VectorCheckpoint } from './checkpoint.ts';

/**
 * Precomputed embeddings as a checkpoint: vectors a training job or another machine wrote, matched to the
 * dataset's rows by id. They bypass the embedding cache (they are not this lab's to cache).
 */
export function vectorFileCheckpoint(
  identity: { name: string; source: string; slot?: string },
  paths: readonly string[],
  read: ReadFile,
): VectorCheckpoint {
  return {
    ...identity,
    kind: 'vectors',
    imported: true,
    async vectors(dataset, context) {
      const started = performance.now();
      await context.onProgress({ stage: 'vectors', done: 0, total: 1 });
      const { documents, queries, dim, notes } = await readVectorFiles(paths, read, dataset);
      // The vectors as read (before normalising): the same files give the same fingerprint.
      const fingerprint = await chunkedSha256Hex([isHalfRows(documents) ? documents.half : documents, queries]);
      await context.onProgress({ stage: 'vectors', done: 1, total: 1 });
      return { documents, queries, dim, backend: 'vector files', fingerprint, notes, encoded: 0, cached: 0, seconds: (performance.now() - started) / 1000 };
    },
  };
}
