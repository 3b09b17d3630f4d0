import { describe, expect, it } from 'vitest';
import { normalizeRows, poolBatch, type PoolingMode } from './pooling.ts';

// Two rows, three positions, hidden 2. Row 0 has tokens at 0 and 1; row 1 only at 0 (padding after).
const tokens = {
  data: Float32Array.from([
    1, 2, /**/ 3, -4, /**/ 100, 100, // row 0: the third position is padding
    -1, 5, /**/ 7, 7, /**/ 9, 9, // row 1: two padding positions
  ]),
  mask: Uint8Array.from([1, 1, 0, 1, 0, 0]),
  batch: 2,
  seqLen: 3,
  hidden: 2,
};

function pool(modes: PoolingMode[]): number[] {
  const out = new Float32Array(2 * 2 * modes.length);
  poolBatch(tokens, modes, out);
  return Array.from(out);
}

describe('poolBatch', () => {
  it('mean ignores padding', () => {
    expect(pool(['mean'])).toEqual([2, -1, -1, 5]);
  });
  it('cls takes the first token', () => {
    expect(pool(['cls'])).toEqual([1, 2, -1, 5]);
  });
  it('max ignores padding', () => {
    expect(pool(['max'])).toEqual([3, 2, -1, 5]);
  });
  it('mean_sqrt_len_tokens divides the sum by √count', () => {
    const out = pool(['mean_sqrt_len_tokens']);
    expect(out[0]).toBeCloseTo(4 / Math.SQRT2, 6);
    expect(out[1]).toBeCloseTo(-2 / Math.SQRT2, 6);
    expect(out.slice(2)).toEqual([-1, 5]);
  });
  it('weightedmean weights position t by t + 1', () => {
    // row 0: (1·[1,2] + 2·[3,−4]) / 3
    const out = pool(['weightedmean']);
    expect(out[0]).toBeCloseTo(7 / 3, 6);
    expect(out[1]).toBeCloseTo(-2, 6);
  });
  it('lasttoken takes the last unmasked token', () => {
    expect(pool(['lasttoken'])).toEqual([3, -4, -1, 5]);
  });
  it('concatenates several modes in sentence-transformers order', () => {
    expect(pool(['cls', 'mean'])).toEqual([1, 2, 2, -1, -1, 5, -1, 5]);
  });
  it('keeps an all-padding row finite', () => {
    const empty = { ...tokens, mask: new Uint8Array(6) };
    const out = new Float32Array(4);
    poolBatch(empty, ['mean'], out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });
  it('rejects an output buffer that is too small', () => {
    expect(() => poolBatch(tokens, ['mean'], new Float32Array(3))).toThrow(/needs 4/);
  });
});

describe('normalizeRows', () => {
  it('scales each row to unit length', () => {
    const v = Float32Array.from([3, 4, 0, -2]);
    normalizeRows(v, 2);
    expect(Array.from(v)).toEqual([0.6000000238418579, 0.800000011920929, 0, -1]);
  });
  it('leaves a zero row at zero instead of NaN', () => {
    const v = new Float32Array(3);
    normalizeRows(v, 3);
    expect(Array.from(v)).toEqual([0, 0, 0]);
  });
});
