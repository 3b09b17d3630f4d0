import { DataError, formatLocation, type Dataset } from '../data/dataset.ts';
import { readTrecRun } from '../data/trecRun.ts';
import { sha256Hex } from '../data/sha256.ts';
import type { RankingCheckpoint } from './checkpoint.ts';
import type { Rankings } from '../data/rankings.ts';

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
      refuseForeignRun(rankings, bytes, file, dataset);
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

/**
 * A run that ranks none of the dataset's queries, or only documents the corpus does not have, is a run of
 * other data (or of other ids): bad input, not a model that scores 0 — a gate would read it as a regression.
 */
function refuseForeignRun(rankings: Rankings, bytes: Uint8Array, file: string, dataset: Dataset): void {
  const results = rankings.docs.length;
  if (results === 0) {
    const first = new TextDecoder().decode(bytes.subarray(0, 4096)).split(/\r\n|\n|\r/).find((line) => line.trim() !== '')?.trim().split(/\s+/)[0];
    throw new DataError({
      file,
      message: `ranks none of the dataset's ${dataset.queries.length} queries${first ? ` (its first line names query "${first}")` : ''}: is it a run of other data, or of other query ids?`,
    });
  }
  if (rankings.docs.every((doc) => doc < 0)) {
    throw new DataError({
      file,
      message: `names none of the corpus's ${dataset.documents.length} documents in its ${results} results (the first: "${rankings.unknownIds[0]}"): is it a run of other data, or of other document ids?`,
    });
  }
}
