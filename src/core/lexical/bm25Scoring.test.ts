import { describe, expect, it } from 'vitest';
import { buildBm25Index, type Bm25Index } from './bm25Index.ts';
import { rankBm25 } from './bm25Ranking.ts';
import { absentTotal, BM25_DEFAULTS, BM25_METHODS, bm25Idf, bm25Tfc, bm25Weights, type Bm25Method, type Bm25Parameters } from './bm25Scoring.ts';
import { loadBm25Tokenizer } from './bm25Tokenizer.ts';

// N = 4, lengths 3, 2, 0, 4 (avgdl 2.25); cat: df 2 (tf 2 in d0, 1 in d3), dog: df 2, bird: df 2 (tf 1, 3).
const CORPUS = ['cat cat dog', 'dog bird', 'the', 'bird bird bird cat'];
const TF: Record<string, number[]> = { cat: [2, 0, 0, 1], dog: [1, 1, 0, 0], bird: [0, 1, 0, 3] };
const DL = [3, 2, 0, 4];
const N = 4;
const AVGDL = 2.25;

/** The textbook formulas (Kamphuis et al. 2020, as bm25s states them), written out here in float64. */
function expectedScore(method: Bm25Method, { k1, b, delta }: Bm25Parameters, query: string[], d: number): number {
  let score = 0;
  for (const term of query) {
    const df = TF[term].filter((tf) => tf > 0).length;
    const tf = TF[term][d];
    const norm = 1 - b + (b * DL[d]) / AVGDL;
    const idf = {
      lucene: Math.log(1 + (N - df + 0.5) / (df + 0.5)),
      robertson: Math.log(Math.max(1, (N - df + 0.5) / (df + 0.5))),
      atire: Math.log(N / df),
      bm25l: Math.log((N + 1) / (df + 0.5)),
      'bm25+': Math.log((N + 1) / df),
    }[method];
    const c = tf / norm;
    const tfc = {
      lucene: tf / (k1 * norm + tf),
      robertson: tf / (k1 * norm + tf),
      atire: (tf * (k1 + 1)) / (tf + k1 * norm),
      bm25l: ((k1 + 1) * (c + delta)) / (k1 + c + delta),
      'bm25+': ((k1 + 1) * tf) / (k1 * norm + tf) + delta,
    }[method];
    score += idf * tfc;
  }
  return score;
}

/** Every document's score for `query`, by row. */
async function scores(index: Bm25Index, params: Bm25Parameters, query: string): Promise<number[]> {
  const ranked = await rankBm25(index, bm25Weights(index, params), [query], index.documentCount);
  const byRow = new Array<number>(index.documentCount);
  for (let i = 0; i < ranked.k; i++) byRow[ranked.indices[i]] = ranked.scores[i];
  return byRow;
}

describe('the BM25 variants', () => {
  it('lucene, hand-computed: idf ln 2, tfc tf / (k1 (1 − b + b dl / avgdl) + tf), no (k1 + 1)', async () => {
    const index = await buildBm25Index(CORPUS, await loadBm25Tokenizer());
    const cat = await scores(index, BM25_DEFAULTS, 'cat');
    // d0: ln 2 · 2 / (1.5 · (0.25 + 0.75 · 3 / 2.25) + 2) = 0.693147 · 2 / 3.875
    expect(cat[0]).toBeCloseTo(0.357753, 6);
    // d3: ln 2 · 1 / (1.5 · (0.25 + 0.75 · 4 / 2.25) + 1) = 0.693147 / 3.375
    expect(cat[3]).toBeCloseTo(0.205377, 6);
    expect([cat[1], cat[2]]).toEqual([0, 0]);
  });

  it.each(BM25_METHODS)('%s equals the formula for every document, with default and other parameters', async (method) => {
    const index = await buildBm25Index(CORPUS, await loadBm25Tokenizer());
    for (const params of [{ ...BM25_DEFAULTS, method }, { method, k1: 1.2, b: 0.4, delta: 1 }]) {
      for (const query of [['cat'], ['cat', 'bird'], ['dog', 'dog', 'bird']]) {
        const got = await scores(index, params, query.join(' '));
        for (let d = 0; d < N; d++) {
          const want = expectedScore(method, params, query, d);
          expect(Math.abs(got[d] - want), `${method} ${JSON.stringify(params)} "${query.join(' ')}" d${d}: ${got[d]} vs ${want}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
        }
      }
    }
  });

  it('robertson clamps the idf of a term in more than half the documents to 0; atire uses ln(N / df)', () => {
    expect(bm25Idf('robertson', 3, 4)).toBe(0);
    expect(bm25Idf('robertson', 1, 4)).toBeCloseTo(Math.log(3.5 / 1.5), 12);
    expect(bm25Idf('atire', 1, 4)).toBeCloseTo(Math.log(4), 12);
    expect(bm25Idf('lucene', 4, 4)).toBeCloseTo(Math.log(1 + 0.5 / 4.5), 12);
  });

  it('bm25l and bm25+ score documents lacking the term: the non-occurrence score, added to every document', async () => {
    const index = await buildBm25Index(CORPUS, await loadBm25Tokenizer());
    const plus = bm25Weights(index, { ...BM25_DEFAULTS, method: 'bm25+' });
    // bm25+: idf · δ with tf = 0. cat: df 2, ln(5 / 2) · 0.5.
    expect(plus.absent![0]).toBeCloseTo(Math.log(5 / 2) * 0.5, 6);
    const l = bm25Weights(index, { ...BM25_DEFAULTS, method: 'bm25l' });
    // bm25l: idf · (k1 + 1) δ / (k1 + δ) with c = 0.
    expect(l.absent![0]).toBeCloseTo(Math.log(5 / 2.5) * ((2.5 * 0.5) / 2), 6);
    expect(bm25Weights(index, BM25_DEFAULTS).absent).toBeNull();
    // The empty document d2 scores the query's non-occurrence total.
    const empty = (await scores(index, { ...BM25_DEFAULTS, method: 'bm25+' }, 'cat dog'))[2];
    expect(empty).toBeCloseTo(Math.fround(plus.absent![0] + plus.absent![1]), 7);
  });

  it('weighs every posting as float32(float32(idf) · tfc − non-occurrence), bit for bit, on a random corpus', async () => {
    let state = 77;
    const random = () => ((state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
    const corpus = Array.from({ length: 200 }, () => Array.from({ length: Math.floor(random() * 30) }, () => `w${Math.floor(random() ** 2 * 60)}`).join(' '));
    const index = await buildBm25Index(corpus, await loadBm25Tokenizer({ stemmer: null }));
    for (const method of BM25_METHODS) {
      const params = { method, k1: 1.3, b: 0.65, delta: 0.7 };
      const { postings, absent } = bm25Weights(index, params);
      for (let t = 0; t + 1 < index.offsets.length; t++) {
        const idf = bm25Idf(method, index.offsets[t + 1] - index.offsets[t], index.documentCount);
        for (let p = index.offsets[t]; p < index.offsets[t + 1]; p++) {
          const tfc = bm25Tfc(params, index.frequencies[p], index.lengths[index.docs[p]], index.averageLength);
          expect(postings[p], `${method} term ${t} posting ${p}`).toBe(Math.fround(Math.fround(idf) * tfc - (absent ? absent[t] : 0)));
        }
      }
    }
  });

  it("sums the non-occurrence scores as NumPy's float32 pairwise sum", () => {
    // 1e8 + 1 + 1 + … in float32: a running sum loses every 1; NumPy's eight partial sums keep most of them.
    const absent = Float32Array.from([1e8, ...Array(15).fill(1)]);
    const ids = Int32Array.from({ length: 16 }, (_, i) => i);
    // NumPy 2.4: np.array([1e8] + [1] * 15, dtype=np.float32).sum() == 100000008 (a running sum gives 1e8).
    expect(absentTotal(absent, ids)).toBe(100_000_008);
    expect(absentTotal(absent, new Int32Array(0))).toBe(0);
  });

  it('refuses parameters bm25s would not take', async () => {
    const index = await buildBm25Index(CORPUS, await loadBm25Tokenizer());
    expect(() => bm25Weights(index, { ...BM25_DEFAULTS, b: 1.5 })).toThrow(/b must be within/);
    expect(() => bm25Weights(index, { ...BM25_DEFAULTS, k1: -1 })).toThrow(/k1/);
    expect(() => bm25Weights(index, { ...BM25_DEFAULTS, method: 'okapi' as Bm25Method })).toThrow(/unknown method/);
  });
});
