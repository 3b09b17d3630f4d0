import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../metrics/random.ts';
import { DOCUMENT_TILE, halfRows, normalizeDocumentRows } from '../../vectors/documentRows.ts';
import { fromFloat16Array, toFloat16Bits } from '../../vectors/float16.ts';
import { normalizeRows } from '../../vectors/normalize.ts';
import { topKCpu } from './topk.cpu.ts';
import { OrtTopK } from './topk.ort.ts';
import { topKOverRows } from './topKOverRows.ts';
import type { TopKKernel } from './topk.types.ts';

/** The CPU twin as a float32-only kernel would answer (no float64 scores): merging must then use float32. */
const float32Kernel: TopKKernel = async (input) => {
  const { exactScores: _, ...result } = await topKCpu(input);
  return result;
};

describe('top-k over float16 rows, a block at a time', () => {
  it('gives the kernel’s answer over the decoded rows at once, ties and NaN rows included, whatever the blocks', async () => {
    const dim = 7;
    const random = mulberry32(11);
    // Few distinct values: many exact ties, some across block boundaries; duplicates of row 3 far apart.
    const half = Uint16Array.from({ length: 61 * dim }, () => toFloat16Bits(Math.round((random() - 0.5) * 4) / 2));
    for (const row of [17, 40, 60]) half.copyWithin(row * dim, 3 * dim, 4 * dim);
    half[22 * dim] = 0x7e00;
    const docs = halfRows(half);
    normalizeDocumentRows(docs, dim);
    const widened = fromFloat16Array(half);
    normalizeRows(widened, dim);
    const queries = Float32Array.from({ length: 9 * dim }, () => Math.round((random() - 0.5) * 4) / 2);
    normalizeRows(queries, dim);
    for (const kernel of [topKCpu, float32Kernel]) {
      for (const k of [1, 5, 61, 80]) {
        const whole = await kernel({ queries, docs: widened, dim, k });
        for (const size of [1, 3, 8, 60, 61]) {
          const blocked = await topKOverRows(kernel, queries, docs, dim, k, size);
          expect(blocked.k, `k ${k}, blocks of ${size}`).toBe(whole.k);
          expect(Array.from(blocked.indices), `k ${k}, blocks of ${size}`).toEqual(Array.from(whole.indices));
          expect(Array.from(blocked.scores), `k ${k}, blocks of ${size}`).toEqual(Array.from(whole.scores));
        }
      }
    }
  });

  it('ranks float16 rows as queries too (k-means assigns every document to a centroid this way)', async () => {
    const dim = 5;
    const random = mulberry32(3);
    const half = Uint16Array.from({ length: 29 * dim }, () => toFloat16Bits(random() - 0.5));
    const rows = halfRows(half);
    normalizeDocumentRows(rows, dim);
    const widened = fromFloat16Array(half);
    normalizeRows(widened, dim);
    const centroids = Float32Array.from({ length: 4 * dim }, () => random() - 0.5);
    const whole = await topKCpu({ queries: widened, docs: centroids, dim, k: 1 });
    const blocked = await topKOverRows(topKCpu, rows, centroids, dim, 1, 6);
    expect(Array.from(blocked.indices)).toEqual(Array.from(whole.indices));
    expect(blocked.queryCount).toBe(29);
  });

  it('gives onnxruntime’s answer too, when blocks of whole tiles hold a NaN row (that tile goes to the twin)', async () => {
    const dim = 4;
    const count = 2 * DOCUMENT_TILE + 1234;
    const random = mulberry32(5);
    const half = Uint16Array.from({ length: count * dim }, () => toFloat16Bits(random() - 0.5));
    half[(DOCUMENT_TILE + 17) * dim + 1] = 0x7e00;
    const docs = halfRows(half);
    normalizeDocumentRows(docs, dim);
    const widened = fromFloat16Array(half);
    normalizeRows(widened, dim);
    const queries = Float32Array.from({ length: 6 * dim }, () => random() - 0.5);
    normalizeRows(queries, dim);
    const ort = await OrtTopK.create(ortNode, { intraOpNumThreads: 2 });
    try {
      const whole = await ort.run({ queries, docs: widened, dim, k: 20 });
      const blocked = await topKOverRows(ort.run, queries, docs, dim, 20, DOCUMENT_TILE);
      expect(Array.from(blocked.indices)).toEqual(Array.from(whole.indices));
      expect(Array.from(blocked.scores)).toEqual(Array.from(whole.scores));
    } finally {
      await ort.release();
    }
  });
});
