/**
 * `npm run bench:formats [MB]`: how the parquet readers the lab could use compare on a vector file of the
 * size teams bring (default 500 MB: ids + FixedSizeList<float32>[384], written by pyarrow in row groups of
 * 65 536 rows). Each reader runs in a fresh Node process: seconds to rows in a Float32Array, and the peak
 * RSS. Also the bundle each would add to the page. Prints figures; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

const megabytes = Number(process.argv[2] ?? 500);
const rows = Math.round((megabytes * 2 ** 20) / (384 * 4 + 12));
const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-formats-'));
const file = path.join(dir, 'documents.parquet');
const feather = path.join(dir, 'documents.feather');
const ROOT = path.resolve(import.meta.dirname, '..');

try {
  execFileSync('python3', ['-c', 'import pyarrow'], { stdio: 'ignore' });
} catch {
  console.error('bench:formats needs python3 with pyarrow to write the test file (bash scripts/ensureTestDeps.sh installs it where pip can)');
  process.exit(1);
}
execFileSync('python3', ['-c', `
import numpy as np, pyarrow as pa, pyarrow.parquet as pq, pyarrow.feather
rng = np.random.default_rng(1)
n = ${rows}
emb = rng.standard_normal((n, 384), dtype=np.float32)
ids = [f"doc-{i}" for i in range(n)]
table = pa.table({"id": ids, "embedding": pa.FixedSizeListArray.from_arrays(pa.array(emb.reshape(-1)), 384)})
pq.write_table(table, "${file}", row_group_size=65536)
pa.feather.write_feather(table, "${feather}")
`]);
console.log(`${file}: ${(statSync(file).size / 2 ** 20).toFixed(0)} MB, ${rows} rows × 384 float32`);
console.log(`${feather}: ${(statSync(feather).size / 2 ** 20).toFixed(0)} MB, the same table as Feather v2 (LZ4, record batches of 65 536 rows)`);

/** The CLI's positioned reads, for the lab's streamed readers. */
const rangeReader = `
    import { open } from 'node:fs/promises';
    import { byteRange } from '${ROOT}/src/core/data/vectorFiles/readFile.ts';
    const handle = await open(process.argv[2]);
    const size = (await handle.stat()).size;
    const read = async (_path, range) => {
      const { start, end } = byteRange(size, range);
      const bytes = new Uint8Array(end - start);
      await handle.read(bytes, 0, bytes.length, start);
      return bytes;
    };`;
/** Places a table part's rows, in order, in one Float32Array, and prints the figures. */
const placeAll = `
    const vectors = new Float32Array(part.count * part.dim);
    await part.placeRows([{ targets: Int32Array.from({ length: part.count }, (_, i) => i), vectors }]);
    console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, rows: part.count, rssMB: process.resourceUsage().maxRSS / 1024 }));`;

/** Places a decoded Arrow table's rows, in order, in one Float32Array, and prints the figures. */
const placeTable = `
    import { arrowColumns, batchIds, placeBatchRows } from '${ROOT}/src/core/data/vectorFiles/arrowTable.ts';
    const columns = arrowColumns(table.schema, 'x');
    const ids = table.batches.flatMap((batch) => batchIds(batch, columns, 'x', 0));
    const vectors = new Float32Array(table.numRows * columns.listSize);
    const targets = Int32Array.from({ length: table.numRows }, (_, i) => i);
    let first = 0;
    for (const batch of table.batches) {
      placeBatchRows(batch, columns, 'x', first, columns.listSize, ids, [{ targets, vectors }]);
      first += batch.numRows;
    }
    console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, rows: table.numRows, rssMB: process.resourceUsage().maxRSS / 1024 }));`;
const readers: Record<string, { input: string; source: string }> = {
  'parquet: hyparquet page decoders, streamed (the lab)': { input: file, source: `${rangeReader}
    import { openParquetPart } from '${ROOT}/src/core/data/vectorFiles/parquetFile.ts';
    const started = performance.now();
    const part = await openParquetPart(read, process.argv[2], 'x.parquet');${placeAll}` },
  'parquet: parquet-wasm + apache-arrow, whole file': { input: file, source: `
    import * as pw from 'parquet-wasm';
    import { tableFromIPC } from 'apache-arrow';
    import { readFileSync } from 'node:fs';
    const started = performance.now();
    const table = tableFromIPC(pw.readParquet(new Uint8Array(readFileSync(process.argv[2]))).intoIPCStream());
${placeTable}` },
  'parquet: hyparquet (rows as objects)': { input: file, source: `
    import { parquetReadObjects } from 'hyparquet';
    import { readFileSync, writeFileSync } from 'node:fs';
    const started = performance.now();
    const bytes = readFileSync(process.argv[2]);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const objects = await parquetReadObjects({ file, columns: ['id', 'embedding'] });
    const dim = objects[0].embedding.length;
    const vectors = new Float32Array(objects.length * dim);
    objects.forEach((o, i) => vectors.set(o.embedding, i * dim));
    console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, rows: objects.length, rssMB: process.resourceUsage().maxRSS / 1024 }));` },
  'Feather: apache-arrow record batches, streamed (the lab)': { input: feather, source: `${rangeReader}
    import { openArrowPart } from '${ROOT}/src/core/data/vectorFiles/arrowFile.ts';
    const started = performance.now();
    const part = await openArrowPart(read, process.argv[2], 'x.feather');${placeAll}` },
  'Feather: apache-arrow tableFromIPC, whole file': { input: feather, source: `
    import { tableFromIPC } from 'apache-arrow';
    import { readFileSync } from 'node:fs';
    import { registerArrowCodecs } from '${ROOT}/src/core/data/vectorFiles/arrowCodecs.ts';
    registerArrowCodecs();
    const started = performance.now();
    const table = tableFromIPC(readFileSync(process.argv[2]));${placeTable}` },
};

for (const [index, [name, { input, source }]] of Object.entries(readers).entries()) {
  // Inside the project, so the packages resolve; .cache/ is git-ignored.
  const script = path.join(ROOT, '.cache', `bench-formats-${index}.mts`);
  mkdirSync(path.dirname(script), { recursive: true });
  writeFileSync(script, source);
  try {
    const out = execFileSync(process.execPath, ['--max-old-space-size=16000', '--import', 'tsx', script, input], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
    const { seconds, rows: read, rssMB } = JSON.parse(out.trim().split('\n').pop()!);
    const size = statSync(input).size / 2 ** 20;
    console.log(`${name}: ${seconds.toFixed(1)} s (${(size / seconds).toFixed(0)} MB/s), ${read} rows, peak RSS ${(rssMB / 1024).toFixed(2)} GB (${(rssMB / size).toFixed(1)}× the file)`);
  } catch (error) {
    console.log(`${name}: failed (${String((error as Error).message).split('\n')[0]})`);
  }
}

// What each adds to the page, minified and gzipped (parquet-wasm also fetches its .wasm on first use).
const lab = `export { openParquetPart } from '${ROOT}/src/core/data/vectorFiles/parquetFile.ts';`;
for (const [name, contents] of [['the lab\'s parquet reader (hyparquet + hyparquet-compressors)', lab], ['parquet-wasm JS', `export * from 'parquet-wasm/esm';`]] as const) {
  const result = await build({ stdin: { contents, resolveDir: ROOT }, bundle: true, minify: true, format: 'esm', write: false, logLevel: 'silent', platform: 'browser', external: ['*.wasm'] });
  const bytes = result.outputFiles[0].contents;
  console.log(`bundle ${name}: ${(bytes.length / 1024).toFixed(0)} KB minified, ${(gzipSync(bytes).length / 1024).toFixed(0)} KB gzipped`);
}
const wasm = path.join(ROOT, 'node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm');
if (existsSync(wasm)) {
  const bytes = readFileSync(wasm);
  console.log(`bundle parquet-wasm .wasm: ${(bytes.length / 2 ** 20).toFixed(2)} MB, ${(gzipSync(bytes).length / 2 ** 20).toFixed(2)} MB gzipped (fetched only when a parquet file is read)`);
}
