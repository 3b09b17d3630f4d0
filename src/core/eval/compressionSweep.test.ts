import { describe, expect, it } from 'vitest';
import { mulberry32, randomUnitRows } from '../../../tests/fixtures/random.ts';
import type { Dataset } from '../data/dataset.ts';
import { TextCollection } from '../data/textCollection.ts';
import type { VectorCheckpoint } from './checkpoint.ts';
import { compareCheckpoints } from './compare.ts';
import { bytesPerVector, parseSweep } from './compressionSweep.ts';
import { judgmentsOf } from '../../../tests/fixtures/judgments.ts';

const [QUERIES, DOCS, DIM] = [40, 300, 32];

/** Random documents; each query is a noisy copy of one document, which is its one relevant document. */
function sweepCase(seed: number): { dataset: Dataset; checkpoint: VectorCheckpoint } {
  const random = mulberry32(seed);
  const documents = randomUnitRows(DOCS, DIM, random);
  const noise = randomUnitRows(QUERIES, DIM, random);
  const queries = new Float32Array(QUERIES * DIM);
  const qrels = new Map<string, Map<string, number>>();
  for (let q = 0; q < QUERIES; q++) {
    const target = (q * 7) % DOCS;
    for (let j = 0; j < DIM; j++) queries[q * DIM + j] = documents[target * DIM + j] + 0.9 * noise[q * DIM + j];
    qrels.set(`q${q + 1}`, new Map([[`d${target + 1}`, 1]]));
  }
  const queryTable = TextCollection.numbered('q', Array.from({ length: QUERIES }, (_, i) => `query ${i}`));
  const documentTable = TextCollection.numbered('d', Array.from({ length: DOCS }, (_, i) => `document ${i}`));
  const dataset: Dataset = {
    name: 'random',
    format: 'test',
    queries: queryTable,
    documents: documentTable,
    judgments: judgmentsOf(queryTable, documentTable, qrels),
    warnings: [],
  };
  const checkpoint: VectorCheckpoint = {
    kind: 'vectors',
    name: 'random-model',
    source: 'memory',
    vectors: async () => ({ documents: documents.slice(), queries: queries.slice(), dim: DIM, backend: 'given', fingerprint: 'given', notes: [], encoded: 0, cached: 0, seconds: 0 }),
  };
  return { dataset, checkpoint };
}

describe('the compression sweep', () => {
  it('has one cell per size and precision, int8 and binary twice (plain and rescored), and the full cell is the plain eval', async () => {
    const { dataset, checkpoint } = sweepCase(5);
    const metricKeys = ['ndcg@10', 'recall@10', 'mrr@10'];
    const { report } = await compareCheckpoints(dataset, [checkpoint], {
      metricKeys,
      mode: 'sentence-transformers',
      diagnostics: false,
      sweep: parseSweep(['dims=32,16,8', 'precision=float32,float16,int8,binary'], 3),
    });
    const sweep = report.sweep!;
    expect(sweep).toHaveLength(3 * 6);
    expect(sweep.map((c) => `${c.dims}/${c.precision}/${c.rescore}`).slice(0, 6)).toEqual(['32/float32/null', '32/float16/null', '32/int8/null', '32/int8/3', '32/binary/null', '32/binary/3']);
    const full = sweep[0];
    expect(full.metrics).toEqual(report.models[0].metrics);
    for (const key of metricKeys) expect(full.comparison[key].delta).toBe(0);
    expect(sweep.map((c) => c.bytesPerVector).slice(0, 6)).toEqual([128, 64, 32, 32, 4, 4]);
    expect(sweep[6].indexBytes).toBe(64 * DOCS);
    for (const cell of sweep) {
      expect(cell.model).toBe('random-model');
      expect(cell.queryMs).toBeGreaterThanOrEqual(0);
      for (const key of metricKeys) expect(cell.comparison[key].pHolm).toBeGreaterThanOrEqual(cell.comparison[key].p);
    }
    // float16 keeps ten bits of mantissa: the ranking barely moves. Binary at 8 dimensions (one byte) loses.
    expect(Math.abs(sweep[1].comparison['ndcg@10'].delta)).toBeLessThan(0.02);
    const binary8 = sweep.find((c) => c.dims === 8 && c.precision === 'binary' && c.rescore === null)!;
    expect(binary8.comparison['ndcg@10'].delta).toBeLessThan(0);
    // Rescoring cannot hurt much and usually helps: the float query re-ranks the candidates.
    const int8 = sweep.find((c) => c.dims === 32 && c.precision === 'int8' && c.rescore === null)!;
    const int8r = sweep.find((c) => c.dims === 32 && c.precision === 'int8' && c.rescore === 3)!;
    expect(int8r.metrics['recall@10']).toBeGreaterThanOrEqual(int8.metrics['recall@10'] - 0.05);
  });

  it('parses its CLI spec and sizes vectors by precision', () => {
    expect(parseSweep(['dims=384,128', 'precision=int8,binary'])).toEqual({ dims: [384, 128], precisions: ['int8', 'binary'], rescore: 4, weights: [] });
    expect(parseSweep(['weights=fp32,quantized'])).toEqual({ dims: [], precisions: ['float32'], rescore: 4, weights: ['quantized'] });
    expect(() => parseSweep(['weights=int4'])).toThrow(/"int4" is not one of fp32, fp16, quantized/);
    expect(() => parseSweep(['dims=0'])).toThrow(/not a positive integer/);
    expect(() => parseSweep(['precision=int4'])).toThrow(/"int4" is not one of float32, float16, int8, binary/);
    expect(() => parseSweep(['size=3'])).toThrow(/--sweep takes dims=/);
    expect([bytesPerVector(384, 'float32'), bytesPerVector(384, 'float16'), bytesPerVector(384, 'int8'), bytesPerVector(384, 'binary'), bytesPerVector(100, 'binary')]).toEqual([1536, 768, 384, 48, 13]);
  });
});
