import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/dataset.ts';
import { TextCollection } from '../data/textCollection.ts';
import { mulberry32 } from '../metrics/random.ts';
import { halfRows, type DocumentRows } from '../vectors/documentRows.ts';
import { fromFloat16Array, toFloat16Bits } from '../vectors/float16.ts';
import type { VectorCheckpoint } from './checkpoint.ts';
import { compareCheckpoints, type ComparisonOptions } from './compare.ts';
import { queryDetail } from '../view/queryDetail.ts';
import { judgmentsOf } from '../../../tests/fixtures/judgments.ts';

const DIM = 12;
const DOCS = 157;
const QUERIES = 23;

/** A random retrieval problem: clustered documents (some labelled), queries near a few of them, judged. */
function randomDataset(labelled: boolean): Dataset {
  const random = mulberry32(4);
  const documents = TextCollection.fromRecords(
    Array.from({ length: DOCS }, (_, d) => ({ id: `d${d}`, text: `document ${d}`, ...(labelled && d % 7 !== 0 ? { label: `topic ${d % 4}` } : {}) })),
  );
  const queries = TextCollection.fromRecords(Array.from({ length: QUERIES }, (_, q) => ({ id: `q${q}`, text: `query ${q}` })));
  // A Map per query: a document drawn twice is judged once, with the later grade.
  const judged = Array.from({ length: QUERIES }, (_, q) => [`q${q}`, new Map(Array.from({ length: 1 + (q % 3) }, () => [`d${Math.floor(random() * DOCS)}`, 1 + Math.floor(random() * 2)]))] as const);
  return { name: 'random', format: 'three tables', queries, documents, judgments: judgmentsOf(queries, documents, judged), warnings: [] };
}

/** Documents as float16 (with a duplicate row and a zero row), queries float32: the model's and the file's. */
function vectorsOf(seed: number) {
  const random = mulberry32(seed);
  const centres = Array.from({ length: 4 }, () => Array.from({ length: DIM }, () => random() - 0.5));
  const half = Uint16Array.from({ length: DOCS * DIM }, (_, i) => toFloat16Bits(centres[Math.floor(i / DIM) % 4][i % DIM] + (random() - 0.5) * 0.6));
  half.copyWithin(40 * DIM, 3 * DIM, 4 * DIM);
  half.fill(0, 90 * DIM, 91 * DIM);
  const queries = Float32Array.from({ length: QUERIES * DIM }, () => random() - 0.5);
  return { half, queries };
}

function checkpoint(name: string, documents: () => DocumentRows, queries: Float32Array, imported: boolean): VectorCheckpoint {
  return {
    kind: 'vectors',
    name,
    source: name,
    imported,
    async vectors() {
      return { documents: documents(), queries: queries.slice(), dim: DIM, backend: 'given', fingerprint: 'same', notes: [], encoded: 0, cached: 0, seconds: 0 };
    },
  };
}

describe('float16 documents kept as float16', () => {
  for (const labelled of [false, true]) {
    it(`give the comparison the same report as the same rows widened to float32 (${labelled ? 'label column' : 'k-means clusters'})`, async () => {
      const dataset = randomDataset(labelled);
      const file = vectorsOf(9);
      const model = vectorsOf(10);
      const options: ComparisonOptions = { metricKeys: ['ndcg@10', 'mrr@10', 'recall@5', 'map@100'], mode: 'sentence-transformers', keepVectors: true, diagnostics: { fitPoints: 60 } };
      // A model encoded here (float32) beside the file's vectors: the parity check reads both.
      const modelCheckpoint = checkpoint('model', () => fromFloat16Array(model.half), model.queries, false);
      const kept = await compareCheckpoints(dataset, [modelCheckpoint, checkpoint('file', () => halfRows(file.half.slice()), file.queries, true)], options);
      const widened = await compareCheckpoints(dataset, [modelCheckpoint, checkpoint('file', () => fromFloat16Array(file.half), file.queries, true)], options);
      expect(kept.checkpoints[1].vectors!.documents).not.toBeInstanceOf(Float32Array);
      expect(kept.report.models[1].diagnostics).not.toBeNull();
      expect(kept.report.parity).toHaveLength(1);
      expect(kept.report).toEqual(widened.report);
      for (const [a, b] of kept.checkpoints.map((c, i) => [c, widened.checkpoints[i]] as const)) {
        expect(a.rankings).toEqual(b.rankings);
        expect(a.diagnostics).toEqual(b.diagnostics);
      }
      for (const queryId of ['q0', 'q7', 'q22']) expect(queryDetail(kept, queryId, 10, 1)).toEqual(queryDetail(widened, queryId, 10, 1));
    });
  }
});
