import { formatLocation } from '../data/dataset.ts';
import { readTrecRun } from '../data/trecRun.ts';
import { sha256Hex } from '../data/sha256.ts';
import type { RankingCheckpoint } from './checkpoint.ts';

/**
 * A TREC run file as a checkpoint: rankings with no vectors (BM25, a hosted API, a reranker). `read` gives
 * the file's bytes when the comparison reaches it; its warnings (unknown ids, unranked queries) and its
 * depth become the checkpoint's notes.
 */
export function runFileCheckpoint(identity: { name: string; source: string; slot?: string }, read: () => Promise<Uint8Array>): RankingCheckpoint {
  return {
    ...identity,
    kind: 'ranking',
    async rankings(dataset, context) {
      await context.onProgress({ stage: 'rankings', done: 0, total: 1 });
      const file = identity.source.split(/[\\/]/).pop() || identity.source;
      const bytes = await read();
      const { rankings, depth, warnings } = readTrecRun(bytes, file, dataset);
      await context.onProgress({ stage: 'rankings', done: 1, total: 1 });
      return {
        rankings,
        backend: 'run file',
        fingerprint: await sha256Hex(bytes),
        notes: [`a ranking read from ${file}, at most ${depth} results per query: metrics with a deeper cutoff score the list as it is`, ...warnings.map((w) => `${formatLocation(w)}${w.message}`)],
      };
    },
  };
}
