/**
 * `npm run bench:scale:cli [DOCUMENTS] [QUERIES] [npy|parquet|feather] [float32|float16]` (the first half of `npm run
 * bench:scale`): the lab at the sizes teams bring, through the CLI (defaults 1 000 000 documents × 384 and
 * 10 000 queries). The bench generates (`scaleData.ts`) a BEIR folder of ids, the documents' and queries'
 * vectors as .npy (or, rewritten by pyarrow, as four parquet or Feather part files of both sides with a
 * kind column) and a BM25-like run file; then
 * `embedlab eval --vectors … --run …` ranks (top-100), scores the default metrics and computes the diagnostics
 * on their seeded samples. Prints the stages' times and the peak RSS against 1.5 × the vectors' float32
 * size + 1 GB (float16 documents are kept as float16: half that size). Figures, never assertions.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { mulberry32 } from '../src/core/metrics/random.ts';
import { DIM, makeScaleData, toTableParts, vectorFormat, vectorPrecision, watchPeakMemory } from './scaleData.ts';

const DOCS = Number(process.argv[2] ?? 1_000_000);
const QUERIES = Number(process.argv[3] ?? 10_000);
const FORMAT = vectorFormat(process.argv[4], "the vectors' format");
const PRECISION = vectorPrecision(process.argv[5]);
const ROOT = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-scale-'));

let started = performance.now();
const scale = makeScaleData(dir, DOCS, QUERIES);
console.log(`bench:scale (CLI): ${DOCS} documents × ${DIM}, ${QUERIES} queries, as ${FORMAT} (${PRECISION}); vectors from ${scale.seededFrom} plus seeded noise`);
const { data, relevant } = scale;
const vectors = path.join(dir, 'vectors');
await scale.writeVectors(vectors, { seed: 1, documentNoise: 0.35, queryNoise: 0.09, precision: PRECISION });
if (FORMAT !== 'npy') toTableParts(vectors, FORMAT);
// A BM25-like ranking: the relevant document somewhere in the top 100 for 70 % of queries.
const random = mulberry32(99);
const run = path.join(dir, 'bm25.run');
const lines: string[] = [];
for (let q = 0; q < QUERIES; q++) {
  const hit = random() < 0.7 ? Math.floor(random() * 100) : -1;
  const listed = new Set<number>([relevant[q]]);
  for (let r = 0; r < 100; r++) {
    let doc = relevant[q];
    if (r !== hit) while (listed.has(doc)) doc = Math.floor(random() * DOCS);
    listed.add(doc);
    lines.push(`q${q} Q0 d${doc} ${r + 1} ${(30 - r * 0.2).toFixed(3)} bm25`);
  }
}
writeFileSync(run, `${lines.join('\n')}\n`);
console.log(`files written in ${((performance.now() - started) / 1000).toFixed(1)} s (${dir})`);

// The CLI in its own process; its peak RSS read from /proc while it runs.
started = performance.now();
const child = spawn(process.execPath, [path.join(ROOT, 'bin/embedlab.mjs'), 'eval', data, '--vectors', `noisy-minilm=${vectors}`, '--run', `bm25=${run}`, '--json', path.join(dir, 'report.json')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
const memory = watchPeakMemory(() => [child.pid!]);
let stderr = '';
let stdout = '';
child.stderr.on('data', (chunk) => {
  stderr += chunk;
  process.stderr.write(`  [${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${String(chunk).trimEnd().replace(/\n/g, '\n         ')}\n`);
});
child.stdout.on('data', (chunk) => (stdout += chunk));
const [code] = (await once(child, 'exit')) as [number];
const { peakBytes } = memory.stop();
const seconds = (performance.now() - started) / 1000;
const vectorBytes = (DOCS + QUERIES) * DIM * 4;
const budget = 1.5 * vectorBytes + 2 ** 30;
console.log(stdout.split('\n').slice(0, 22).join('\n'));
console.log(`\nexit ${code}; ${seconds.toFixed(1)} s in all`);
console.log(`peak RSS ${(peakBytes / 2 ** 30).toFixed(2)} GB against a budget of ${(budget / 2 ** 30).toFixed(2)} GB (1.5 × ${(vectorBytes / 2 ** 30).toFixed(2)} GB of float32 vectors + 1 GB): ${peakBytes <= budget ? 'within' : 'OVER'}`);
if (code !== 0) console.log(stderr.split('\n').slice(-5).join('\n'));
rmSync(dir, { recursive: true, force: true });
