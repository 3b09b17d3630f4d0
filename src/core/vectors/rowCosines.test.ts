import { describe, expect, it } from 'vitest';
import { cosineSummary, rowCosines } from './rowCosines.ts';

describe('row cosines', () => {
  it('takes each pair of rows by its norms, and summarises many rows without spreading them', () => {
    const cosines = rowCosines(Float32Array.of(3, 4, 1, 0), Float32Array.of(6, 8, 0, 2), 2);
    expect(Array.from(cosines)).toEqual([1, 0]);
    expect(cosineSummary(cosines, Float64Array.of(0.5))).toEqual({ min: 0, mean: 0.5 });
    expect(cosineSummary(new Float64Array(1_000_000).fill(0.25))).toEqual({ min: 0.25, mean: 0.25 });
  });
});
