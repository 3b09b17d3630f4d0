/**
 * Per-query score normalisations applied to each input's list before a score-based fusion, exactly as ranx
 * defines them (github AmenRa/ranx, `ranx/normalization/*.py`, selected by `norm_switch`). Each works on
 * one query's list of one input, in list order (best first), and returns the new scores in that order:
 *
 * - `min-max` (`_min_max_norm`): (s − min) / max(max − min, 1e-9) — ranx's default (`fuse(norm="min-max")`);
 * - `max` (`_max_norm`): s / max(max, 1e-9) — as ranx has it, a list whose scores are all ≤ 0 is divided by
 *   1e-9, not by its maximum;
 * - `sum` (`_sum_norm`): (s − min) / max(Σs − n·min, 1e-9);
 * - `zmuv` (`_zmuv_norm`): (s − mean) / max(std, 1e-9), the population standard deviation (`np.std`);
 * - `rank` (`_rank_norm`): 1 − i / n for the document at 0-based position i of a list of n — scores ignored;
 * - `none`: the scores as the input gives them (ranx's `norm=None`).
 *
 * An empty list stays empty (ranx's `safe_min`/`safe_max` return 0 there; nothing is normalised).
 */
export const NORMALIZATIONS = ['min-max', 'max', 'sum', 'zmuv', 'rank', 'none'] as const;

export type NormalizationName = (typeof NORMALIZATIONS)[number];

/** ranx's floor on every denominator (`max(denominator, 1e-9)`): a list of equal scores does not divide by 0. */
const FLOOR = 1e-9;

/** Whether `text` names a normalisation (`min_max` is ranx's other spelling of `min-max`). */
export function normalizationName(text: string): NormalizationName | null {
  const name = text === 'min_max' ? 'min-max' : text;
  return (NORMALIZATIONS as readonly string[]).includes(name) ? (name as NormalizationName) : null;
}

/**
 * `scores[start … end)` normalised by `name` into `out[start … end)` (float64): one query's list of one input.
 * `out` may be `scores` itself only when both are float64.
 */
export function normalizeList(name: NormalizationName, scores: ArrayLike<number>, start: number, end: number, out: Float64Array): void {
  const n = end - start;
  if (n === 0) return;
  if (name === 'rank') {
    for (let i = 0; i < n; i++) out[start + i] = 1 - i / n;
    return;
  }
  if (name === 'none') {
    for (let i = start; i < end; i++) out[i] = scores[i];
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const s = scores[i];
    if (s < min) min = s;
    if (s > max) max = s;
    sum += s;
  }
  if (name === 'min-max') {
    const denominator = Math.max(max - min, FLOOR);
    for (let i = start; i < end; i++) out[i] = (scores[i] - min) / denominator;
  } else if (name === 'max') {
    const denominator = Math.max(max, FLOOR);
    for (let i = start; i < end; i++) out[i] = scores[i] / denominator;
  } else if (name === 'sum') {
    const denominator = Math.max(sum - min * n, FLOOR);
    for (let i = start; i < end; i++) out[i] = (scores[i] - min) / denominator;
  } else {
    const mean = sum / n;
    let squares = 0;
    for (let i = start; i < end; i++) squares += (scores[i] - mean) ** 2;
    const denominator = Math.max(Math.sqrt(squares / n), FLOOR);
    for (let i = start; i < end; i++) out[i] = (scores[i] - mean) / denominator;
  }
}

/** One list's normalised scores: {@link normalizeList} over a whole array. */
export function normalizeScores(name: NormalizationName, scores: ArrayLike<number>): Float64Array {
  const out = new Float64Array(scores.length);
  normalizeList(name, scores, 0, scores.length, out);
  return out;
}
