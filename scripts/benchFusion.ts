/**
 * `npx tsx scripts/benchFusion.ts [queries] [depth]`: rank fusion of two top-`depth` runs (default 10 000
 * queries × top 100, half of each list shared with the other) — each method over the whole set, the
 * per-query normalisation included — and a cross-validated wsum weight (21 weights fused, judged and scored
 * on ndcg@10, then the per-fold rankings). Median and best wall time of 5 runs, and the median CPU time the
 * process spent (what a busy machine's wall time hides), in milliseconds. Target: a fusion of 2 × top 100
 * for 10 000 queries under 1 s.
 */
import type { Judgments } from '../src/core/data/judgments.ts';
import { judgeRun } from '../src/core/metrics/judgedRun.ts';
import { mulberry32 } from '../src/core/metrics/random.ts';
import type { Rankings } from '../src/core/data/rankings.ts';
import { RankingOrder } from '../src/core/metrics/rankings.ts';
import { evaluateJudged } from '../src/core/metrics/registry.ts';
import { crossValidatedWeight } from '../src/core/eval/fusion/crossValidatedWeight.ts';
import { fuseRankings, PreparedFusion, type FusionMethod } from '../src/core/eval/fusion/fuseRankings.ts';
import { cutAt } from '../src/core/eval/fusion/fusionCheckpoint.ts';

const queries = Number(process.argv[2] ?? 10_000);
const depth = Number(process.argv[3] ?? 100);
const corpus = 500_000;
const random = mulberry32(42);

/** Per query `depth` documents drawn from `pool(q)`, scored by `score`, in the lab's order. */
function run(pool: (q: number) => Int32Array, score: () => number): Rankings {
  const offsets = Int32Array.from({ length: queries + 1 }, (_, q) => q * depth);
  const docs = new Int32Array(queries * depth);
  const scores = new Float32Array(queries * depth);
  for (let q = 0; q < queries; q++) {
    const candidates = pool(q);
    for (let i = 0; i < depth; i++) {
      const j = i + Math.floor(random() * (candidates.length - i));
      [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
    }
    const list = Array.from(candidates.subarray(0, depth), (d) => [d, Math.fround(score())] as const).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    list.forEach(([d, s], i) => ((docs[q * depth + i] = d), (scores[q * depth + i] = s)));
  }
  return { offsets, docs, scores, unknownIds: [] };
}

// Each query's candidates: 1.5 × depth documents; each run takes `depth` of them, so about half are shared.
const pools = Array.from({ length: queries }, () => Int32Array.from({ length: Math.round(depth * 1.5) }, () => Math.floor(random() * corpus)));
const unique = (q: number) => Int32Array.from(new Set(pools[q]));
const dense = run((q) => unique(q), () => random() * 2 - 1);
const bm25 = run((q) => unique(q), () => random() * 30);
// Three relevant documents per query among its candidates, for the cross-validated weight.
const judgments: Judgments = {
  queries: Int32Array.from({ length: queries }, (_, q) => q),
  offsets: Int32Array.from({ length: queries + 1 }, (_, q) => 3 * q),
  docs: Int32Array.from({ length: 3 * queries }, (_, i) => unique(Math.floor(i / 3))[i % 3]),
  grades: new Float64Array(3 * queries).fill(1),
};

function time(label: string, body: () => unknown | Promise<unknown>): Promise<void> {
  return (async () => {
    const runs: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < 5; r++) {
      const started = performance.now();
      const used = process.cpuUsage();
      await body();
      runs.push(performance.now() - started);
      const { user, system } = process.cpuUsage(used);
      cpu.push((user + system) / 1000);
    }
    runs.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    console.log(`${label.padEnd(52)} wall median ${runs[2].toFixed(0).padStart(5)} ms, best ${runs[0].toFixed(0).padStart(5)} ms · CPU median ${cpu[2].toFixed(0).padStart(5)} ms`);
  })();
}

console.log(`fusion of 2 runs × top ${depth}, ${queries} queries (${(2 * queries * depth).toLocaleString('en')} results in), node ${process.version}`);
const methods: [string, FusionMethod][] = [
  ['rrf (k = 60)', { name: 'rrf', k: 60 }],
  ['combsum + min-max', { name: 'combsum' }],
  ['combmnz + min-max', { name: 'combmnz' }],
  ['wsum@0.5 + min-max', { name: 'wsum', weights: [0.5, 0.5] }],
];
for (const [label, method] of methods) await time(label, () => fuseRankings([dense, bm25], method, { depth }));
await time('combsum + zmuv', () => fuseRankings([dense, bm25], { name: 'combsum' }, { depth, normalization: 'zmuv' }));
const rows = judgments.queries;
await time('wsum, W cross-validated (5 folds × 21 W, ndcg@10)', async () => {
  const prepared = new PreparedFusion([dense, bm25], { method: { name: 'wsum', weights: null }, normalization: 'min-max', depth });
  await crossValidatedWeight(prepared, {
    queryRows: rows,
    criterion: (fused) => evaluateJudged(judgeRun(RankingOrder.of(cutAt(fused, 10), 'sentence-transformers', String), judgments), ['ndcg@10']).perQuery['ndcg@10'],
    seed: 1,
  });
});
