/**
 * Generated data for the scale benches (`bench:scale`): a BEIR folder of ids with one relevant document per
 * query, and vector files made from real embeddings plus seeded noise — real SciFact vectors of a model from
 * the CLI's embedding cache when there (after `npm test`), else random Gaussian ones. Each query sits near
 * its relevant document, so the metrics are neither 0 nor 1. Nothing here holds a whole matrix: rows are
 * made and written a block at a time.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { mulberry32 } from '../src/core/metrics/random.ts';
import { toFloat16Array } from '../src/core/vectors/float16.ts';
import { normalizeRows } from '../src/core/vectors/normalize.ts';
import { defaultCacheDir } from '../src/cli/diskEmbeddingStore.ts';

export const DIM = 384;

export interface ScaleData {
  /** The BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv. */
  data: string;
  documents: number;
  queries: number;
  /** The relevant document of each query. */
  relevant: Int32Array;
  /** Where the seed vectors came from, for the bench's first line. */
  seededFrom: string;
  /** Writes one checkpoint's documents.npy and queries.npy into `folder`, its noise drawn from `seed`. */
  writeVectors(folder: string, options: VectorOptions): Promise<void>;
}

/** The element type a scale bench writes, from its command-line argument (`float32` unless given). */
export function vectorPrecision(argument: string | undefined): 'float32' | 'float16' {
  const precision = argument ?? 'float32';
  if (precision !== 'float32' && precision !== 'float16') throw new Error(`the fourth argument is the vectors' element type: float32 or float16 (got ${precision})`);
  return precision;
}

/** The format a scale bench writes vectors in, from its command-line argument (`npy` unless given). */
export function vectorFormat(argument: string | undefined, what: string): 'npy' | 'parquet' | 'feather' {
  const format = argument ?? 'npy';
  if (format !== 'npy' && format !== 'parquet' && format !== 'feather') throw new Error(`the third argument is ${what}: npy, parquet or feather (got ${format})`);
  return format;
}

/**
 * Rewrites a folder of `.npy` vectors (with ids files, or in the dataset's order) as `parts` table files of
 * both sides, as a Ray Data or Spark job writes them: `part-0000N.parquet` (or `.feather`) with `id`, `kind`
 * and a `FixedSizeList<float32>` (or `<float16>`, as the .npy files are) embedding, plus `_SUCCESS`. pyarrow writes them (the lab's readers are not
 * the writer), one part in memory at a time.
 */
export function toTableParts(folder: string, format: 'parquet' | 'feather', parts = 4): void {
  execFileSync('python3', ['-c', `
import numpy as np, os, pyarrow as pa, pyarrow.feather as feather, pyarrow.parquet as pq
folder, fmt, parts = ${JSON.stringify(folder)}, ${JSON.stringify(format)}, ${parts}
sides = []
for side, kind in (("documents", "document"), ("queries", "query")):
    rows = np.load(os.path.join(folder, side + ".npy"), mmap_mode="r")
    ids_file = os.path.join(folder, side + ".ids.txt")
    # Without an ids file the rows are the dataset's, in order: its ids are d0, d1, … and q0, q1, …
    ids = open(ids_file).read().splitlines() if os.path.exists(ids_file) else [kind[0] + str(i) for i in range(len(rows))]
    sides.append((rows, ids, kind))
total = sum(len(ids) for _, ids, _ in sides)
per = -(-total // parts)
# Parts cut across the concatenation of both sides, so one part holds documents and queries, as a job's would.
order = [(s, i) for s, (_, ids, _) in enumerate(sides) for i in range(len(ids))]
for part in range(parts):
    chunk = order[part * per:(part + 1) * per]
    if not chunk:
        break
    matrix = np.empty((len(chunk), sides[0][0].shape[1]), dtype=sides[0][0].dtype)
    for s in range(len(sides)):
        picked = [(j, i) for j, (t, i) in enumerate(chunk) if t == s]
        if picked:
            matrix[[j for j, _ in picked]] = sides[s][0][[i for _, i in picked]]
    table = pa.table({
        "id": [sides[s][1][i] for s, i in chunk],
        "kind": [sides[s][2] for s, _ in chunk],
        "embedding": pa.FixedSizeListArray.from_arrays(pa.array(matrix.reshape(-1)), matrix.shape[1]),
    })
    name = os.path.join(folder, f"part-{part:05d}.{fmt}")
    if fmt == "parquet":
        pq.write_table(table, name)
    else:
        feather.write_feather(table, name)
open(os.path.join(folder, "_SUCCESS"), "w").close()
for side in ("documents", "queries"):
    os.remove(os.path.join(folder, side + ".npy"))
    if os.path.exists(os.path.join(folder, side + ".ids.txt")):
        os.remove(os.path.join(folder, side + ".ids.txt"))
`], { stdio: 'inherit' });
}

export interface VectorOptions {
  seed: number;
  /** Relative noise on each document value (0.35 keeps the rankings informative). */
  documentNoise: number;
  /** Absolute noise of each query around its relevant document. */
  queryNoise: number;
  /**
   * Rows written in a shuffled order with `documents.ids.txt` / `queries.ids.txt` beside them (the page and
   * the CLI then align by id), instead of the dataset's order without ids.
   */
  shuffled?: boolean;
  /** The element type written (float16: rounded as NumPy's `astype(np.float16)` does). */
  precision?: 'float32' | 'float16';
}

function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

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
  const gauss = gaussian(mulberry32(7));
  const vectors = Float32Array.from({ length: 5000 * DIM }, gauss);
  return { vectors, count: 5000, from: 'random Gaussian vectors (no embedding cache here)' };
}

/** Writes a float32 (or float16) .npy of `rows` unit rows, made a block at a time; `order[i]` is the row written i-th. */
async function writeNpy(file: string, rows: number, row: (i: number, out: Float32Array) => void, order: Int32Array | null, precision: 'float32' | 'float16'): Promise<void> {
  let header = `{'descr': '${precision === 'float16' ? '<f2' : '<f4'}', 'fortran_order': False, 'shape': (${rows}, ${DIM}), }`;
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
    for (let i = 0; i < n; i++) row(order ? order[start + i] : start + i, buffer.subarray(i * DIM, (i + 1) * DIM));
    normalizeRows(buffer.subarray(0, n * DIM), DIM);
    const bytes = precision === 'float16' ? Buffer.from(toFloat16Array(buffer.subarray(0, n * DIM)).buffer) : Buffer.from(buffer.buffer, 0, n * DIM * 4);
    if (!stream.write(bytes)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

/** A seeded permutation of 0 … n − 1 (Fisher–Yates). */
function shuffledOrder(n: number, random: () => number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Writes the BEIR folder under `dir` and returns it with a writer for vector files over it. */
export function makeScaleData(dir: string, documents: number, queries: number): ScaleData {
  const seed = seedVectors();
  const random = mulberry32(20260101);
  const data = path.join(dir, 'data');
  mkdirSync(path.join(data, 'qrels'), { recursive: true });
  const relevant = Int32Array.from({ length: queries }, () => Math.floor(random() * documents));
  writeLines(path.join(data, 'corpus.jsonl'), documents, (i) => `{"_id":"d${i}","title":"","text":"document ${i}"}`);
  writeLines(path.join(data, 'queries.jsonl'), queries, (q) => `{"_id":"q${q}","text":"query ${q}"}`);
  writeFileSync(path.join(data, 'qrels/test.tsv'), `query-id\tcorpus-id\tscore\n${Array.from(relevant, (d, q) => `q${q}\td${d}\t1`).join('\n')}\n`);

  async function writeVectors(folder: string, options: VectorOptions): Promise<void> {
    mkdirSync(folder, { recursive: true });
    const gauss = gaussian(mulberry32(options.seed));
    const documentOrder = options.shuffled ? shuffledOrder(documents, mulberry32(options.seed + 1)) : null;
    const queryOrder = options.shuffled ? shuffledOrder(queries, mulberry32(options.seed + 2)) : null;
    // Relevant documents' rows are kept to place their queries near them (the document the query's row is made from).
    const relevantRows = new Map<number, Float32Array>();
    for (const d of relevant) relevantRows.set(d, new Float32Array(DIM));
    await writeNpy(
      path.join(folder, 'documents.npy'),
      documents,
      (i, out) => {
        const base = (i % seed.count) * DIM;
        for (let j = 0; j < DIM; j++) out[j] = seed.vectors[base + j] + options.documentNoise * gauss() * Math.abs(seed.vectors[base + j] + 0.05);
        relevantRows.get(i)?.set(out);
      },
      documentOrder,
      options.precision ?? 'float32',
    );
    await writeNpy(
      path.join(folder, 'queries.npy'),
      queries,
      (q, out) => {
        const doc = relevantRows.get(relevant[q])!;
        for (let j = 0; j < DIM; j++) out[j] = doc[j] + options.queryNoise * gauss();
      },
      queryOrder,
      options.precision ?? 'float32',
    );
    if (documentOrder) writeLines(path.join(folder, 'documents.ids.txt'), documents, (i) => `d${documentOrder[i]}`);
    if (queryOrder) writeLines(path.join(folder, 'queries.ids.txt'), queries, (i) => `q${queryOrder[i]}`);
  }

  return { data, documents, queries, relevant, seededFrom: seed.from, writeVectors };
}

/** A file of `count` lines, written in slices (a million-line join would be one huge string). */
function writeLines(file: string, count: number, line: (i: number) => string): void {
  writeFileSync(file, '');
  const slice = 100_000;
  for (let start = 0; start < count; start += slice) {
    const lines = Array.from({ length: Math.min(slice, count - start) }, (_, i) => line(start + i));
    writeFileSync(file, `${lines.join('\n')}\n`, { flag: 'a' });
  }
}

/**
 * Peak resident memory of the processes `pids` lists (the highest VmHWM of one, and the highest VmRSS of all
 * together, with when it was seen: `performance.now()`), sampled every 100 ms until stopped.
 */
export function watchPeakMemory(pids: () => number[]): { stop(): { peakBytes: number; peakSumBytes: number; peakSumAt: number } } {
  let peakBytes = 0;
  let peakSumBytes = 0;
  let peakSumAt = 0;
  const sample = () => {
    let sum = 0;
    for (const pid of pids()) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        peakBytes = Math.max(peakBytes, 1024 * Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
        sum += 1024 * Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      } catch {
        // the process has exited
      }
    }
    if (sum > peakSumBytes) [peakSumBytes, peakSumAt] = [sum, performance.now()];
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakBytes, peakSumBytes, peakSumAt };
    },
  };
}
