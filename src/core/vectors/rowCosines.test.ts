import { describe, expect, it } from 'vitest';
import { cosineSummary, maxAbsDifference, rowCosines } from './rowCosines.ts';

describe('row cosines', () => {
  it('takes each pair of rows by its norms, and summarises many rows without spreading them', () => {
    const cosines = rowCosines(Float32Array.of(3, 4, 1, 0), Float32Array.of(6, 8, 0, 2), 2);
    expect(Array.from(cosines)).toEqual([1, 0]);
    expect(cosineSummary(cosines, Float64Array.of(0.5))).toEqual({ min: 0, mean: 0.5 });
    expect(cosineSummary(new Float64Array(1_000_000).fill(0.25))).toEqual({ min: 0.25, mean: 0.25 });
  });

  it('takes unit rows by their dot product alone, where a zero row scores 0 instead of having no cosine', () => {
    const s = Math.SQRT1_2;
    const a = Float32Array.of(1, 0, s, s, 0, 0);
    const b = Float32Array.of(0, 1, s, s, 1, 0);
    expect(Array.from(rowCosines(a, b, 2, { unitRows: true }))).toEqual([0, Math.fround(s) * Math.fround(s) * 2, 0]);
    expect(Array.from(rowCosines(a, b, 2))[2]).toBeNaN();
    expect(() => rowCosines(a, b.subarray(2), 2)).toThrow('row cosines: 3 rows against 2');
  });

  it('finds the largest difference of any one component, and says when one is NaN', () => {
    expect(maxAbsDifference(Float32Array.of(1, -2, 0.5), Float32Array.of(1.25, 1, 0.5))).toBe(3);
    expect(maxAbsDifference(Float32Array.of(1, NaN), Float32Array.of(1, 0))).toBeNaN();
    expect(() => maxAbsDifference(Float32Array.of(1), Float32Array.of(1, 2))).toThrow('max |Δ|: 1 values against 2');
  });
});
