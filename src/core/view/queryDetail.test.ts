import { describe, expect, it } from 'vitest';
import { CIRCLE_DOCUMENTS, circleDataset, fixedVectors } from '../../../tests/fixtures/comparisonCase.ts';
import type { Dataset } from '../data/dataset.ts';
import { TextCollection } from '../data/textCollection.ts';
import { bm25Checkpoint, bm25Source } from '../eval/bm25Checkpoint.ts';
import type { RankingCheckpoint } from '../eval/checkpoint.ts';
import { compareCheckpoints } from '../eval/compare.ts';
import { fusionCheckpoint } from '../eval/fusion/fusionCheckpoint.ts';
import { loadQueryDetail, markedSegments, queryDetail } from './queryDetail.ts';
import { judgmentsOf } from '../../../tests/fixtures/judgments.ts';

const A = fixedVectors('model-a', CIRCLE_DOCUMENTS, [0.9, 0.1, -1, 0.2, 0, -1]);
const B = fixedVectors('model-b', CIRCLE_DOCUMENTS, [0.1, 0.9, 0.5, 0.5, 0, -1]);
const OPTIONS = { metricKeys: ['mrr@10'], mode: 'sentence-transformers' as const, keepVectors: true, diagnostics: false as const };

describe('one query in detail', () => {
  it('shows each model’s top k from the ranking the metrics read, with movements against the baseline', async () => {
    const comparison = await compareCheckpoints(circleDataset(), [A, B], OPTIONS);
    const detail = queryDetail(comparison, 'q2', 2);
    expect(detail.query).toEqual({ id: 'q2', text: 'west-ish' });
    expect(detail.relevantCount).toBe(1);
    const [a, b] = detail.models;
    expect(a.top.map((e) => [e.docId, e.rank, e.movement.kind])).toEqual([['d4', 1, 'baseline'], ['d3', 2, 'baseline']]);
    // B's top 2 is d2 (A had it at 4: new) and d1 (A: 5).
    expect(b.top.map((e) => [e.docId, e.movement])).toEqual([['d2', { kind: 'new', from: 4 }], ['d1', { kind: 'new', from: 5 }]]);
    // A's top 2 left B's: d4 now 4th, d3 3rd (the tie with d1 goes to the lower row).
    expect(b.dropped.map((e) => [e.docId, e.baselineRank, e.rank])).toEqual([['d4', 1, 4], ['d3', 2, 3]]);
    expect(b.missingRelevant).toEqual([{ docId: 'd4', text: 'west', label: 'y', rank: 4, score: expect.closeTo(-Math.SQRT1_2, 6), relevance: 1 }]);
    expect(b.top[0].score).toBeCloseTo(0.7 * Math.SQRT2, 6);
  });

  it('gives each listed document its label and judged grade, and none to a document without a label', async () => {
    const comparison = await compareCheckpoints(circleDataset(), [A, B], OPTIONS);
    const [a] = queryDetail(comparison, 'q1', 5).models;
    expect(a.top.map((e) => [e.docId, e.label, e.relevance])).toEqual([['d1', 'x', 1], ['d2', 'x', 0], ['d3', 'y', 2], ['d5', undefined, 0], ['d4', 'y', 0]]);
    expect('label' in a.top.find((e) => e.docId === 'd5')!).toBe(false);
  });

  it('finds ranks beyond the retrieved depth in the full ranking, and a run file’s as not ranked', async () => {
    const run: RankingCheckpoint = {
      kind: 'ranking',
      name: 'short-run',
      source: 'short.run',
      rankings: async () => ({
        // One result per query: q1 → d2, q2 → d2.
        rankings: { offsets: Int32Array.of(0, 1, 2, 2), docs: Int32Array.of(1, 1), scores: Float32Array.of(1, 1), unknownIds: [] },
        backend: 'run file',
        fingerprint: 'run:short',
        notes: [],
      }),
    };
    const comparison = await compareCheckpoints(circleDataset(), [A, run], { ...OPTIONS, depth: 2, metricKeys: ['mrr@2'] });
    expect(comparison.checkpoints[0].depth).toBe(2);
    const detail = queryDetail(comparison, 'q1', 1);
    const [a, r] = detail.models;
    // A retrieved d1 d2 only; d3 (relevant) sits at 3 in its full ranking.
    expect(a.missingRelevant.map((e) => [e.docId, e.rank])).toEqual([['d3', 3]]);
    expect(r.depth).toBe(1);
    expect(r.top.map((e) => [e.docId, e.movement])).toEqual([['d2', { kind: 'new', from: 2 }]]);
    expect(r.missingRelevant.map((e) => [e.docId, e.rank, e.score])).toEqual([['d1', null, null], ['d3', null, null]]);
    expect(r.dropped).toEqual([{ docId: 'd1', text: 'east', label: 'x', baselineRank: 1, rank: null, score: null }]);
    expect(() => queryDetail(comparison, 'nope')).toThrow(/no query nope/);
  });
});

describe('why BM25 and a hybrid ranked what they ranked', () => {
  // Stemming and case at work: "singing" and "sing" share a term, "Cats" and "CATS" match "cats".
  const lexicalDataset = (): Dataset => {
    const documents = TextCollection.numbered('d', ['Cats purr when content.', 'Dogs bark at cats; the CATS run.', 'Birds sing at dawn', 'The singing of birds']);
    const queries = TextCollection.numbered('q', ['the cats purr', 'singing birds']);
    return { name: 'pets', format: 'test', documents, queries, judgments: judgmentsOf(queries, documents, { q1: { d1: 1 }, q2: { d3: 1, d4: 1 } }), warnings: [] };
  };
  // q1 points at d3 (then d2 at 0.8, d1 and d4 at 0); q2 at d1.
  const model = fixedVectors('model', [1, 0, 0.6, 0.8, 0, 1, -1, 0], [0, 1, 1, 0]);
  const bm25 = () => bm25Checkpoint({ name: 'bm25', source: bm25Source() });
  const hybrid = () => fusionCheckpoint({ name: 'hybrid', inputs: ['model', 'bm25'], method: { name: 'rrf', k: 60 }, depth: 2 });
  const spansOf = (entry: { text: string; matches?: { start: number; end: number }[] }) => entry.matches?.map(({ start, end }) => entry.text.slice(start, end));

  it('marks the query’s terms in each of BM25’s documents (with the tokenizer it ranked with), and in no other column', async () => {
    const comparison = await compareCheckpoints(lexicalDataset(), [model, bm25()], OPTIONS);
    const detail = await loadQueryDetail(comparison, 'q1', 2);
    const [dense, lexical] = detail.models;
    // "the" is a stop word.
    expect(lexical.lexical).toEqual({ terms: ['cat', 'purr'] });
    expect(lexical.top.map((e) => [e.docId, spansOf(e)])).toEqual([
      ['d1', ['Cats', 'purr']],
      ['d2', ['cats', 'CATS']],
    ]);
    expect(lexical.top[1].matches).toEqual([{ start: 13, end: 17 }, { start: 23, end: 27 }]);
    // The baseline's top 2 that BM25 left: d3 has no query term.
    expect(lexical.dropped.map((e) => [e.docId, spansOf(e)])).toEqual([['d3', []]]);
    expect(dense.lexical).toBeUndefined();
    expect(dense.top.every((e) => e.matches === undefined)).toBe(true);

    const stems = await loadQueryDetail(comparison, 'q2', 2);
    expect(stems.models[1].lexical).toEqual({ terms: ['sing', 'bird'] });
    // Both hold both terms; d4 is the shorter ("the" and "of" are stop words).
    expect(stems.models[1].top.map((e) => [e.docId, spansOf(e)])).toEqual([
      ['d4', ['singing', 'birds']],
      ['d3', ['Birds', 'sing']],
    ]);
    // Without a tokenizer (the synchronous call), nothing is marked.
    expect(queryDetail(comparison, 'q1', 2).models[1].lexical).toBeUndefined();
  });

  it('marks nothing for a run that is not BM25 ranked here, nor for a BM25 ranked with another tokenizer', async () => {
    const named: RankingCheckpoint = {
      kind: 'ranking',
      name: 'bm25',
      source: 'bm25.run',
      rankings: async () => ({
        rankings: { offsets: Int32Array.of(0, 1, 2), docs: Int32Array.of(0, 2), scores: Float32Array.of(2, 1), unknownIds: [] },
        backend: 'run file',
        fingerprint: 'run:bm25',
        notes: [],
      }),
    };
    const unstemmed = bm25Checkpoint({ name: 'bm25-unstemmed', source: 'bm25 unstemmed' }, { tokenizer: { stemmer: null } });
    const comparison = await compareCheckpoints(lexicalDataset(), [model, named, unstemmed], OPTIONS);
    const detail = await loadQueryDetail(comparison, 'q1', 2);
    expect(detail.models.map((m) => m.lexical)).toEqual([undefined, undefined, undefined]);
    expect(detail.models[2].top.every((e) => e.matches === undefined)).toBe(true);
  });

  it('gives each of a hybrid’s documents its rank in each input, null beyond the depth the hybrid read', async () => {
    const comparison = await compareCheckpoints(lexicalDataset(), [model, bm25(), hybrid()], OPTIONS);
    const detail = await loadQueryDetail(comparison, 'q1', 3);
    const fused = detail.models[2];
    expect(fused.fusion).toEqual({ inputs: ['model', 'bm25'], depth: 2 });
    // RRF over the top 2 of each: d2 is 2nd in both (2/62); d1 (BM25's 1st) and d3 (the model's) tie at 1/61, by row.
    expect(fused.top.map((e) => [e.docId, e.inputRanks])).toEqual([
      ['d2', [2, 2]],
      ['d1', [null, 1]],
      ['d3', [1, null]],
    ]);
    // The inputs' own columns carry no input ranks; BM25's still its marks.
    expect(detail.models[0].top.every((e) => e.inputRanks === undefined)).toBe(true);
    expect(spansOf(detail.models[1].top[0])).toEqual(['Cats', 'purr']);
    // A relevant document outside the hybrid's top 1 has its input ranks too.
    const short = queryDetail(comparison, 'q1', 1);
    expect(short.models[2].missingRelevant.map((e) => [e.docId, e.rank, e.inputRanks])).toEqual([['d1', 2, [null, 1]]]);
    expect(short.models[2].dropped.map((e) => [e.docId, e.inputRanks])).toEqual([['d3', [1, null]]]);
  });
});

describe('a document’s text in marked pieces', () => {
  it('cuts plain and marked pieces, up to a limit that may fall inside a mark', () => {
    const text = 'Cats purr when content.';
    const spans = [{ start: 0, end: 4 }, { start: 5, end: 9 }];
    expect(markedSegments(text, spans)).toEqual([
      { text: 'Cats', marked: true },
      { text: ' ', marked: false },
      { text: 'purr', marked: true },
      { text: ' when content.', marked: false },
    ]);
    expect(markedSegments(text, spans, 7)).toEqual([
      { text: 'Cats', marked: true },
      { text: ' ', marked: false },
      { text: 'pu', marked: true },
    ]);
    expect(markedSegments(text, spans, 3)).toEqual([{ text: 'Cat', marked: true }]);
    expect(markedSegments(text)).toEqual([{ text, marked: false }]);
    expect(markedSegments('', spans)).toEqual([]);
    // Text that looks like markup stays text: the pieces are strings, rendered as text nodes.
    expect(markedSegments('<b>cats</b>', [{ start: 3, end: 7 }]).map((s) => s.text).join('')).toBe('<b>cats</b>');
  });
});
