/**
 * `npm run bench`: speed figures of the retrieval core, each as a ratio against a baseline run in the same
 * process (never asserted in tests). Synthetic unit vectors of SciFact's shape: 300 queries × 5183 docs × 384.
 */
import { cpuDiagnosticKernels } from '../src/core/diagnostics/kernels.ts';
import { withLabels } from '../src/core/diagnostics/labelled.ts';
import { labelStructure } from '../src/core/diagnostics/labelStructure.ts';
import { cpus } from 'node:os';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { topKCpuSync } from '../src/core/kernels/topk/topk.cpu.ts';
import { OrtTopK } from '../src/core/kernels/topk/topk.ort.ts';
import { mulberry32 } from '../src/core/metrics/random.ts';
import type { Judgments } from '../src/core/data/judgments.ts';
import type { Rankings } from '../src/core/data/rankings.ts';
import { judgeRun } from '../src/core/metrics/judgedRun.ts';
import { RankingOrder } from '../src/core/metrics/rankings.ts';
import { defaultMetricKeys, evaluateJudged } from '../src/core/metrics/registry.ts';
import { startBrowserSession } from '../tests/browser/browser.ts';
import { randomLabelledCase, randomTopKCase } from '../tests/fixtures/random.ts';

function time<T>(label: string, fn: () => T, repeats = 3): { ms: number; result: T } {
  let best = Infinity;
  let result!: T;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    result = fn();
    best = Math.min(best, performance.now() - start);
  }
  console.log(`${label.padEnd(52)} ${best.toFixed(1).padStart(9)} ms (best of ${repeats})`);
  return { ms: best, result };
}

/** What a one-off evaluation script does: every score of a query, then a full sort. */
function naiveTopK(queries: Float32Array, docs: Float32Array, dim: number, k: number): Int32Array {
  const queryCount = queries.length / dim;
  const docCount = docs.length / dim;
  const out = new Int32Array(queryCount * k);
  const scores = new Float32Array(docCount);
  for (let q = 0; q < queryCount; q++) {
    for (let d = 0; d < docCount; d++) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += queries[q * dim + j] * docs[d * dim + j];
      scores[d] = dot;
    }
    const order = Array.from({ length: docCount }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
    out.set(order.slice(0, k), q * k);
  }
  return out;
}

const [Q, D, DIM, K] = [300, 5183, 384, 10];
console.log(`top-${K} over ${Q} × ${D} × ${DIM} (synthetic unit vectors)`);
const data = randomTopKCase(7, Q, D, DIM);
const naive = time('naive JS triple loop + sort', () => naiveTopK(data.queries, data.docs, DIM, K));
const blocked = time('CPU kernel (4 × 256 blocks, insertion top-k)', () => topKCpuSync({ ...data, dim: DIM, k: K }));
const agree = naive.result.every((doc, i) => doc === blocked.result.indices[i]);
console.log(`ratio naive / CPU kernel: ${(naive.ms / blocked.ms).toFixed(2)}× (target ≥ 4×); same top-${K}: ${agree}`);

// The onnxruntime twin (Gemm + TopK), timed after one warm-up run, best of 3: on onnxruntime-node (MLAS, every
// core: the CLI's CPU kernel) and on onnxruntime-web's WASM backend (SIMD, both threads: the page's CPU kernel,
// the same .wasm the page loads, run here in Node).
async function timeOrt(label: string, kernel: OrtTopK): Promise<void> {
  await kernel.run({ ...data, dim: DIM, k: K });
  let best = Infinity;
  let result = null as Awaited<ReturnType<OrtTopK['run']>> | null;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    result = await kernel.run({ ...data, dim: DIM, k: K });
    best = Math.min(best, performance.now() - start);
  }
  console.log(`${label.padEnd(52)} ${best.toFixed(1).padStart(9)} ms (best of 3)`);
  const same = result!.indices.every((doc, i) => doc === blocked.result.indices[i]);
  console.log(`ratio CPU kernel / ${label.split(' ')[0]} kernel: ${(blocked.ms / best).toFixed(2)}× (target ≥ 4×); ${((2 * Q * D * DIM) / best / 1e6).toFixed(1)} GFLOP/s; same top-${K}: ${same}`);
  await kernel.release();
}
await timeOrt(`onnxruntime-node Gemm + TopK (${cpus().length} threads)`, await OrtTopK.create(ortNode, { intraOpNumThreads: cpus().length }));
ortWeb.env.wasm.numThreads = cpus().length;
ortWeb.env.logLevel = 'error';
await timeOrt(`onnxruntime-web WASM Gemm + TopK (${cpus().length} threads)`, await OrtTopK.create(ortWeb, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));

console.log('\nmetrics for 10 000 queries × top-100 (default sentence-transformers keys)');
const random = mulberry32(11);
// 10 000 queries × top 100 over a million documents, 1–5 relevant each (half of them retrieved), as rows.
const rankings: Rankings = {
  offsets: Int32Array.from({ length: 10_001 }, (_, q) => q * 100),
  docs: Int32Array.from({ length: 1_000_000 }, (_, i) => (Math.floor(i / 100) * 7919 + (i % 100) * 104_729) % 1_000_000),
  scores: Float32Array.from({ length: 1_000_000 }, (_, i) => 1 - (i % 100) / 100),
  unknownIds: [],
};
const judgedDocs: number[] = [];
const judgedOffsets = [0];
for (let q = 0; q < 10_000; q++) {
  const relevant = new Set<number>();
  for (let j = 0; j < 1 + (q % 5); j++) relevant.add(random() < 0.5 ? rankings.docs[q * 100 + Math.floor(random() * 100)] : Math.floor(random() * 1e6));
  judgedDocs.push(...relevant);
  judgedOffsets.push(judgedDocs.length);
}
const judgments: Judgments = {
  queries: Int32Array.from({ length: 10_000 }, (_, q) => q),
  offsets: Int32Array.from(judgedOffsets),
  docs: Int32Array.from(judgedDocs),
  grades: new Float64Array(judgedDocs.length).fill(1),
};
const keys = defaultMetricKeys();
const metricsTime = time(`judge + ${keys.length} metrics`, () => evaluateJudged(judgeRun(RankingOrder.of(rankings, 'sentence-transformers', (row) => `d${row}`), judgments), keys), 5);
console.log(`ndcg@10 = ${metricsTime.result.metrics['ndcg@10'].toFixed(4)}; target < 50 ms: ${metricsTime.ms < 50 ? 'met' : 'missed'}`);
/** sklearn's silhouette_samples as a one-off script writes it: for each point, every distance, per label. */
function naiveSilhouette(vectors: Float32Array, dim: number, labelOf: Int32Array, labelCount: number): number {
  const n = labelOf.length;
  const sizes = new Array<number>(labelCount).fill(0);
  for (const l of labelOf) sizes[l]++;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sums = new Array<number>(labelCount).fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let dot = 0;
      for (let c = 0; c < dim; c++) dot += vectors[i * dim + c] * vectors[j * dim + c];
      sums[labelOf[j]] += 1 - dot;
    }
    const own = labelOf[i];
    if (sizes[own] < 2) continue;
    const a = sums[own] / (sizes[own] - 1);
    const b = Math.min(...sums.map((s, l) => (l === own || sizes[l] === 0 ? Infinity : s / sizes[l])));
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

const [N, LABELS] = [5000, 7];
console.log(`\nsilhouette (cosine, exact) over ${N} × ${DIM}, ${LABELS} labels (synthetic labelled unit vectors)`);
const labelledData = randomLabelledCase(5, N, DIM, LABELS);
const naiveSil = time('naive JS (every ordered pair)', () => naiveSilhouette(labelledData.vectors, DIM, labelledData.labelOf, LABELS), 1);
const cpuSilData = withLabels(labelledData.vectors, DIM, labelledData.labelOf, Array.from({ length: LABELS }, (_, l) => `c${l}`));
const exactCpu = { ...cpuDiagnosticKernels, exactLimit: N };
let cpuSilhouette = NaN;
let cpuSilMs = Infinity;
for (let i = 0; i < 2; i++) {
  const start = performance.now();
  cpuSilhouette = (await labelStructure(cpuSilData, exactCpu)).silhouette.score;
  cpuSilMs = Math.min(cpuSilMs, performance.now() - start);
}
console.log(`${'CPU path (distance sums by label, pairs once)'.padEnd(52)} ${cpuSilMs.toFixed(1).padStart(9)} ms (best of 2)`);
console.log(`ratio naive / CPU path: ${(naiveSil.ms / cpuSilMs).toFixed(2)}×; silhouette ${cpuSilhouette.toFixed(6)} (naive ${naiveSil.result.toFixed(6)})`);

// The WGSL path runs where a WebGPU adapter exists: headless Chromium here (SwiftShader, a software GPU, so
// the figure says nothing about real GPUs), a real browser elsewhere.
const session = await startBrowserSession().catch(() => null);
if (!session) {
  console.log('\nWGSL top-k: skipped (no Chromium to run it in)');
} else {
  try {
    const { page } = await session.newPage();
    await page.goto(`${session.baseUrl}/tests/browser/kernelHarness.html`);
    const ready = await page.evaluate(() => (window as unknown as { kernelsReady: Promise<boolean> }).kernelsReady);
    if (!ready) {
      console.log('\nWGSL top-k: skipped (no WebGPU adapter in this Chromium)');
    } else {
      const adapter = await page.evaluate(async () => {
        const info = (await navigator.gpu.requestAdapter())?.info;
        return `${info?.vendor ?? ''} ${info?.architecture ?? ''}`.trim();
      });
      const gpuMs = await page.evaluate(
        ([q, d, dim, k]) => (window as unknown as { timeGpuTopK: (...a: number[]) => Promise<number> }).timeGpuTopK(7, q, d, dim, k),
        [Q, D, DIM, K],
      );
      console.log(`\nWGSL top-${K} over ${Q} × ${D} × ${DIM} on ${adapter}: ${gpuMs.toFixed(1)} ms (best of 3, after warm-up)`);
      console.log(`ratio CPU kernel / WGSL: ${(blocked.ms / gpuMs).toFixed(2)}×`);
      const gpuSil = await page.evaluate(
        ([n, dim, labels]) =>
          (window as unknown as { timeGpuSilhouette: (...a: number[]) => Promise<{ ms: number; silhouette: number }> }).timeGpuSilhouette(5, n, dim, labels),
        [N, DIM, LABELS],
      );
      console.log(`WGSL silhouette over ${N} × ${DIM} on ${adapter}: ${gpuSil.ms.toFixed(1)} ms (one run, after warm-up); silhouette ${gpuSil.silhouette.toFixed(6)}`);
      console.log(`ratio CPU path / WGSL: ${(cpuSilMs / gpuSil.ms).toFixed(2)}×`);
    }
  } finally {
    await session.close();
  }
}
