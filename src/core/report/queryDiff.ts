/** One model's complete ranking of the documents for one query. */
export interface QueryRanking {
  /** Document indices, best first (ties: lower index first, as the top-k kernels break them). */
  order: Int32Array;
  /** Score of each document, by document index. */
  scores: Float32Array;
}

export type Movement =
  | { kind: 'baseline' }
  | { kind: 'same' }
  | { kind: 'up' | 'down'; by: number }
  /** Not in the baseline's top k; `from` is its rank there. */
  | { kind: 'new'; from: number };

export interface DiffEntry {
  doc: number;
  rank: number;
  score: number;
  movement: Movement;
}

export interface ModelQueryDiff {
  top: DiffEntry[];
  /** In the baseline's top k but not in this model's: where it went. */
  dropped: { doc: number; baselineRank: number; rank: number; score: number }[];
  /** Relevant documents outside this model's top k, with the rank they actually have. */
  missingRelevant: { doc: number; rank: number; score: number }[];
}

/** Full-ranking order of every document for one query: ranks from 1. */
export function rankQuery(queryVector: Float32Array, docs: Float32Array, dim: number): QueryRanking {
  const count = docs.length / dim;
  const scores = new Float32Array(count);
  for (let d = 0; d < count; d++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += queryVector[j] * docs[d * dim + j];
    scores[d] = s;
  }
  const order = Int32Array.from({ length: count }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  return { order, scores };
}

/**
 * Each model's top k beside the baseline's: rank movement of every document (↑ by how many places, new with
 * the rank it had), the baseline's documents that left the top k, and where each relevant document missing
 * from the top k really ranks. Ranks are over the full ranking, never capped at a retrieval depth.
 */
export function diffTopK(rankings: readonly QueryRanking[], baseline: number, k: number, relevant: ReadonlySet<number>): ModelQueryDiff[] {
  const rankOf = rankings.map(({ order }) => {
    const ranks = new Int32Array(order.length);
    order.forEach((doc, r) => (ranks[doc] = r + 1));
    return ranks;
  });
  const base = rankings[baseline];
  const depth = Math.min(k, base.order.length);
  return rankings.map((ranking, m) => {
    const top = Array.from(ranking.order.subarray(0, depth), (doc, r): DiffEntry => {
      const rank = r + 1;
      const before = rankOf[baseline][doc];
      let movement: Movement;
      if (m === baseline) movement = { kind: 'baseline' };
      else if (before > depth) movement = { kind: 'new', from: before };
      else if (before === rank) movement = { kind: 'same' };
      else movement = { kind: before > rank ? 'up' : 'down', by: Math.abs(before - rank) };
      return { doc, rank, score: ranking.scores[doc], movement };
    });
    const dropped =
      m === baseline
        ? []
        : Array.from(base.order.subarray(0, depth))
            .filter((doc) => rankOf[m][doc] > depth)
            .map((doc) => ({ doc, baselineRank: rankOf[baseline][doc], rank: rankOf[m][doc], score: ranking.scores[doc] }));
    const missingRelevant = [...relevant]
      .filter((doc) => rankOf[m][doc] > depth)
      .map((doc) => ({ doc, rank: rankOf[m][doc], score: ranking.scores[doc] }))
      .sort((a, b) => a.rank - b.rank);
    return { top, dropped, missingRelevant };
  });
}
