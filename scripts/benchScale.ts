/**
 * `npm run bench:scale [DOCUMENTS] [QUERIES]`: the lab at the sizes teams bring, through the CLI (defaults
 * 1 000 000 documents × 384 and 10 000 queries). The bench generates a BEIR folder of ids, the documents'
 * and queries' vectors as .npy — real SciFact vectors of lab-minilm-l6-base (from the CLI's embedding cache,
 * when there) plus seeded noise, each query near its one relevant document — and a BM25-like run file; then
 * `embedlab eval --vectors … --run …` ranks (top-100), scores the default metrics and computes the diagnostics
 * on their seeded samples. Prints the stages' times and the peak RSS against 1.5 × the vectors' float32
 * size + 1 GB. Figures, never assertions.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { mulberry32 } from '../src/core/metrics/random.ts';
import { normalizeRows } from '../src/core/vectors/normalize.ts';
import { defaultCacheDir } from '../src/cli/diskEmbeddingStore.ts';

const DOCS = Number(process.argv[2] ?? 1_000_000);
const QUERIES = Number(process.argv[3] ?? 10_000);
const DIM = 384;
const ROOT = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-scale-'));
const random = mulberry32(20260101);
const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** Real embeddings to start from: any model folder's cached vectors (SciFact after `npm test`), else random. */
function seedVectors(): { vectors: Float32Array; count: number; from: string } {
  const cache = defaultCacheDir();
  if (existsSync(cache)) {
    for (const model of readdirSync(cache)) {
      const file = path.join(cache, model, 'vectors.f32');
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      if (vectors.length >= DIM * 1000 && vectors.length % DIM === 0) return { vectors, count: vectors.length / DIM, from: `cached embeddings ${model.slice(0, 12)}…` };
    }
  }
  const vectors = Float32Array.from({ length: 5000 * DIM }, gauss);
  return { vectors, count: 5000, from: 'random Gaussian vectors (no embedding cache here)' };
}

/** Writes a float32 .npy of `rows` rows, made `block` rows at a time (the whole matrix is never held here). */
async function writeNpy(file: string, rows: number, row: (i: number, out: Float32Array) => void): Promise<void> {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${DIM}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const stream = createWriteStream(file);
  const head = Buffer.alloc(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  stream.write(head);
  stream.write(header, 'latin1');
  const block = 4096;
  const buffer = new Float32Array(block * DIM);
  for (let start = 0; start < rows; start += block) {
    const n = Math.min(block, rows - start);
    for (let i = 0; i < n; i++) row(start + i, buffer.subarray(i * DIM, (i + 1) * DIM));
    normalizeRows(buffer.subarray(0, n * DIM), DIM);
    if (!stream.write(Buffer.from(buffer.buffer, 0, n * DIM * 4))) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

const seed = seedVectors();
console.log(`bench:scale: ${DOCS} documents × ${DIM}, ${QUERIES} queries; vectors from ${seed.from} plus seeded noise`);
const data = path.join(dir, 'data');
mkdirSync(path.join(data, 'qrels'), { recursive: true });
const relevant = Int32Array.from({ length: QUERIES }, () => Math.floor(random() * DOCS));
writeFileSync(path.join(data, 'corpus.jsonl'), Array.from({ length: DOCS }, (_, i) => `{"_id":"d${i}","title":"","text":"document ${i}"}`).join('\n'));
writeFileSync(path.join(data, 'queries.jsonl'), Array.from({ length: QUERIES }, (_, q) => `{"_id":"q${q}","text":"query ${q}"}`).join('\n'));
writeFileSync(path.join(data, 'qrels/test.tsv'), `query-id\tcorpus-id\tscore\n${Array.from(relevant, (d, q) => `q${q}\td${d}\t1`).join('\n')}\n`);

const vectors = path.join(dir, 'vectors');
mkdirSync(vectors);
const documentRow = (i: number, out: Float32Array) => {
  const base = (i % seed.count) * DIM;
  for (let j = 0; j < DIM; j++) out[j] = seed.vectors[base + j] + 0.35 * gauss() * Math.abs(seed.vectors[base + j] + 0.05);
};
const docRows = new Map<number, Float32Array>();
for (const d of relevant) docRows.set(d, new Float32Array(DIM));
let started = performance.now();
await writeNpy(path.join(vectors, 'documents.npy'), DOCS, (i, out) => {
  documentRow(i, out);
  docRows.get(i)?.set(out);
});
await writeNpy(path.join(vectors, 'queries.npy'), QUERIES, (q, out) => {
  const doc = docRows.get(relevant[q])!;
  for (let j = 0; j < DIM; j++) out[j] = doc[j] + 0.09 * gauss();
});
// A BM25-like ranking: the relevant document somewhere in the top 100 for 70 % of queries.
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
let peakKb = 0;
const poll = setInterval(() => {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
  } catch {
    // the process has exited
  }
}, 100);
let stderr = '';
let stdout = '';
child.stderr.on('data', (chunk) => {
  stderr += chunk;
  process.stderr.write(`  [${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${String(chunk).trimEnd().replace(/\n/g, '\n         ')}\n`);
});
child.stdout.on('data', (chunk) => (stdout += chunk));
const [code] = (await once(child, 'exit')) as [number];
clearInterval(poll);
const seconds = (performance.now() - started) / 1000;
const vectorBytes = (DOCS + QUERIES) * DIM * 4;
const budget = 1.5 * vectorBytes + 2 ** 30;
console.log(stdout.split('\n').slice(0, 22).join('\n'));
console.log(`\nexit ${code}; ${seconds.toFixed(1)} s in all`);
console.log(`peak RSS ${(peakKb / 2 ** 20).toFixed(2)} GB against a budget of ${(budget / 2 ** 30).toFixed(2)} GB (1.5 × ${(vectorBytes / 2 ** 30).toFixed(2)} GB of float32 vectors + 1 GB): ${peakKb * 1024 <= budget ? 'within' : 'OVER'}`);
if (code !== 0) console.log(stderr.split('\n').slice(-5).join('\n'));
rmSync(dir, { recursive: true, force: true });
