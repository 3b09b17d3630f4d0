/**
 * BM25 on SciFact against bm25s itself: the stored reference (`../shared/data/references/bm25s-scifact-test.json`,
 * bm25s 0.3.11, lucene, k1 1.5, b 0.75) through the comparison pipeline, and — when python3 has bm25s and
 * PyStemmer — bm25s's tokens of every text and the other variants with other parameters, computed now.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFolderFiles } from '../../../tests/fixtures/folderFiles.ts';
import { needs, SHARED } from '../../../tests/paths.ts';
import type { Dataset } from '../data/dataset.ts';
import { loadDataset } from '../data/loadDataset.ts';
import { compareCheckpoints } from './compare.ts';
import { bm25Checkpoint, bm25Source } from './bm25Checkpoint.ts';
import { buildBm25Index } from '../lexical/bm25Index.ts';
import { rankBm25 } from '../lexical/bm25Ranking.ts';
import { BM25_METHODS, bm25Weights, type Bm25Parameters } from '../lexical/bm25Scoring.ts';
import { loadBm25Tokenizer } from '../lexical/bm25Tokenizer.ts';

const SCIFACT = path.join(SHARED, 'data', 'scifact');
const REFERENCE = path.join(SHARED, 'data', 'references', 'bm25s-scifact-test.json');
const HAVE_DATA = existsSync(SCIFACT) && existsSync(REFERENCE);


/** Why bm25s cannot run here, or null when it can. */
function bm25sMissing(): string | null {
  const probe = spawnSync('python3', ['-c', 'import bm25s, Stemmer'], { encoding: 'utf8' });
  if (probe.error) return `python3 cannot be run (${probe.error.message})`;
  if (probe.status !== 0) return 'python3 lacks bm25s or PyStemmer (pip install bm25s PyStemmer)';
  return null;
}
const BM25S_MISSING = HAVE_DATA ? bm25sMissing() : null;

type Entry = [doc: string, score: number];

/**
 * Checks `got` against `want` (best first): scores within 1e-5 relative at every position, and the same
 * documents in the same order except within ties (scores equal within 1e-6 relative), where any order
 * goes; a tie cut off by the list's end may hold any documents of that score. Returns whether the order
 * is identical and the largest relative score error.
 */
function compareLists(got: Entry[], want: Entry[], where: string): { identical: boolean; error: number } {
  expect(got.length, where).toBe(want.length);
  let error = 0;
  for (let i = 0; i < want.length; i++) {
    const scale = Math.max(Math.abs(want[i][1]), 1e-30);
    const e = want[i][1] === 0 ? Math.abs(got[i][1]) : Math.abs(got[i][1] - want[i][1]) / scale;
    error = Math.max(error, e);
    expect(e, `${where} rank ${i + 1}: score ${got[i][1]} vs bm25s ${want[i][1]}`).toBeLessThanOrEqual(1e-5);
  }
  const tied = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
  for (let i = 0; i < want.length; ) {
    let j = i + 1;
    while (j < want.length && tied(want[j][1], want[i][1])) j++;
    if (j < want.length || i === 0) {
      const ours = got.slice(i, j).map(([d]) => d).sort();
      const theirs = want.slice(i, j).map(([d]) => d).sort();
      if (j < want.length) expect(ours, `${where} ranks ${i + 1}–${j}`).toEqual(theirs);
    }
    i = j;
  }
  return { identical: got.every(([d], i) => d === want[i][0]), error };
}

describe.skipIf(!HAVE_DATA)(needs(REFERENCE, 'BM25 on SciFact, against bm25s'), () => {
  let dataset: Dataset;
  beforeAll(() => {
    dataset = loadDataset(readFolderFiles(SCIFACT, 'scifact')).dataset!;
  });

  it("gives bm25s's top 100 of all 300 test queries, its scores, and NDCG@10 0.686, through the comparison pipeline", async () => {
    const reference = JSON.parse(readFileSync(REFERENCE, 'utf8')) as { top100: Record<string, Entry[]> };
    const comparison = await compareCheckpoints(dataset, [bm25Checkpoint({ name: 'bm25', source: bm25Source() })], {
      metricKeys: ['ndcg@10', 'recall@100'],
      mode: 'sentence-transformers',
      diagnostics: false,
      stats: { seed: 1 },
    });
    const [result] = comparison.checkpoints;
    const { rankings } = result;
    expect(dataset.queries.length).toBe(300);
    let identical = 0;
    let maxError = 0;
    for (let q = 0; q < dataset.queries.length; q++) {
      const id = dataset.queries.id(q);
      const want = reference.top100[id];
      const got: Entry[] = [];
      for (let i = rankings.offsets[q]; i < rankings.offsets[q + 1]; i++) got.push([dataset.documents.id(rankings.docs[i]), rankings.scores[i]]);
      const { identical: same, error } = compareLists(got, want, `query ${id}`);
      if (same) identical++;
      maxError = Math.max(maxError, error);
    }
    console.info(`bm25 on SciFact: ${identical} of 300 top-100 lists in bm25s's very order (the rest differ within ties); max relative score error ${maxError}; NDCG@10 ${result.evaluation.metrics['ndcg@10']}`);
    expect(result.evaluation.metrics['ndcg@10']).toBeGreaterThan(0.686 - 0.001);
    expect(result.evaluation.metrics['ndcg@10']).toBeLessThan(0.686 + 0.001);
    expect(result.notes[0]).toMatch(/^BM25 as bm25s: lucene, k1 = 1.5, b = 0.75;/);
  });

  it.skipIf(BM25S_MISSING !== null)(
    BM25S_MISSING ? `equals bm25s's tokens and its other variants — skipped: ${BM25S_MISSING}` : "equals bm25s's tokens of every text, and every variant with other parameters",
    async () => {
      const variants: Bm25Parameters[] = BM25_METHODS.map((method) => ({ method, k1: 1.2, b: 0.6, delta: 0.8 }));
      const k = 10;
      const script = `
import json, sys, bm25s, Stemmer
request = json.load(sys.stdin)
stem = Stemmer.Stemmer("english")
words = lambda texts: bm25s.tokenize(texts, stopwords="en", stemmer=stem, return_ids=False, show_progress=False)
corpus = bm25s.tokenize(request["documents"], stopwords="en", stemmer=stem, show_progress=False)
queries = bm25s.tokenize(request["queries"], stopwords="en", stemmer=stem, show_progress=False)
out = {"documents": words(request["documents"]), "queries": words(request["queries"]), "variants": []}
for p in request["variants"]:
    retriever = bm25s.BM25(method=p["method"], k1=p["k1"], b=p["b"], delta=p["delta"])
    retriever.index(corpus, show_progress=False)
    docs, scores = retriever.retrieve(queries, k=request["k"], show_progress=False)
    out["variants"].append({"docs": docs.tolist(), "scores": scores.tolist()})
json.dump(out, sys.stdout, ensure_ascii=False)
`;
      const documents = dataset.documents.texts;
      const queries = dataset.queries.texts;
      const run = spawnSync('python3', ['-c', script], { input: JSON.stringify({ documents, queries, variants, k }), encoding: 'utf8', maxBuffer: 256 << 20 });
      expect(run.status, run.stderr).toBe(0);
      const expected = JSON.parse(run.stdout) as { documents: string[][]; queries: string[][]; variants: { docs: number[][]; scores: number[][] }[] };

      const tokenizer = await loadBm25Tokenizer();
      const tokenMismatches = [
        ...documents.flatMap((text, d) => (JSON.stringify(tokenizer.terms(text)) === JSON.stringify(expected.documents[d]) ? [] : [`document ${d}`])),
        ...queries.flatMap((text, q) => (JSON.stringify(tokenizer.terms(text)) === JSON.stringify(expected.queries[q]) ? [] : [`query ${q}`])),
      ];
      expect(tokenMismatches).toEqual([]);

      const index = await buildBm25Index(documents, tokenizer);
      for (const [v, params] of variants.entries()) {
        const ranked = await rankBm25(index, bm25Weights(index, params), queries, k);
        let identical = 0;
        let maxError = 0;
        for (let q = 0; q < queries.length; q++) {
          const got: Entry[] = Array.from({ length: k }, (_, i) => [String(ranked.indices[q * k + i]), ranked.scores[q * k + i]]);
          const want: Entry[] = expected.variants[v].docs[q].map((d, i) => [String(d), expected.variants[v].scores[q][i]]);
          const { identical: same, error } = compareLists(got, want, `${params.method} query row ${q}`);
          if (same) identical++;
          maxError = Math.max(maxError, error);
        }
        console.info(`${params.method} (k1 ${params.k1}, b ${params.b}, delta ${params.delta}): ${identical} of ${queries.length} top-${k} lists in bm25s's very order; max relative score error ${maxError}`);
        expect(identical, params.method).toBeGreaterThan(queries.length * 0.9);
      }
    },
    // bm25s indexes SciFact five times in Python: tens of seconds on a busy two-core machine.
    240_000,
  );
});
