import { mulberry32 } from './random.ts';

/** How one metric moved from model A to model B over the same queries. */
export interface PairedComparison {
  /** mean(B − A) over queries. */
  delta: number;
  /** Percentile bootstrap interval of the mean delta at 95 %, unadjusted: it ignores the other metrics. */
  ci95: [number, number];
  /** Two-sided paired randomization (sign-flip) test. */
  p: number;
  /** `p` after Holm's step-down correction across the metrics compared together. */
  pHolm: number;
  /** Percentile bootstrap interval at 1 − α/m (m metrics compared together): simultaneous, Bonferroni. */
  ciBonferroni: [number, number];
  /** Percentile bootstrap interval at {@link ciHolmLevel}: the one that agrees with `pHolm` (see {@link holmIntervalLevels}). */
  ciHolm: [number, number];
  /** Confidence of `ciHolm`, e.g. 0.996875 for the first of 16 Holm steps at α = 0.05. */
  ciHolmLevel: number;
  /** Queries where B scores higher, equal, lower. */
  wins: number;
  ties: number;
  losses: number;
}

export interface StatsOptions {
  /** Sign-flip permutations (at least 10 000); all 2ⁿ patterns are enumerated when that is fewer. */
  permutations?: number;
  /** Bootstrap resamples. */
  resamples?: number;
  /** Seed of every random draw; reported with the results so they can be reproduced. */
  seed?: number;
}

const DEFAULT_STATS = { permutations: 10_000, resamples: 10_000, seed: 20260101 } as const;

/** The family-wise error rate significance and the adjusted intervals are set at. */
export const SIGNIFICANCE_LEVEL = 0.05;

/** Options with defaults filled in; an option given as `undefined` keeps its default. */
export function resolveStats(options: StatsOptions = {}): Required<StatsOptions> {
  return {
    permutations: options.permutations ?? DEFAULT_STATS.permutations,
    resamples: options.resamples ?? DEFAULT_STATS.resamples,
    seed: options.seed ?? DEFAULT_STATS.seed,
  };
}

export function differences(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  if (a.length !== b.length) throw new RangeError(`paired values differ in length: ${a.length} vs ${b.length}`);
  return Float64Array.from({ length: a.length }, (_, i) => b[i] - a[i]);
}

/**
 * Paired randomization test of mean(d) = 0: under the null each difference is as likely to have the other
 * sign, so p = P(|Σ ±dᵢ| ≥ |Σ dᵢ|). Exact by enumeration when 2ⁿ ≤ `permutations`, else Monte Carlo with
 * the observed arrangement counted once, p = (hits + 1) / (permutations + 1) (Phipson & Smyth 2010).
 */
export function pairedRandomizationTest(diffs: Float64Array, permutations: number = DEFAULT_STATS.permutations, seed: number = DEFAULT_STATS.seed): number {
  const n = diffs.length;
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  const scale = diffs.reduce((s, d) => s + Math.abs(d), 0);
  if (scale === 0) return 1;
  // Sums equal to the observed one up to rounding must count as "as extreme".
  const threshold = observed - 1e-12 * scale;
  if (n < 31 && 2 ** n <= permutations) {
    let hits = 0;
    for (let pattern = 0; pattern < 2 ** n; pattern++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += pattern & (1 << i) ? -diffs[i] : diffs[i];
      if (Math.abs(sum) >= threshold) hits++;
    }
    return hits / 2 ** n;
  }
  const random = mulberry32(seed);
  let hits = 0;
  for (let p = 0; p < permutations; p++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += random() < 0.5 ? -diffs[i] : diffs[i];
    if (Math.abs(sum) >= threshold) hits++;
  }
  return (hits + 1) / (permutations + 1);
}

/**
 * The bootstrap distribution of the mean difference: `resamples` means of n draws with replacement, sorted
 * (one draw serves every interval level asked of it, so intervals at several levels share one resampling).
 */
function bootstrapMeans(diffs: Float64Array, resamples: number = DEFAULT_STATS.resamples, seed: number = DEFAULT_STATS.seed): Float64Array {
  const n = diffs.length;
  if (n === 0) return new Float64Array(0);
  const random = mulberry32(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[Math.floor(random() * n)];
    means[r] = sum / n;
  }
  return means.sort();
}

/**
 * Two-sided percentile interval of sorted bootstrap means at `level`: the order statistics at ⌊α/2·R⌋ and
 * ⌈(1−α/2)·R⌉ − 1 for α = 1 − level.
 */
function percentileInterval(sortedMeans: Float64Array, level: number): [number, number] {
  const resamples = sortedMeans.length;
  if (resamples === 0) return [NaN, NaN];
  const alpha = 1 - level;
  return [sortedMeans[Math.floor((alpha / 2) * resamples)], sortedMeans[Math.ceil((1 - alpha / 2) * resamples) - 1]];
}

/** Percentile bootstrap interval of the mean difference at `level`. */
export function bootstrapMeanCI(
  diffs: Float64Array,
  resamples: number = DEFAULT_STATS.resamples,
  seed: number = DEFAULT_STATS.seed,
  level = 0.95,
): [number, number] {
  return percentileInterval(bootstrapMeans(diffs, resamples, seed), level);
}

/** Holm–Bonferroni step-down adjusted p-values, in the input order. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Queries where B is higher (win), equal (tie), lower (loss) than A. */
export function winsTiesLosses(diffs: Float64Array): { wins: number; ties: number; losses: number } {
  let wins = 0;
  let losses = 0;
  for (const d of diffs) {
    if (d > 0) wins++;
    else if (d < 0) losses++;
  }
  return { wins, ties: diffs.length - wins - losses, losses };
}

/**
 * The confidence level of each hypothesis' interval that agrees with Holm's decisions at family-wise α.
 *
 * Holm tests the hypotheses in order of raw p; step s (1-based) rejects when p < α/(m − s + 1), and the
 * procedure stops at its first non-rejection, r + 1 for r rejections. The interval of a hypothesis is taken
 * at the level of the step that decided it: a rejected one at its own step, 1 − α/(m − s + 1) (ties in p
 * share the first step of their group, as Holm's adjusted p does); every one not rejected at the step where
 * Holm stopped, 1 − α/(m − r) — Strassburger & Bretz's (Stat. Med. 2008) compatible bound for the
 * non-rejected hypotheses. So, were interval and test the same method, "excludes 0" ⟺ "significant".
 * For the rejected ones Strassburger & Bretz would only say "≠ 0" (a bound at 0): the step level is the
 * informative choice. Each interval lies between the unadjusted one and the Bonferroni one, and so does the
 * family's simultaneous coverage: not guaranteed 1 − α (the Bonferroni intervals are).
 */
export function holmIntervalLevels(pValues: readonly number[], alpha: number = SIGNIFICANCE_LEVEL): number[] {
  const m = pValues.length;
  const adjusted = holmAdjust(pValues);
  const rejected = adjusted.filter((p) => p < alpha).length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b] || a - b);
  const levels = new Array<number>(m);
  let groupStep = 1;
  order.forEach((index, rank) => {
    if (rank === 0 || pValues[index] !== pValues[order[rank - 1]]) groupStep = rank + 1;
    const step = adjusted[index] < alpha ? groupStep : rejected + 1;
    levels[index] = 1 - alpha / (m - step + 1);
  });
  return levels;
}

/**
 * Compares per-query values of two models on every metric, Holm-correcting across the metrics given:
 * the comparison a fine-tuning report makes, with its uncertainty.
 */
export function compareModels(
  a: Record<string, ArrayLike<number>>,
  b: Record<string, ArrayLike<number>>,
  keys: readonly string[],
  options: StatsOptions = {},
): Record<string, PairedComparison> {
  const { permutations, resamples, seed } = resolveStats(options);
  if (permutations < 10_000) throw new RangeError(`at least 10 000 permutations are needed, got ${permutations}`);
  // Bonferroni over the metrics compared together; the Holm level depends on every p, so it comes after.
  const bonferroniLevel = 1 - SIGNIFICANCE_LEVEL / Math.max(keys.length, 1);
  const rows = keys.map((key) => {
    const diffs = differences(a[key], b[key]);
    const delta = diffs.length ? diffs.reduce((s, d) => s + d, 0) / diffs.length : NaN;
    const means = bootstrapMeans(diffs, resamples, seed);
    return {
      key,
      means,
      delta,
      ci95: percentileInterval(means, 0.95),
      p: pairedRandomizationTest(diffs, permutations, seed),
      ...winsTiesLosses(diffs),
      ciBonferroni: percentileInterval(means, bonferroniLevel),
    };
  });
  const pValues = rows.map((r) => r.p);
  const adjusted = holmAdjust(pValues);
  const holmLevels = holmIntervalLevels(pValues);
  return Object.fromEntries(
    rows.map(({ key, means, ...row }, i) => [key, { ...row, pHolm: adjusted[i], ciHolm: percentileInterval(means, holmLevels[i]), ciHolmLevel: holmLevels[i] }]),
  );
}
