import type { PackedBits } from '../../vectors/binaryQuantization.ts';
import { TopKSelection } from '../topk/topkSelection.ts';
import type { TopKResult } from '../topk/topk.types.ts';

/** Set bits of a 32-bit word (SWAR popcount: no table, no loop). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Hamming-distance top-k over packed sign bits, as usearch's `hamming` metric on `b1` vectors ranks them:
 * XOR and popcount a word at a time, nearest first, ties by lower index. The score is −distance, so "best
 * first" reads as everywhere else.
 */
export function hammingTopK(queries: PackedBits, docs: PackedBits, k: number): TopKResult {
  const words = queries.wordsPerRow;
  if (docs.wordsPerRow !== words) throw new RangeError(`hamming: queries have ${words} words a row, documents ${docs.wordsPerRow}`);
  const queryCount = queries.words.length / words;
  const docCount = docs.words.length / words;
  const selection = new TopKSelection(queryCount, Math.min(k, docCount));
  const q = queries.words;
  const d = docs.words;
  for (let qi = 0; qi < queryCount; qi++) {
    const qBase = qi * words;
    for (let di = 0; di < docCount; di++) {
      const dBase = di * words;
      let distance = 0;
      for (let w = 0; w < words; w++) distance += popcount32(q[qBase + w] ^ d[dBase + w]);
      selection.offer(qi, di, -distance);
    }
  }
  return selection.result();
}
