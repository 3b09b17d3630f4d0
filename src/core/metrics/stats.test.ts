import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.ts';
import { bootstrapMeanCI, compareModels, holmAdjust, holmIntervalLevels, pairedRandomizationTest, resolveStats, winsTiesLosses } from './stats.ts';

describe('paired randomization test', () => {
  it('is exact for small n: d = [1, 2, 3] has 2 of 8 sign patterns with |sum| ≥ 6', () => {
    expect(pairedRandomizationTest(Float64Array.of(1, 2, 3))).toBe(0.25);
  });
  it('counts ties with the observed sum: d = [1, 1] gives p = 2/4', () => {
    expect(pairedRandomizationTest(Float64Array.of(1, 1))).toBe(0.5);
  });
  it('gives p = 1 when nothing changed', () => {
    expect(pairedRandomizationTest(new Float64Array(300))).toBe(1);
  });
  it('approximates the exact p by Monte Carlo for large n, reproducibly from the seed', () => {
    // 20 differences of +1 and one of −1: exact p = P(|Σ ±1 over 21| ≥ 19) = 2·(1 + 21)/2²¹.
    const diffs = Float64Array.from({ length: 21 }, (_, i) => (i === 0 ? -1 : 1));
    const exact = pairedRandomizationTest(diffs, 2 ** 21);
    expect(exact).toBeCloseTo((2 * 22) / 2 ** 21, 12);
    const sampled = pairedRandomizationTest(Float64Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? -0.2 : 0.1)), 10_000, 7);
    expect(sampled).toBe(pairedRandomizationTest(Float64Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? -0.2 : 0.1)), 10_000, 7));
    // Σd = 134·(−0.2) + 266·0.1 = −0.2; sd of Σ±d ≈ √(134·0.04 + 266·0.01) ≈ 2.83: p ≈ 0.94.
    expect(sampled).toBeGreaterThan(0.9);
  });
  it('finds a consistent improvement significant', () => {
    const diffs = Float64Array.from({ length: 300 }, (_, i) => (i % 10 === 0 ? -0.05 : 0.1));
    expect(pairedRandomizationTest(diffs)).toBeLessThan(0.001);
  });
});

describe('bootstrap CI of the mean difference', () => {
  it('collapses to the value when every difference is equal', () => {
    expect(bootstrapMeanCI(Float64Array.of(0.2, 0.2, 0.2, 0.2))).toEqual([0.2, 0.2]);
  });
  it('spans the whole range for d = [0, 1] (means 0, ½, 1 with probabilities ¼, ½, ¼)', () => {
    expect(bootstrapMeanCI(Float64Array.of(0, 1))).toEqual([0, 1]);
  });
  it('covers the true mean of a large sample and narrows with n', () => {
    const random = (i: number) => Math.sin(i * 12.9898) * 0.5;
    const small = bootstrapMeanCI(Float64Array.from({ length: 50 }, (_, i) => 0.1 + random(i)));
    const large = bootstrapMeanCI(Float64Array.from({ length: 2000 }, (_, i) => 0.1 + random(i)));
    expect(large[0]).toBeLessThan(0.1 + 0.02);
    expect(large[1]).toBeGreaterThan(0.1 - 0.02);
    expect(large[1] - large[0]).toBeLessThan(small[1] - small[0]);
  });
});

describe('Holm correction', () => {
  it('adjusts step-down and keeps monotonicity', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03]);
    expect(adjusted[0]).toBeCloseTo(0.03, 15);
    expect(adjusted[1]).toBeCloseTo(0.06, 15);
    expect(adjusted[2]).toBeCloseTo(0.06, 15);
  });
  it('caps at 1', () => {
    expect(holmAdjust([0.5, 0.9])).toEqual([1, 1]);
  });
});

describe('compareModels', () => {
  it('reports delta, CI, p, Holm p and wins/ties/losses per metric', () => {
    const a = { 'ndcg@10': [0.5, 0.2, 0.1, 0.9], 'mrr@10': [1, 0.5, 0, 1] };
    const b = { 'ndcg@10': [0.6, 0.2, 0.3, 0.8], 'mrr@10': [1, 1, 0.5, 1] };
    const result = compareModels(a, b, ['ndcg@10', 'mrr@10']);
    expect(result['ndcg@10'].delta).toBeCloseTo((0.1 + 0 + 0.2 - 0.1) / 4, 12);
    expect(result['ndcg@10']).toMatchObject({ wins: 2, ties: 1, losses: 1 });
    expect(result['mrr@10']).toMatchObject({ delta: 0.25, wins: 2, ties: 2, losses: 0 });
    // mrr: d = [0, .5, .5, 0]; sign patterns of the two non-zero entries: |sum| ≥ 1 in 2 of 4 → but the zeros
    // double every pattern, so p = 8/16.
    expect(result['mrr@10'].p).toBe(0.5);
    expect(result['mrr@10'].pHolm).toBeGreaterThanOrEqual(result['mrr@10'].p);
    expect(result['ndcg@10'].ci95[0]).toBeLessThanOrEqual(result['ndcg@10'].delta);
    expect(result['ndcg@10'].ci95[1]).toBeGreaterThanOrEqual(result['ndcg@10'].delta);
  });
  it('keeps the default seed when the option is given as undefined', () => {
    expect(resolveStats({ seed: undefined, permutations: 20_000 })).toEqual({ permutations: 20_000, resamples: 10_000, seed: 20260101 });
  });
  it('refuses fewer than 10 000 permutations', () => {
    expect(() => compareModels({ m: [1] }, { m: [2] }, ['m'], { permutations: 100 })).toThrow(/10 000/);
  });
  it('counts wins, ties and losses', () => {
    expect(winsTiesLosses(Float64Array.of(0.1, 0, -0.2, 0.3))).toEqual({ wins: 2, ties: 1, losses: 1 });
  });
});

describe('intervals adjusted as the p-values are', () => {
  it('takes a rejected hypothesis at its Holm step and every other at the step where Holm stopped', () => {
    // α = 0.05, m = 4: steps reject below 0.0125, 0.0167, 0.025, 0.05. p sorted: .001 ✓, .01 ✓, .03 ✗ (stop).
    const levels = holmIntervalLevels([0.03, 0.001, 0.5, 0.01]);
    expect(levels[1]).toBeCloseTo(1 - 0.05 / 4, 15);
    expect(levels[3]).toBeCloseTo(1 - 0.05 / 3, 15);
    // Not rejected: both at step 3's level, though step 4 alone would have taken 0.5 at 1 − 0.05.
    expect(levels[0]).toBeCloseTo(1 - 0.05 / 2, 15);
    expect(levels[2]).toBeCloseTo(1 - 0.05 / 2, 15);
  });
  it('does not let a later step narrow an interval once Holm stopped (p = .03, .04 of two: neither rejected)', () => {
    // Step-by-step levels would give the second 95 % and an interval that may exclude 0 beside "not significant".
    expect(holmIntervalLevels([0.03, 0.04])).toEqual([1 - 0.05 / 2, 1 - 0.05 / 2]);
  });
  it('gives tied p-values the first step of their group, whichever order they come in', () => {
    const levels = holmIntervalLevels([0.001, 0.001, 0.2]);
    expect(levels[0]).toBe(levels[1]);
    expect(levels[0]).toBeCloseTo(1 - 0.05 / 3, 15);
  });
  it('is the unadjusted level for one metric', () => {
    expect(holmIntervalLevels([0.2])).toEqual([0.95]);
  });
  it('reads every interval from one bootstrap draw: ci95 as before, Bonferroni and Holm wider and nested', () => {
    const random = mulberry32(3);
    const metrics = ['m1', 'm2', 'm3', 'm4'];
    const a = Object.fromEntries(metrics.map((k) => [k, Array.from({ length: 120 }, () => random())]));
    // m1 clearly up, m2 slightly up, m3, m4 unchanged on average.
    const shift = { m1: 0.15, m2: 0.04, m3: 0, m4: 0 } as Record<string, number>;
    const b = Object.fromEntries(metrics.map((k) => [k, a[k].map((v) => v + shift[k] + 0.2 * (random() - 0.5))]));
    const result = compareModels(a, b, metrics);
    for (const key of metrics) {
      const s = result[key];
      const diffs = Float64Array.from(a[key], (v, i) => b[key][i] - v);
      expect(s.ci95).toEqual(bootstrapMeanCI(diffs));
      expect(s.ciBonferroni).toEqual(bootstrapMeanCI(diffs, undefined, undefined, 1 - 0.05 / 4));
      expect(s.ciHolm).toEqual(bootstrapMeanCI(diffs, undefined, undefined, s.ciHolmLevel));
      expect(s.ciBonferroni[0]).toBeLessThanOrEqual(s.ciHolm[0]);
      expect(s.ciHolm[0]).toBeLessThanOrEqual(s.ci95[0]);
      expect(s.ci95[1]).toBeLessThanOrEqual(s.ciHolm[1]);
      expect(s.ciHolm[1]).toBeLessThanOrEqual(s.ciBonferroni[1]);
      // Significant after Holm ⟺ the Holm interval excludes 0, on data where both methods are clear.
      const excludesZero = s.ciHolm[0] > 0 || s.ciHolm[1] < 0;
      expect(excludesZero).toBe(s.pHolm < 0.05);
    }
    expect(result.m1.pHolm).toBeLessThan(0.05);
    expect(result.m1.ciHolmLevel).toBeCloseTo(1 - 0.05 / 4, 15);
  });
});
