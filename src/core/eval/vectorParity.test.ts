import { describe, expect, it } from 'vitest';
import { rankingsFromTopK } from '../metrics/rankings.ts';
import { topKCpuSync } from '../kernels/topk/topk.cpu.ts';
import { normalizeRows } from '../vectors/normalize.ts';
import { randomTopKCase } from '../../../tests/fixtures/random.ts';
import { vectorParity } from './vectorParity.ts';

function side(name: string, documents: Float32Array, queries: Float32Array, dim: number) {
  normalizeRows(documents, dim);
  normalizeRows(queries, dim);
  return { name, documents, queries, dim, rankings: rankingsFromTopK(topKCpuSync({ queries, docs: documents, dim, k: 10 })) };
}

describe('vector parity', () => {
  const { queries, docs } = randomTopKCase(41, 6, 40, 8);

  it('finds identical vectors identical', () => {
    const p = vectorParity(side('model', docs.slice(), queries.slice(), 8), side('file', docs.slice(), queries.slice(), 8));
    expect(p).toMatchObject({ a: 'model', b: 'file', rows: 46, maxAbsDelta: 0, top10Overlap: 1, reproduces: true });
    expect(p.cosine.min).toBeCloseTo(1, 6);
  });

  it('measures the drift of perturbed vectors: cosine, max |Δ| against a float64 reference, top-10 overlap', () => {
    const noisy = docs.map((v, i) => v + (i === 17 ? 0.5 : 0));
    const a = side('model', docs.slice(), queries.slice(), 8);
    const b = side('file', noisy, queries.slice(), 8);
    const p = vectorParity(a, b);
    // Only document 2 (components 16…23) moved.
    let dot = 0;
    let delta = 0;
    for (let j = 16; j < 24; j++) {
      dot += a.documents[j] * b.documents[j];
      delta = Math.max(delta, Math.abs(a.documents[j] - b.documents[j]));
    }
    expect(p.cosine.min).toBeCloseTo(dot, 6);
    expect(p.maxAbsDelta).toBeCloseTo(delta, 7);
    expect(p.reproduces).toBe(false);
    expect(p.top10Overlap).toBeGreaterThan(0.8);
  });
});
