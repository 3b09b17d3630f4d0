/**
 * An honest wsum weight: W·A + (1 − W)·B with W chosen by k-fold cross-validation over queries, so that no
 * query is ranked with a weight its own judgments helped choose. For each fold, W is the grid point that
 * maximises the criterion's mean over the other folds' queries; that fold's queries are ranked with it. The
 * fused rankings are those per-fold ones; the curve (criterion over all queries at each W) is for the plot.
 *
 * ranx's `optimize_fusion(method="wsum")` searches weights in steps of 0.1 on the very queries it then
 * reports on, keeping the last of equal scores (`if score >= best_score`); here the step is 0.05, the
 * choice is made without the scored fold, and ties go to the W closest to 0.5 (then the smaller).
 */
import { mulberry32 } from '../../metrics/random.ts';
import type { PreparedFusion } from './fuseRankings.ts';
import type { Rankings } from '../../data/rankings.ts';

/** Folds drawn over the evaluated queries (fewer when there are fewer queries: one query per fold). */
const CV_FOLDS = 5;

/** W = 0, 0.05, …, 1. */
export const WEIGHT_GRID: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

/** Means closer than this count as equal (sums of the same per-query values in another order). */
const TIE = 1e-12;

/**
 * The fold of each of `count` items: a permutation drawn with mulberry32(`seed`) (Fisher–Yates), its
 * position p in fold p mod `folds`. Fold sizes differ by at most one.
 */
export function assignFolds(count: number, folds: number, seed: number): Int32Array {
  const random = mulberry32(seed);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const fold = new Int32Array(count);
  for (let p = 0; p < count; p++) fold[order[p]] = p % folds;
  return fold;
}

/** The criterion's per-query values of one fused ranking, aligned with the evaluated query rows. */
export type Criterion = (rankings: Rankings) => Float64Array;

export interface CrossValidationOptions {
  /** Evaluated query rows (those with a relevant document), the order `criterion`'s values come in. */
  queryRows: Int32Array;
  criterion: Criterion;
  seed: number;
  folds?: number;
  grid?: readonly number[];
  /** Called after each grid point (awaited: lets a cancel in). */
  onStep?: (done: number, total: number) => void | Promise<void>;
}

export interface CrossValidatedWeight {
  /** Each query ranked with its fold's W; queries outside the folds with `weight`. */
  rankings: Rankings;
  /** Best W over all evaluated queries. */
  weight: number;
  folds: { weight: number; rows: Int32Array; value: number }[];
  curve: { weight: number; value: number }[];
}

/** Index of the best mean of `means`; ties → the grid point closest to 0.5, then the first (smaller W). */
function best(means: ArrayLike<number>, grid: readonly number[]): number {
  let at = 0;
  for (let g = 1; g < grid.length; g++) {
    if (means[g] > means[at] + TIE || (Math.abs(means[g] - means[at]) <= TIE && Math.abs(grid[g] - 0.5) < Math.abs(grid[at] - 0.5) - TIE)) at = g;
  }
  return at;
}

/** wsum of two prepared inputs with W chosen per fold (see the module's comment). */
export async function crossValidatedWeight(fusion: PreparedFusion, options: CrossValidationOptions): Promise<CrossValidatedWeight> {
  const grid = options.grid ?? WEIGHT_GRID;
  const n = options.queryRows.length;
  if (n < 2) throw new RangeError(`cross-validation needs at least 2 evaluated queries, there ${n === 1 ? 'is 1' : `are ${n}`}`);
  const k = Math.min(options.folds ?? CV_FOLDS, n);
  const fold = assignFolds(n, k, options.seed);
  const foldSize = new Int32Array(k);
  for (const f of fold) foldSize[f]++;
  // Per grid point: the criterion's sum over all queries and over each fold.
  const values: Float64Array[] = [];
  const totals = new Float64Array(grid.length);
  const foldSums = grid.map(() => new Float64Array(k));
  for (const [g, w] of grid.entries()) {
    const perQuery = options.criterion(fusion.fuse([w, 1 - w]));
    if (perQuery.length !== n) throw new RangeError(`the criterion gave ${perQuery.length} values for ${n} queries`);
    values.push(perQuery);
    for (let i = 0; i < n; i++) {
      totals[g] += perQuery[i];
      foldSums[g][fold[i]] += perQuery[i];
    }
    await options.onStep?.(g + 1, grid.length);
  }
  const curve = grid.map((weight, g) => ({ weight, value: totals[g] / n }));
  const weight = grid[best(curve.map((c) => c.value), grid)];
  const folds = Array.from({ length: k }, (_, f) => {
    const trained = grid.map((_, g) => (totals[g] - foldSums[g][f]) / (n - foldSize[f]));
    const g = best(trained, grid);
    const rows = Int32Array.from(options.queryRows.filter((_, i) => fold[i] === f));
    return { weight: grid[g], rows, value: foldSums[g][f] / foldSize[f] };
  });
  const weightOfRow = new Map<number, number>();
  options.queryRows.forEach((row, i) => weightOfRow.set(row, folds[fold[i]].weight));
  const rankings = fusion.fuse((q) => {
    const w = weightOfRow.get(q) ?? weight;
    return [w, 1 - w];
  });
  return { rankings, weight, folds, curve };
}
