/**
 * `npm run bench:bm25 [DOCUMENTS] [QUERIES]`: the built-in BM25 (`src/core/lexical/`) on SciFact and on a
 * generated corpus (default 1 000 000 documents × 10 000 queries; 0 documents skips it), side by side with
 * bm25s when python3 has it. Each side runs in its own process on the same texts (written to a temporary
 * folder as JSON lines): ours tokenizes and indexes (`buildBm25Index`), weighs (lucene, k1 1.5, b 0.75) and
 * ranks every query to depth 100; bm25s runs `bm25s.tokenize` + `BM25().index` + `tokenize` + `retrieve(k=100)`
 * (numpy backend, one thread, as installed; on the generated corpus the first 1 000 queries). Prints index time, query throughput and peak RSS (VmHWM) of
 * each, the ratios, the agreement of the top-1 scores, and our peak RSS against 1.5 × the corpus text size +
 * 1 GB. Figures, never assertions.
 *
 * The generated corpus: a vocabulary of 50 000 made-up words, documents of 10–110 words drawn from a Zipf
 * law (s = 1), queries of 2–8 words from the same law without its 100 most frequent words — they occur in
 * nearly every document and play the part of the stop words a real query loses; with them every query would
 * walk most of the million postings lists' entries and measure memory bandwidth, not BM25.
 *
 * `benchBm25.ts --side DIR` is the child that runs our side on DIR's files and prints its figures as JSON.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { mulberry32 } from '../src/core/metrics/random.ts';
import { buildBm25Index } from '../src/core/lexical/bm25Index.ts';
import { rankBm25 } from '../src/core/lexical/bm25Ranking.ts';
import { BM25_DEFAULTS, bm25Weights } from '../src/core/lexical/bm25Scoring.ts';
import { loadBm25Tokenizer } from '../src/core/lexical/bm25Tokenizer.ts';
import { watchPeakMemory } from './scaleData.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SCIFACT = path.join(ROOT, '..', 'shared', 'data', 'scifact');
const DEPTH = 100;
/** Queries the bm25s side ranks at most on the generated corpus. */
const BM25S_QUERIES = 1000;

interface SideFigures {
  /** Seconds: tokenizing and indexing the documents (bm25s: tokenize + index). */
  indexSeconds: number;
  /** Seconds: tokenizing and ranking every query. */
  querySeconds: number;
  terms: number;
  postings: number;
  /** CPU seconds of the same two stages (the machine may be shared: wall time then overstates). */
  indexCpuSeconds: number;
  queryCpuSeconds: number;
  /** Each query's best score, for the agreement check. */
  top1: number[];
  detail: string;
}

/** The texts of a JSON-lines file, read as a stream: only the texts themselves stay in memory. */
async function readLines(file: string): Promise<string[]> {
  const texts: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line) texts.push(JSON.parse(line) as string);
  return texts;
}

/** Our side, in this (child) process. */
async function runOurs(dir: string): Promise<void> {
  const documents = await readLines(path.join(dir, 'documents.jsonl'));
  const queries = await readLines(path.join(dir, 'queries.jsonl'));
  const cpu = () => process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;
  let started = performance.now();
  const tokenizer = await loadBm25Tokenizer();
  const loadSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const indexCpu = cpu();
  const index = await buildBm25Index(documents, tokenizer);
  const indexSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const weights = bm25Weights(index, BM25_DEFAULTS);
  const weightSeconds = (performance.now() - started) / 1000;
  const queryCpu = cpu();
  started = performance.now();
  const ranked = await rankBm25(index, weights, queries, DEPTH);
  const querySeconds = (performance.now() - started) / 1000;
  const figures: SideFigures = {
    indexSeconds: indexSeconds + weightSeconds,
    querySeconds,
    indexCpuSeconds: queryCpu - indexCpu,
    queryCpuSeconds: cpu() - queryCpu,
    terms: index.terms.length,
    postings: index.docs.length,
    top1: Array.from({ length: queries.length }, (_, q) => ranked.scores[q * ranked.k]),
    detail: `stemmer load ${loadSeconds.toFixed(2)} s (not counted), tokenize + invert ${indexSeconds.toFixed(2)} s, weights ${weightSeconds.toFixed(2)} s`,
  };
  process.stdout.write(JSON.stringify(figures));
}

const BM25S_SIDE = `
import json, sys, time
import bm25s, Stemmer
folder = sys.argv[1]
read = lambda name: [json.loads(line) for line in open(f"{folder}/{name}", encoding="utf-8") if line.strip()]
documents, queries = read("documents.jsonl"), read("queries.jsonl")[: int(sys.argv[2])]
stemmer = Stemmer.Stemmer("english")
started, started_cpu = time.perf_counter(), time.process_time()
corpus = bm25s.tokenize(documents, stopwords="en", stemmer=stemmer, show_progress=False)
tokenized = time.perf_counter()
retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
retriever.index(corpus, show_progress=False)
indexed, indexed_cpu = time.perf_counter(), time.process_time()
query_tokens = bm25s.tokenize(queries, stopwords="en", stemmer=stemmer, show_progress=False)
docs, scores = retriever.retrieve(query_tokens, k=${DEPTH}, show_progress=False)
done, done_cpu = time.perf_counter(), time.process_time()
print(json.dumps({
    "indexSeconds": indexed - started,
    "querySeconds": done - indexed,
    "indexCpuSeconds": indexed_cpu - started_cpu,
    "queryCpuSeconds": done_cpu - indexed_cpu,
    "terms": len(corpus.vocab),
    "postings": int(retriever.scores["data"].shape[0]),
    "top1": [float(s) for s in scores[:, 0]],
    "detail": f"tokenize {tokenized - started:.2f} s, index {indexed - tokenized:.2f} s; bm25s {bm25s.__version__}, backend {retriever.backend}",
}))
`;

/** Runs one side in a child process, watching its peak RSS. */
async function runSide(command: string, args: string[]): Promise<{ figures: SideFigures; peakBytes: number } | { error: string }> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const memory = watchPeakMemory(() => [child.pid!]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number];
  const { peakBytes } = memory.stop();
  if (code !== 0) return { error: `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` };
  return { figures: JSON.parse(stdout) as SideFigures, peakBytes };
}

function bm25sMissing(): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = spawn('python3', ['-c', 'import bm25s, Stemmer'], { stdio: 'ignore' });
    probe.on('error', (error) => resolve(`python3 cannot be run (${error.message})`));
    probe.on('exit', (code) => resolve(code === 0 ? null : 'python3 lacks bm25s or PyStemmer'));
  });
}

/** Writes `texts` as JSON lines; returns their size in UTF-8 (the corpus text size the memory budget is about). */
async function writeLines(file: string, texts: Iterable<string>): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  for (const text of texts) {
    bytes += Buffer.byteLength(text);
    if (!out.write(`${JSON.stringify(text)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

function* scifactTexts(file: string, withTitle: boolean): Generator<string> {
  for (const line of readFileSync(path.join(SCIFACT, file), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as { title?: string; text: string };
    yield withTitle && record.title?.trim() ? `${record.title} ${record.text}` : record.text;
  }
}

/** A Zipf(s = 1) sampler over ranks 0 … size − 1, by inverse CDF. */
function zipf(size: number, random: () => number): (from?: number) => number {
  const cdf = new Float64Array(size);
  let sum = 0;
  for (let r = 0; r < size; r++) cdf[r] = sum += 1 / (r + 1);
  return (from = 0) => {
    const low = from ? cdf[from - 1] : 0;
    const target = low + random() * (sum - low);
    let lo = from;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function writeGenerated(dir: string, documents: number, queries: number): Promise<number> {
  const random = mulberry32(2026);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const vocabulary = new Set<string>();
  while (vocabulary.size < 50_000) {
    const length = 3 + Math.floor(random() * 8);
    let word = '';
    for (let i = 0; i < length; i++) word += letters[Math.floor(random() * 26)];
    vocabulary.add(word);
  }
  const words = [...vocabulary];
  const draw = zipf(words.length, random);
  const text = (count: number, from: number) => Array.from({ length: count }, () => words[draw(from)]).join(' ');
  const bytes = await writeLines(path.join(dir, 'documents.jsonl'), (function* () {
    for (let d = 0; d < documents; d++) yield text(10 + Math.floor(random() * 101), 0);
  })());
  await writeLines(path.join(dir, 'queries.jsonl'), (function* () {
    for (let q = 0; q < queries; q++) yield text(2 + Math.floor(random() * 7), 100);
  })());
  return bytes;
}

const timing = (f: SideFigures, queries: number) =>
  `index ${f.indexSeconds.toFixed(2)} s (CPU ${f.indexCpuSeconds.toFixed(2)} s) · ${(queries / f.querySeconds).toFixed(0)} queries/s (${f.querySeconds.toFixed(2)} s, CPU ${f.queryCpuSeconds.toFixed(2)} s)`;

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GB`;

async function bench(label: string, dir: string, python: string | null, textBytes: number, bm25sQueries = Infinity): Promise<void> {
  const queryCount = (await readLines(path.join(dir, 'queries.jsonl'))).length;
  console.log(`\n## ${label}: ${queryCount} queries; document text ${gb(textBytes)} (UTF-8)`);
  const ours = await runSide(process.execPath, ['--max-old-space-size=16384', '--import', 'tsx', path.join(ROOT, 'scripts/benchBm25.ts'), '--side', dir]);
  if ('error' in ours) {
    console.log(`ours failed: ${ours.error}`);
    return;
  }
  const o = ours.figures;
  console.log(`ours:  ${timing(o, queryCount)} · peak RSS ${gb(ours.peakBytes)} · ${o.terms} terms, ${o.postings} postings · ${o.detail}`);
  const budget = 1.5 * textBytes + 2 ** 30;
  console.log(`       peak RSS against 1.5 × the corpus text + 1 GB = ${gb(budget)}: ${ours.peakBytes <= budget ? 'within' : 'OVER'}`);
  if (python) {
    console.log(`bm25s: skipped — ${python}`);
    return;
  }
  // bm25s selects over every document per query (argpartition): on a large corpus a sample of the queries
  // measures its throughput well enough, and all of them would take most of an hour.
  const sample = Math.min(queryCount, bm25sQueries);
  const theirs = await runSide('python3', ['-c', BM25S_SIDE, dir, String(sample)]);
  if ('error' in theirs) {
    console.log(`bm25s failed: ${theirs.error}`);
    return;
  }
  const t = theirs.figures;
  console.log(`bm25s: ${timing(t, sample)}${sample < queryCount ? ` (the first ${sample} queries)` : ''} · peak RSS ${gb(theirs.peakBytes)} · ${t.terms - 1} terms, ${t.postings} postings · ${t.detail}`);
  let worst = 0;
  for (let q = 0; q < sample; q++) worst = Math.max(worst, Math.abs(o.top1[q] - t.top1[q]) / Math.max(Math.abs(t.top1[q]), 1e-30));
  console.log(
    `ratio (bm25s ÷ ours): index time × ${(t.indexSeconds / o.indexSeconds).toFixed(2)} (CPU × ${(t.indexCpuSeconds / o.indexCpuSeconds).toFixed(2)}), time per query × ${(t.querySeconds / sample / (o.querySeconds / queryCount)).toFixed(2)} (CPU × ${(t.queryCpuSeconds / sample / (o.queryCpuSeconds / queryCount)).toFixed(2)}), peak RSS × ${(theirs.peakBytes / ours.peakBytes).toFixed(2)}; top-1 scores agree to ${worst.toExponential(1)} relative`,
  );
}

if (process.argv[2] === '--side') {
  await runOurs(process.argv[3]);
} else {
  const documents = Number(process.argv[2] ?? 1_000_000);
  const queries = Number(process.argv[3] ?? 10_000);
  const python = await bm25sMissing();
  console.log(`bench:bm25 — lucene, k1 1.5, b 0.75, depth ${DEPTH}; bm25s side: ${python ?? 'python3 bm25s'}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-bm25-'));
  try {
    const scifact = path.join(dir, 'scifact');
    mkdirSync(scifact);
    const scifactBytes = await writeLines(path.join(scifact, 'documents.jsonl'), scifactTexts('corpus.jsonl', true));
    await writeLines(path.join(scifact, 'queries.jsonl'), scifactTexts('queries.jsonl', false));
    await bench('SciFact (5 183 documents, every query of queries.jsonl)', scifact, python, scifactBytes);
    if (documents > 0) {
      const generated = path.join(dir, 'generated');
      mkdirSync(generated);
      const started = performance.now();
      const generatedBytes = await writeGenerated(generated, documents, queries);
      console.log(`\n(generated ${documents} documents and ${queries} queries in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
      await bench(`generated: ${documents} documents of 10–110 Zipf words`, generated, python, generatedBytes, BM25S_QUERIES);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
