import { describe, expect, it } from 'vitest';
import { mulberry32, randomUnitRows } from '../../../../tests/fixtures/random.ts';
import { bitOf, packSignBits } from '../../vectors/binaryQuantization.ts';
import { calibrateInt8, quantizeInt8 } from '../../vectors/int8Quantization.ts';
import { hammingTopK, popcount32 } from './hammingTopK.ts';
import { int8TopK } from './int8TopK.ts';
import { bitRescorer, int8Rescorer, rescoreTopK } from './rescore.ts';

/** Reference ranking: every score computed in float64, sorted best first, ties by lower index. */
function reference(queryCount: number, docCount: number, k: number, score: (q: number, d: number) => number) {
  return Array.from({ length: queryCount }, (_, q) =>
    Array.from({ length: docCount }, (_, d) => ({ d, s: score(q, d) }))
      .sort((a, b) => b.s - a.s || a.d - b.d)
      .slice(0, k),
  );
}

describe('quantized CPU scorers against a float64 reference', () => {
  it('popcount counts set bits', () => {
    expect([0, 1, 0xffffffff, 0x80000001, 0x0f0f0f0f].map(popcount32)).toEqual([0, 1, 32, 2, 16]);
  });

  it('int8 inner product top-k, on fresh random data of awkward sizes', () => {
    const random = mulberry32(Date.now() >>> 0);
    const [queryCount, docCount, dim, k] = [37, 101, 13, 7];
    const docs = randomUnitRows(docCount, dim, random);
    const ranges = calibrateInt8(docs, dim);
    const d8 = quantizeInt8(docs, dim, ranges);
    const q8 = quantizeInt8(randomUnitRows(queryCount, dim, random), dim, ranges);
    const result = int8TopK(q8, d8, dim, k);
    const expected = reference(queryCount, docCount, k, (q, d) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s += q8[q * dim + j] * d8[d * dim + j];
      return s;
    });
    expected.forEach((list, q) => {
      expect(Array.from(result.indices.subarray(q * k, (q + 1) * k))).toEqual(list.map((e) => e.d));
      expect(Array.from(result.scores.subarray(q * k, (q + 1) * k))).toEqual(list.map((e) => e.s));
    });
  });

  it('Hamming top-k over packed bits, padding included, on fresh random data', () => {
    const random = mulberry32((Date.now() >>> 0) ^ 0x5bd1e995);
    const [queryCount, docCount, dim, k] = [23, 67, 45, 9];
    const queries = randomUnitRows(queryCount, dim, random);
    const docs = randomUnitRows(docCount, dim, random);
    const result = hammingTopK(packSignBits(queries, dim), packSignBits(docs, dim), k);
    const expected = reference(queryCount, docCount, k, (q, d) => {
      let distance = 0;
      for (let j = 0; j < dim; j++) distance += Number(queries[q * dim + j] > 0 !== docs[d * dim + j] > 0);
      return -distance;
    });
    expected.forEach((list, q) => expect(Array.from(result.indices.subarray(q * k, (q + 1) * k))).toEqual(list.map((e) => e.d)));
  });

  it('rescoring re-ranks the candidates by the float query against the quantized documents', () => {
    // Two documents, one query: the quantized ranking has d0 first, the float query prefers d1.
    const candidates = { queryCount: 1, k: 2, indices: Int32Array.of(0, 1), scores: Float32Array.of(5, 4) };
    const query = Float32Array.of(0.1, 0.9);
    const docs8 = Int8Array.of(10, 1, 1, 10);
    const rescored = rescoreTopK(candidates, 1, int8Rescorer(query, docs8, 2));
    expect(Array.from(rescored.indices)).toEqual([1]);
    expect(rescored.scores[0]).toBeCloseTo(0.1 * 1 + 0.9 * 10, 5);
    // Binary: float query · 0/1 bits.
    const bits = packSignBits(Float32Array.of(1, -1, -1, 1), 2);
    expect(bitOf(bits, 1, 1)).toBe(1);
    const binary = rescoreTopK(candidates, 2, bitRescorer(query, bits, 2));
    expect(Array.from(binary.indices)).toEqual([1, 0]);
    expect(Array.from(binary.scores)).toEqual([Math.fround(0.9), Math.fround(0.1)]);
  });
});
