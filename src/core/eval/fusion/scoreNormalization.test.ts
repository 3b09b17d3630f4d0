import { describe, expect, it } from 'vitest';
import { normalizationName, normalizeList, normalizeScores } from './scoreNormalization.ts';

// Worked by hand from ranx's definitions (ranx/normalization/*.py) on the list 3, 2, 0 (best first).
const LIST = [3, 2, 0];

describe("ranx's score normalisations", () => {
  it('min-max: (s − min) / (max − min)', () => {
    expect(Array.from(normalizeScores('min-max', LIST))).toEqual([1, 2 / 3, 0]);
  });

  it('max: s / max', () => {
    expect(Array.from(normalizeScores('max', LIST))).toEqual([1, 2 / 3, 0]);
    expect(Array.from(normalizeScores('max', [4, 2]))).toEqual([1, 0.5]);
  });

  it('sum: (s − min) / (Σs − n·min)', () => {
    expect(Array.from(normalizeScores('sum', LIST))).toEqual([3 / 5, 2 / 5, 0]);
    // 4, 2: min 2, Σ 6 − 2·2 = 2.
    expect(Array.from(normalizeScores('sum', [4, 2]))).toEqual([1, 0]);
  });

  it('zmuv: (s − mean) / population standard deviation', () => {
    const std = Math.sqrt(((4 / 3) ** 2 + (1 / 3) ** 2 + (5 / 3) ** 2) / 3);
    const z = normalizeScores('zmuv', LIST);
    [4 / 3 / std, 1 / 3 / std, -5 / 3 / std].forEach((v, i) => expect(z[i]).toBeCloseTo(v, 14));
    expect(Array.from(normalizeScores('zmuv', [4, 2]))).toEqual([1, -1]);
  });

  it('rank: 1 − i/n by position, whatever the scores', () => {
    expect(Array.from(normalizeScores('rank', LIST))).toEqual([1 - 0 / 3, 1 - 1 / 3, 1 - 2 / 3]);
    expect(Array.from(normalizeScores('rank', [0.1, 0.1]))).toEqual([1, 0.5]);
  });

  it('none: the scores as given', () => {
    expect(Array.from(normalizeScores('none', [0.5, -2]))).toEqual([0.5, -2]);
  });

  it("floors every denominator at 1e-9 as ranx does: equal scores become 0, a list ≤ 0 is divided by 1e-9 under max", () => {
    expect(Array.from(normalizeScores('min-max', [2, 2]))).toEqual([0, 0]);
    expect(Array.from(normalizeScores('sum', [2, 2]))).toEqual([0, 0]);
    expect(Array.from(normalizeScores('zmuv', [2, 2]))).toEqual([0, 0]);
    expect(Array.from(normalizeScores('min-max', [5]))).toEqual([0]);
    // ranx's _max_norm: denominator = max(max_score, 1e-9).
    expect(Array.from(normalizeScores('max', [-1, -2]))).toEqual([-1 / 1e-9, -2 / 1e-9]);
    expect(Array.from(normalizeScores('min-max', []))).toEqual([]);
  });

  it('normalises one slice of a longer array in place of the output, leaving the rest', () => {
    const out = new Float64Array(5).fill(7);
    normalizeList('min-max', [9, 3, 2, 0, 9], 1, 4, out);
    expect(Array.from(out)).toEqual([7, 1, 2 / 3, 0, 7]);
  });

  it("knows ranx's names and spellings", () => {
    expect(normalizationName('min_max')).toBe('min-max');
    expect(normalizationName('zmuv')).toBe('zmuv');
    expect(normalizationName('borda')).toBeNull();
  });
});
