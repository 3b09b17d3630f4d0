/**
 * One query's ranking by one model, as the per-query diff reads it: the list the metrics were computed
 * from (in the mode's order), and where any other document stands.
 */
export interface RankedView {
  /** Document rows, best first (negative: a run file's id the corpus lacks). */
  docs: Int32Array;
  scores: ArrayLike<number>;
  /**
   * Rank (from 1) and score of documents the list does not hold; rank null where the model ranked no
   * further (a run file's list ends there).
   */
  locate(docs: readonly number[]): { rank: number | null; score: number | null }[];
}

export type Movement =
  | { kind: 'baseline' }
  | { kind: 'same' }
  | { kind: 'up' | 'down'; by: number }
  /** Not in the baseline's top k; `from` is its rank there (null: the baseline did not rank it). */
  | { kind: 'new'; from: number | null };

export interface DiffEntry {
  doc: number;
  rank: number;
  score: number;
  movement: Movement;
}

export interface ModelQueryDiff {
  top: DiffEntry[];
  /** In the baseline's top k but not in this model's: where it went (rank null: not ranked at all). */
  dropped: { doc: number; baselineRank: number; rank: number | null; score: number | null }[];
  /** Relevant documents outside this model's top k, with the rank they actually have (null: not ranked). */
  missingRelevant: { doc: number; rank: number | null; score: number | null }[];
}

/** Rank and score of `docs` in `view`: from its list where they are in it, else from `locate`. */
function ranksIn(view: RankedView, docs: readonly number[]): { rank: number | null; score: number | null }[] {
  const position = new Map<number, number>();
  view.docs.forEach((doc, i) => position.set(doc, i));
  const beyond = docs.filter((d) => !position.has(d));
  const located = beyond.length ? view.locate(beyond) : [];
  return docs.map((doc) => {
    const at = position.get(doc);
    return at !== undefined ? { rank: at + 1, score: view.scores[at] } : located[beyond.indexOf(doc)];
  });
}

/**
 * Each model's top k beside the baseline's: rank movement of every document (↑ by how many places, new with
 * the rank it had), the baseline's documents that left the top k, and where each relevant document missing
 * from the top k really ranks.
 */
export function diffTopK(views: readonly RankedView[], baseline: number, k: number, relevant: readonly number[]): ModelQueryDiff[] {
  const base = views[baseline];
  const baseTop = Array.from(base.docs.subarray(0, k));
  return views.map((view, m) => {
    const top = Array.from(view.docs.subarray(0, k));
    const before = m === baseline ? [] : ranksIn(base, top);
    const entries = top.map((doc, r): DiffEntry => {
      const rank = r + 1;
      let movement: Movement;
      if (m === baseline) movement = { kind: 'baseline' };
      else {
        const from = before[r].rank;
        if (from === null || from > baseTop.length) movement = { kind: 'new', from };
        else if (from === rank) movement = { kind: 'same' };
        else movement = { kind: from > rank ? 'up' : 'down', by: Math.abs(from - rank) };
      }
      return { doc, rank, score: view.scores[r], movement };
    });
    const inTop = new Set(top);
    const left = m === baseline ? [] : baseTop.filter((doc) => !inTop.has(doc));
    const leftRanks = ranksIn(view, left);
    const dropped = left.map((doc, i) => ({ doc, baselineRank: baseTop.indexOf(doc) + 1, ...leftRanks[i] }));
    const missing = relevant.filter((doc) => !inTop.has(doc));
    const missingRanks = ranksIn(view, missing);
    const missingRelevant = missing
      .map((doc, i) => ({ doc, ...missingRanks[i] }))
      .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.doc - b.doc);
    return { top: entries, dropped, missingRelevant };
  });
}
