import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_NUMPY, NUMPY_MISSING } from '../../../../tests/fixtures/vectors/numpyWriter.ts';
import { mulberry32 } from '../../metrics/random.ts';
import { fuseRankings, lacksScores, PreparedFusion, type FusionMethod } from './fuseRankings.ts';
import type { NormalizationName } from './scoreNormalization.ts';
import type { Rankings } from '../../data/rankings.ts';

/** Rankings from per-query (document row, score) lists, each already in the lab's order (score desc, row asc). */
function rankingsOf(lists: [number, number][][], unknownIds: string[] = []): Rankings {
  const offsets = new Int32Array(lists.length + 1);
  lists.forEach((list, q) => (offsets[q + 1] = offsets[q] + list.length));
  return { offsets, docs: Int32Array.from(lists.flat().map(([d]) => d)), scores: Float32Array.from(lists.flat().map(([, s]) => s)), unknownIds };
}

/** Query row q's fused list as (row, score) pairs. */
function list(rankings: Rankings, q: number): [number, number][] {
  return Array.from({ length: rankings.offsets[q + 1] - rankings.offsets[q] }, (_, i) => [rankings.docs[rankings.offsets[q] + i], rankings.scores[rankings.offsets[q] + i]]);
}

const rows = (rankings: Rankings, q: number) => list(rankings, q).map(([d]) => d);
const scores = (rankings: Rankings, q: number) => list(rankings, q).map(([, s]) => s);
const f32 = (values: number[]) => values.map(Math.fround);

// q0: A ranks d0 3, d1 2, d2 0; B ranks d2 4, d3 2. q1: A has nothing; B ties d0 and d1 at 5. q2: nothing.
// min-max: A → d0 1, d1 2/3, d2 0; B → d2 1, d3 0.
const A = rankingsOf([[[0, 3], [1, 2], [2, 0]], [], []]);
const B = rankingsOf([[[2, 4], [3, 2]], [[0, 5], [1, 5]], []]);
const fuse = (method: FusionMethod, normalization?: NormalizationName, depth = 100) => fuseRankings([A, B], method, { depth, normalization });

describe('rank fusion, worked by hand from ranx’s definitions', () => {
  it('rrf: Σ 1/(60 + rank), ranks from 1 in each list; a missing document adds nothing', () => {
    const fused = fuse({ name: 'rrf', k: 60 });
    // d2: 1/63 + 1/61; d0 1/61; d1 and d3 1/62 each: tied, d1 (row 1) first.
    expect(rows(fused, 0)).toEqual([2, 0, 1, 3]);
    expect(scores(fused, 0)).toEqual(f32([1 / 63 + 1 / 61, 1 / 61, 1 / 62, 1 / 62]));
    // q1's B list is d0, d1 in that order (tied scores, by row): ranks 1 and 2.
    expect(list(fused, 1)).toEqual([[0, Math.fround(1 / 61)], [1, Math.fround(1 / 62)]]);
    expect(list(fused, 2)).toEqual([]);
  });

  it('rrf@k takes another k', () => {
    const fused = fuse({ name: 'rrf', k: 0 });
    expect(list(fused, 0)).toEqual([[2, Math.fround(1 / 3 + 1)], [0, 1], [1, 0.5], [3, 0.5]]);
  });

  it('combsum over min-max scores by default (ranx fuse: norm="min-max"), ties by document row', () => {
    const fused = fuse({ name: 'combsum' });
    // d0 1 + 0, d2 0 + 1: tied, d0 first; d1 2/3; d3 0.
    expect(list(fused, 0)).toEqual([[0, 1], [2, 1], [1, Math.fround(2 / 3)], [3, 0]]);
    // B's q1 scores are equal: min-max floors the range at 1e-9 and both become 0.
    expect(list(fused, 1)).toEqual([[0, 0], [1, 0]]);
  });

  it('combmnz: CombSUM × the number of inputs that retrieved the document', () => {
    const fused = fuse({ name: 'combmnz' });
    // d2: (0 + 1) × 2; d0 1 × 1; d1 2/3 × 1; d3 0 × 1.
    expect(list(fused, 0)).toEqual([[2, 2], [0, 1], [1, Math.fround(2 / 3)], [3, 0]]);
  });

  it('wsum: W·A + (1 − W)·B', () => {
    const fused = fuse({ name: 'wsum', weights: [0.25, 0.75] });
    expect(list(fused, 0)).toEqual([[2, 0.75], [0, 0.25], [1, Math.fround(1 / 6)], [3, 0]]);
    const three = fuseRankings([A, B, A], { name: 'wsum', weights: [0.5, 0.25, 0.25] }, { depth: 100 });
    // d0: 0.5 + 0.25 (A twice); d2: 0.25 (B); d1: (0.5 + 0.25)·2/3.
    expect(list(three, 0)).toEqual([[0, 0.75], [1, 0.5], [2, 0.25], [3, 0]]);
  });

  it('combsum under each of ranx’s other normalisations', () => {
    // max: A ÷ 3 → 1, 2/3, 0; B ÷ 4 → 1, 1/2.
    expect(list(fuse({ name: 'combsum' }, 'max'), 0)).toEqual([[0, 1], [2, 1], [1, Math.fround(2 / 3)], [3, 0.5]]);
    // sum: A (s − 0) / 5 → 0.6, 0.4, 0; B (s − 2) / (6 − 4) → 1, 0.
    expect(list(fuse({ name: 'combsum' }, 'sum'), 0)).toEqual(f32([1, 0.6, 0.4, 0]).map((s, i) => [[2, 0, 1, 3][i], s]));
    // rank: A 1, 2/3, 1/3; B 1, 1/2 → d2 1/3 + 1.
    expect(list(fuse({ name: 'combsum' }, 'rank'), 0)).toEqual([[2, Math.fround(4 / 3)], [0, 1], [1, Math.fround(2 / 3)], [3, 0.5]]);
    // none: the raw scores, d2 0 + 4.
    expect(list(fuse({ name: 'combsum' }, 'none'), 0)).toEqual([[2, 4], [0, 3], [1, 2], [3, 2]]);
    // zmuv: A's z-scores (mean 5/3, σ = √(42/27)); B → 1, −1. A document B lacks adds 0 — B's mean, as in ranx.
    const std = Math.sqrt(42 / 27);
    const z = fuse({ name: 'combsum' }, 'zmuv');
    expect(rows(z, 0)).toEqual([0, 1, 2, 3]);
    expect(scores(z, 0)).toEqual(f32([4 / 3 / std, 1 / 3 / std, -5 / 3 / std + 1, -1]));
  });

  it('reads only the top `depth` of each list, normalised as read', () => {
    // depth 2: A → d0 3, d1 2 → min-max 1, 0; B → d2 1, d3 0.
    const fused = fuse({ name: 'combsum' }, undefined, 2);
    expect(list(fused, 0)).toEqual([[0, 1], [2, 1], [1, 0], [3, 0]]);
    const prepared = new PreparedFusion([A, B], { method: { name: 'combsum' }, normalization: 'min-max', depth: 2 });
    expect(prepared.depths).toEqual([2, 2]);
  });

  it('matches documents outside the corpus by id across inputs, after the corpus’s rows on ties', () => {
    const a = rankingsOf([[[0, 2], [-1, 1]]], ['zz']);
    const b = rankingsOf([[[-2, 3], [-1, 1]]], ['aa', 'zz']);
    const rrf = fuseRankings([a, b], { name: 'rrf', k: 60 }, { depth: 100 });
    expect(rrf.unknownIds).toEqual(['aa', 'zz']);
    // zz: 1/62 + 1/61; d0 1/61; aa 1/62.
    expect(rows(rrf, 0)).toEqual([-2, 0, -1]);
    const sum = fuseRankings([a, b], { name: 'combsum' }, { depth: 100 });
    // d0 1 and zz 0 + 1 tie: the corpus document first.
    expect(list(sum, 0)).toEqual([[0, 1], [-2, 1], [-1, 0]]);
  });

  it('puts a document whose fused score is NaN last', () => {
    const broken = rankingsOf([[[5, NaN], [0, 0.5], [1, 0.25]]]);
    const other = rankingsOf([[[1, 1], [2, 0]]]);
    const fused = fuseRankings([broken, other], { name: 'combsum' }, { depth: 100, normalization: 'none' });
    expect(rows(fused, 0)).toEqual([1, 0, 2, 5]);
  });

  it('tells a list of positions from one with scores', () => {
    expect(lacksScores(rankingsOf([[[0, 0], [1, 0]], [[2, 0]]]), 100)).toBe(true);
    expect(lacksScores(A, 100)).toBe(false);
    expect(lacksScores(rankingsOf([[[0, 1]], []]), 100)).toBe(false);
  });

  it('weighs each query with its own weights when asked', () => {
    const prepared = new PreparedFusion([A, B], { method: { name: 'wsum', weights: null }, normalization: 'min-max', depth: 100 });
    const fused = prepared.fuse((q) => (q === 0 ? [1, 0] : [0, 1]));
    expect(list(fused, 0)).toEqual([[0, 1], [1, Math.fround(2 / 3)], [2, 0], [3, 0]]);
    expect(list(fused, 1)).toEqual([[0, 0], [1, 0]]);
    // The same prepared inputs fuse again with other weights, unaffected by the first call.
    expect(list(prepared.fuse([0.25, 0.75]), 0)).toEqual(list(fuse({ name: 'wsum', weights: [0.25, 0.75] }), 0));
  });
});

/**
 * ranx's fusion, re-implemented in Python from its source (ranx/fusion/rrf.py, comb_sum.py, comb_mnz.py,
 * wsum.py; ranx/normalization/*.py) over TREC runs, as `fuse(runs, norm, method)` runs it: each list sorted
 * by score (Run.from_dict), normalised per query, fused. The fused lists are ordered by the lab's rule
 * (float32 score descending, then document row, then unknown id): ranx leaves ties to quicksort.
 */
const RANX = String.raw`
import json, sys
import numpy as np

def read_run(path, queries):
    run = {q: {} for q in queries}
    for line in open(path):
        q, _, d, _, s, _ = line.split()
        run[q][d] = float(s)
    return {q: dict(sorted(docs.items(), key=lambda kv: -kv[1])) for q, docs in run.items()}

def extract_scores(results):
    return np.array(list(results.values()), dtype=float)

def min_max_norm(results):
    scores = extract_scores(results)
    lo = min(scores) if len(scores) else 0
    hi = max(scores) if len(scores) else 0
    den = max(hi - lo, 1e-9)
    return {d: (results[d] - lo) / den for d in results}

def max_norm(results):
    scores = extract_scores(results)
    den = max(max(scores) if len(scores) else 0, 1e-9)
    return {d: results[d] / den for d in results}

def sum_norm(results):
    scores = extract_scores(results)
    lo = min(scores) if len(scores) else 0
    den = max(sum(scores) - lo * len(results), 1e-9)
    return {d: (results[d] - lo) / den for d in results}

def zmuv_norm(results):
    scores = extract_scores(results)
    if len(scores) == 0:
        return {}
    mean, den = np.mean(scores), max(np.std(scores), 1e-9)
    return {d: (results[d] - mean) / den for d in results}

def rank_norm(results):
    n = len(results)
    return {d: 1 - (i / n) for i, d in enumerate(results.keys())}

NORMS = {'min-max': min_max_norm, 'max': max_norm, 'sum': sum_norm, 'zmuv': zmuv_norm, 'rank': rank_norm, 'none': lambda r: dict(r)}

def rrf_score(results, k):
    return {d: 1 / (k + i + 1) for i, d in enumerate(results.keys())}

def comb_sum(results):
    combined = {}
    for res in results:
        for d in res.keys():
            if combined.get(d, False) == False:
                combined[d] = sum([r.get(d, 0.0) for r in results])
    return combined

def comb_mnz(results):
    combined = {}
    for res in results:
        for d in res.keys():
            if combined.get(d, False) == False:
                scores = np.array([r[d] for r in results if d in r])
                combined[d] = sum(scores) * len(scores)
    return combined

def weighted_sum(results, weights):
    combined = {}
    for res in results:
        for d in res.keys():
            if combined.get(d, False) == False:
                combined[d] = sum([weights[i] * r.get(d, 0.0) for i, r in enumerate(results)])
    return combined

def lab_key(item):
    d, s = item
    known = d.startswith('d') and d[1:].isdigit()
    return (-float(np.float32(s)), 0 if known else 1, int(d[1:]) if known else 0, d)

def fuse(runs, queries, method, norm, depth, param):
    out = {}
    for q in queries:
        lists = [dict(list(run[q].items())[:depth]) for run in runs]
        if method == 'rrf':
            fused = comb_sum([rrf_score(l, param) for l in lists])
        else:
            lists = [NORMS[norm](l) for l in lists]
            fused = comb_sum(lists) if method == 'combsum' else comb_mnz(lists) if method == 'combmnz' else weighted_sum(lists, param)
        out[q] = [[d, float(s)] for d, s in sorted(fused.items(), key=lab_key)]
    return out

folder = sys.argv[1]
spec = json.load(open(folder + '/spec.json'))
runs = [read_run(folder + '/' + f, spec['queries']) for f in spec['files']]
print(json.dumps({c['label']: fuse(runs, spec['queries'], c['method'], c['norm'], c['depth'], c['param']) for c in spec['configs']}))
`;

describe('against ranx’s definitions, re-implemented in Python', () => {
  it.skipIf(!HAS_NUMPY)(HAS_NUMPY ? 'gives the same fused lists and scores as ranx would, method by method' : `gives ranx's fused lists — ${NUMPY_MISSING}`, () => {
    const random = mulberry32(2026);
    const queryCount = 40;
    const corpus = 60;
    const unknown = ['x-out', 'y-out'];
    /** Per query, `size` distinct documents with scores from `score()`, in the lab's order. */
    const run = (size: (q: number) => number, score: () => number, withUnknown: boolean): Rankings => {
      const lists: [number, number][][] = [];
      for (let q = 0; q < queryCount; q++) {
        const pool = Array.from({ length: corpus }, (_, d) => d);
        const picked: [number, number][] = [];
        for (let i = 0; i < Math.min(size(q), corpus); i++) {
          const j = i + Math.floor(random() * (corpus - i));
          [pool[i], pool[j]] = [pool[j], pool[i]];
          picked.push([pool[i], Math.fround(score())]);
        }
        if (withUnknown && q % 7 === 0) picked.push([-1 - (q % 2), Math.fround(score())]);
        lists.push(picked.sort((a, b) => b[1] - a[1] || (a[0] >= 0 && b[0] >= 0 ? a[0] - b[0] : a[0] >= 0 ? -1 : b[0] >= 0 ? 1 : a[0] < b[0] ? 1 : -1)));
      }
      return rankingsOf(lists, withUnknown ? unknown : []);
    };
    // A dense model's cosines (one query with a single result); a BM25 run's scores (one query with none).
    const a = run((q) => (q === 3 ? 1 : 25), () => random() * 2 - 1, false);
    const b = run((q) => (q === 5 ? 0 : 20), () => random() * 30, true);
    const idOf = (r: Rankings, row: number) => (row >= 0 ? `d${row}` : r.unknownIds[-row - 1]);
    const queries = Array.from({ length: queryCount }, (_, q) => `q${q}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-ranx-'));
    try {
      const trec = (r: Rankings) => queries.flatMap((id, q) => list(r, q).map(([d, s], i) => `${id} Q0 ${idOf(r, d)} ${i + 1} ${s} lab`)).join('\n') + '\n';
      writeFileSync(path.join(dir, 'a.trec'), trec(a));
      writeFileSync(path.join(dir, 'b.trec'), trec(b));
      const configs: { label: string; method: FusionMethod; norm: NormalizationName; depth: number; param: unknown }[] = [
        { label: 'rrf', method: { name: 'rrf', k: 60 }, norm: 'none', depth: 1000, param: 60 },
        { label: 'rrf@10 top 10', method: { name: 'rrf', k: 10 }, norm: 'none', depth: 10, param: 10 },
        { label: 'combsum min-max', method: { name: 'combsum' }, norm: 'min-max', depth: 1000, param: null },
        { label: 'combsum min-max top 10', method: { name: 'combsum' }, norm: 'min-max', depth: 10, param: null },
        { label: 'combmnz min-max', method: { name: 'combmnz' }, norm: 'min-max', depth: 1000, param: null },
        { label: 'wsum 0.3 min-max', method: { name: 'wsum', weights: [0.3, 0.7] }, norm: 'min-max', depth: 1000, param: [0.3, 0.7] },
        { label: 'combsum max', method: { name: 'combsum' }, norm: 'max', depth: 1000, param: null },
        { label: 'combsum sum', method: { name: 'combsum' }, norm: 'sum', depth: 1000, param: null },
        { label: 'combsum zmuv', method: { name: 'combsum' }, norm: 'zmuv', depth: 1000, param: null },
        { label: 'combmnz rank', method: { name: 'combmnz' }, norm: 'rank', depth: 1000, param: null },
      ];
      writeFileSync(path.join(dir, 'spec.json'), JSON.stringify({ files: ['a.trec', 'b.trec'], queries, configs: configs.map(({ label, method, norm, depth, param }) => ({ label, method: method.name, norm, depth, param })) }));
      const expected = JSON.parse(execFileSync('python3', ['-c', RANX, dir], { encoding: 'utf8' })) as Record<string, Record<string, [string, number][]>>;
      let compared = 0;
      for (const config of configs) {
        const fused = fuseRankings([a, b], config.method, { depth: config.depth, normalization: config.norm });
        for (const [q, id] of queries.entries()) {
          const ours = list(fused, q);
          const theirs = expected[config.label][id];
          expect(ours.map(([d]) => idOf(fused, d)), `${config.label}, ${id}`).toEqual(theirs.map(([d]) => d));
          // The lab stores float32: ranx's float64 score rounded so, within one float32 step of ours.
          ours.forEach(([, s], i) => expect(Math.abs(s - theirs[i][1]), `${config.label}, ${id}, rank ${i + 1}`).toBeLessThanOrEqual(Math.abs(theirs[i][1]) * 2 ** -23 + 1e-12));
          compared += ours.length;
        }
      }
      expect(compared).toBeGreaterThan(10 * queryCount * 20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
