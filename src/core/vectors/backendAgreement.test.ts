import { describe, expect, it } from 'vitest';
import { backendAgreement } from './backendAgreement.ts';

/** Float64 reference: the definitions written out, row by row. */
function reference(a: Float32Array, b: Float32Array, dim: number) {
  const cosines: number[] = [];
  let maxAbsDelta = 0;
  for (let r = 0; r < a.length / dim; r++) {
    const x = Array.from(a.subarray(r * dim, (r + 1) * dim));
    const y = Array.from(b.subarray(r * dim, (r + 1) * dim));
    const dot = x.reduce((s, v, j) => s + v * y[j], 0);
    cosines.push(dot / (Math.hypot(...x) * Math.hypot(...y)));
    x.forEach((v, j) => (maxAbsDelta = Math.max(maxAbsDelta, Math.abs(v - y[j]))));
  }
  return { cosines, maxAbsDelta };
}

describe('backend agreement', () => {
  it('gives each text the cosine of its two embeddings and the largest component difference', () => {
    const agreement = backendAgreement(Float32Array.of(3, 4, 1, 0), Float32Array.of(6, 8, 0, 1), 2);
    expect(agreement.cosines).toEqual([1, 0]);
    expect(agreement.maxAbsDelta).toBe(4);
  });

  it('matches the float64 definitions on random embeddings of awkward sizes', () => {
    let seed = 20250525;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    for (const [texts, dim] of [[1, 1], [3, 7], [5, 384]]) {
      const a = Float32Array.from({ length: texts * dim }, random);
      const b = a.map((v) => v + random() * 1e-3);
      const got = backendAgreement(a, b, dim);
      const want = reference(a, b, dim);
      got.cosines.forEach((c, i) => expect(c, `seed 20250525, ${texts}×${dim}, text ${i}`).toBeCloseTo(want.cosines[i], 12));
      expect(got.maxAbsDelta).toBe(want.maxAbsDelta);
    }
  });

  it('refuses embeddings of different text counts', () => {
    expect(() => backendAgreement(new Float32Array(4), new Float32Array(6), 2)).toThrow(/2 rows against 3/);
  });
});
