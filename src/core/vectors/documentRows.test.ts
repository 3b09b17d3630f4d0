import { describe, expect, it } from 'vitest';
import { embeddingHealth } from '../diagnostics/health.ts';
import { mulberry32 } from '../metrics/random.ts';
import { float32Rows, forEachBlock, gatherRows, halfRows, normalizeDocumentRows, rowsBlock } from './documentRows.ts';
import { fromFloat16Array, toFloat16Bits } from './float16.ts';
import { fullRanks, rowDot } from './fullRank.ts';
import { normalizeRows } from './normalize.ts';

/** Random float16 rows with what breaks naive code: a zero row, NaN, ±Inf, subnormals, a duplicate row. */
function awkwardHalves(count: number, dim: number, seed: number): Uint16Array {
  const random = mulberry32(seed);
  const half = Uint16Array.from({ length: count * dim }, () => toFloat16Bits((random() - 0.5) * 4));
  half.fill(0, 2 * dim, 3 * dim);
  half[5 * dim + 1] = 0x7e00; // NaN
  half[6 * dim] = 0x7c00; // +Inf
  half[7 * dim + 2] = 0xfc00; // −Inf
  for (let j = 0; j < dim; j++) half[8 * dim + j] = j % 3; // subnormals
  half.copyWithin(9 * dim, 4 * dim, 5 * dim);
  return half;
}

const bitsOf = (values: Float32Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));

describe('float16 document rows', () => {
  const count = 37;
  const dim = 13;

  it('decode to the unit rows that widening and normalising in place would store, bit for bit', () => {
    const half = awkwardHalves(count, dim, 5);
    const widened = fromFloat16Array(half);
    const rows = halfRows(half);
    // Before normalising: the values as stored, and the same health.
    expect(bitsOf(float32Rows(rows, dim))).toEqual(bitsOf(widened));
    expect(embeddingHealth(rows, dim)).toEqual(embeddingHealth(widened, dim));
    expect(embeddingHealth(rows, dim).duplicateVectors).toBe(1);

    normalizeRows(widened, dim);
    normalizeDocumentRows(rows, dim);
    expect(bitsOf(float32Rows(rows, dim))).toEqual(bitsOf(widened));
    for (const size of [1, 4, 36, 37, 100]) {
      const seen: number[] = [];
      forEachBlock(rows, dim, (block, first) => {
        expect(bitsOf(block)).toEqual(bitsOf(widened.subarray(first * dim, first * dim + block.length)));
        seen.push(first);
      }, size);
      expect(seen).toEqual(Array.from({ length: Math.ceil(count / size) }, (_, b) => b * size));
    }
    const picked = Int32Array.from([9, 0, 36, 4, 4]);
    expect(bitsOf(float32Rows(gatherRows(rows, dim, picked), dim))).toEqual(bitsOf(gatherRows(widened, dim, picked)));
    expect(bitsOf(rowsBlock(rows, dim, 3, 11))).toEqual(bitsOf(widened.subarray(3 * dim, 11 * dim)));
  });

  it('score and rank a query exactly as the float32 rows do', () => {
    const half = awkwardHalves(count, dim, 8);
    const widened = fromFloat16Array(half);
    const rows = halfRows(half);
    normalizeRows(widened, dim);
    normalizeDocumentRows(rows, dim);
    const queries = Float32Array.from({ length: 3 * dim }, (_, i) => Math.sin(i));
    normalizeRows(queries, dim);
    for (let q = 0; q < 3; q++) {
      for (let d = 0; d < count; d++) expect(rowDot(queries, q, rows, d, dim)).toBe(rowDot(queries, q, widened, d, dim));
      const targets = [0, 4, 9, 36, 5];
      expect(Array.from(fullRanks(queries, q, rows, dim, targets))).toEqual(Array.from(fullRanks(queries, q, widened, dim, targets)));
    }
  });
});
