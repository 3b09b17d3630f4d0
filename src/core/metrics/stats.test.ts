import { describe, expect, it } from 'vitest';
import { bootstrapMeanCI, compareModels, holmAdjust, pairedRandomizationTest, resolveStats, winsTiesLosses } from './stats.ts';

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
