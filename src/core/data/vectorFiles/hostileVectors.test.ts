import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { circleDataset } from '../../../../tests/fixtures/comparisonCase.ts';
import { HAS_PYARROW, PYARROW_MISSING } from '../../../../tests/fixtures/vectors/numpyWriter.ts';
import { DataError } from '../dataset.ts';
import { byteRange, type ReadFile } from './readFile.ts';
import { readVectorFiles } from './vectorFiles.ts';
import { npyBytes as npy } from '../../../../tests/fixtures/vectors/npyBytes.ts';

/** The circle case's vectors (see comparisonCase.ts): five documents and three queries in 2-D. */
const DOCUMENTS = [[1, 0], [0.8, 0.6], [0, 1], [-1, 0], [0, -2]];
const QUERIES = [[0.9, 0.1], [-1, 0.2], [0, -1]];
const DOC_IDS = ['d1', 'd2', 'd3', 'd4', 'd5'];
const QUERY_IDS = ['q1', 'q2', 'q3'];


/** A folder of files in memory, read as the CLI reads a folder (by range). */
function inMemory(files: Record<string, Uint8Array | string>): { paths: string[]; read: ReadFile } {
  const bytes = Object.fromEntries(Object.entries(files).map(([name, content]) => [name, typeof content === 'string' ? new TextEncoder().encode(content) : content]));
  return {
    paths: Object.keys(files),
    read: async (p, range) => {
      const file = bytes[p];
      if (!range) return file;
      const { start, end } = byteRange(file.length, range);
      return file.slice(start, end);
    },
  };
}

async function failure(files: Record<string, Uint8Array | string>): Promise<DataError> {
  const { paths, read } = inMemory(files);
  const error = await readVectorFiles(paths, read, circleDataset()).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

const flat = (rows: number[][]) => rows.flat();
const queriesNpy = () => npy(flat(QUERIES), [3, 2]);

describe('imported vectors whose values are wrong are errors naming the file, the row and the id', () => {
  it('NaN, ±Infinity and a page of 0xFF bytes (NaN in float32), with ids or in order', async () => {
    const withNaN = flat(DOCUMENTS);
    withNaN[5] = NaN; // d3, element 2
    expect((await failure({ 'documents.npy': npy(withNaN, [5, 2]), 'queries.npy': queriesNpy() })).message).toBe(
      'documents.npy: row 3 (id "d3"): element 2 is NaN: vectors must hold finite numbers',
    );
    const inf = flat(QUERIES);
    inf[0] = -Infinity;
    inf[4] = Infinity;
    expect((await failure({ 'documents.npy': npy(flat(DOCUMENTS), [5, 2]), 'queries.npy': npy(inf, [3, 2]) })).message).toBe(
      'queries.npy: row 1 (id "q1"): element 1 is -Infinity (2 rows hold NaN or ±Infinity in all): vectors must hold finite numbers',
    );
    // Rows shuffled by an ids file: the message names the file's row and its id.
    const bits = Array.from(new Uint32Array(Float32Array.from(flat([DOCUMENTS[4], DOCUMENTS[0], DOCUMENTS[1], DOCUMENTS[2], DOCUMENTS[3]])).buffer));
    bits.fill(0xffffffff, 2, 10);
    const error = await failure({ 'documents.npy': npy(bits, [5, 2], '<f4', true), 'documents.ids.txt': 'd5\nd1\nd2\nd3\nd4\n', 'queries.npy': queriesNpy() });
    expect(error.message).toBe('documents.npy: row 2 (id "d1"): element 1 is NaN (4 rows hold NaN or ±Infinity in all): vectors must hold finite numbers');
  });

  it('float16 NaN and Infinity, kept as float16 bits', async () => {
    // float16 bits of the circle documents, then d2's first element NaN (0x7e00) and d4's second +Infinity.
    const half = [0x3c00, 0, 0x3a66, 0x38cd, 0, 0x3c00, 0xbc00, 0, 0, 0xc000];
    half[2] = 0x7e00;
    half[7] = 0x7c00;
    expect((await failure({ 'documents.npy': npy(half, [5, 2], '<f2'), 'queries.npy': queriesNpy() })).message).toBe(
      'documents.npy: row 2 (id "d2"): element 1 is NaN (2 rows hold NaN or ±Infinity in all): vectors must hold finite numbers',
    );
  });

  it('an all-zero row', async () => {
    const zero = flat(DOCUMENTS);
    zero[8] = 0;
    zero[9] = -0;
    expect((await failure({ 'documents.npy': npy(zero, [5, 2]), 'queries.npy': queriesNpy() })).message).toBe(
      'documents.npy: row 5 (id "d5") is all zeros: a zero vector has no direction, so its cosine with anything is undefined',
    );
  });

  it('a row the dataset does not have is left out, not judged', async () => {
    const rows = [...flat(DOCUMENTS), NaN, NaN];
    const { paths, read } = inMemory({ 'documents.npy': npy(rows, [6, 2]), 'documents.ids.txt': 'd1\nd2\nd3\nd4\nd5\nextra\n', 'queries.npy': queriesNpy() });
    const vectors = await readVectorFiles(paths, read, circleDataset());
    expect(vectors.warnings[0].message).toMatch(/1 rows name documents the dataset does not have/);
  });

  it('vectors of dimension 0', async () => {
    expect((await failure({ 'documents.npy': npy([], [5, 0]), 'queries.npy': npy([], [3, 0]) })).message).toBe(
      'documents.npy: holds an array of shape (5, 0): vectors of dimension 0 (each row needs at least one value)',
    );
  });

  it('an ids file with a blank line or a space around an id, named with its line', async () => {
    const files = (ids: string) => ({ 'documents.npy': npy(flat(DOCUMENTS), [5, 2]), 'documents.ids.txt': ids, 'queries.npy': queriesNpy() });
    expect((await failure(files('d1\nd2\n\nd3\nd4\n'))).message).toBe('documents.ids.txt:3: a blank line: give one id per line, in the order of the rows');
    expect((await failure(files('d1\nd2\nd3\n  \nd4\n'))).message).toBe('documents.ids.txt:4: a blank line (only spaces): give one id per line, in the order of the rows');
    expect((await failure(files('d1\nd2 \nd3\nd4\nd5\n'))).message).toBe('documents.ids.txt:2:3: id "d2 " has a trailing space: ids are matched exactly; remove it');
    expect((await failure(files('d1\r\nd2\r\n\td3\r\nd4\r\nd5\r\n'))).message).toBe('documents.ids.txt:3:1: id "\\td3" has a leading space: ids are matched exactly; remove it');
    // A file that ends without its last newline, or with \r\n, is fine.
    const { paths, read } = inMemory(files('d1\r\nd2\r\nd3\r\nd4\r\nd5'));
    await expect(readVectorFiles(paths, read, circleDataset())).resolves.toMatchObject({ dim: 2 });
  });
});

/** pyarrow writes the tables: the same files a pandas, Ray or Spark job would hand over. */
describe.skipIf(!HAS_PYARROW)(HAS_PYARROW ? 'hostile Arrow, Feather and parquet vector files (written by pyarrow)' : `hostile Arrow and parquet vector files — ${PYARROW_MISSING}`, () => {
  let root: string;
  const folder = async (name: string) => {
    const dir = path.join(root, name);
    const paths = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => !p.endsWith('/') && p.includes('.'));
    const read: ReadFile = async (p, range) => {
      const bytes = new Uint8Array(readFileSync(path.join(dir, p)));
      if (!range) return bytes;
      const { start, end } = byteRange(bytes.length, range);
      return bytes.slice(start, end);
    };
    return readVectorFiles(paths, read, circleDataset());
  };
  const message = (name: string) => folder(name).then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'embedlab-hostile-tables-'));
    const script = `
import os, sys
import numpy as np, pyarrow as pa, pyarrow.feather as feather, pyarrow.parquet as pq
root = sys.argv[1]
D = np.array(${JSON.stringify(DOCUMENTS)}, dtype="<f4")
Q = np.array(${JSON.stringify(QUERIES)}, dtype="<f4")
DI = ${JSON.stringify(DOC_IDS)}
QI = ${JSON.stringify(QUERY_IDS)}
def fixed(rows):
    rows = np.asarray(rows, dtype="<f4")
    return pa.FixedSizeListArray.from_arrays(pa.array(rows.reshape(-1)), rows.shape[1])
def case(name):
    d = os.path.join(root, name); os.makedirs(d, exist_ok=True); return d
def queries(d, fmt="parquet"):
    t = pa.table({"id": QI, "embedding": fixed(Q)})
    (pq.write_table(t, os.path.join(d, "queries.parquet")) if fmt == "parquet" else feather.write_feather(t, os.path.join(d, "queries.feather")))

# A null inside a parquet list, and one inside a Feather list.
rows = D.tolist(); rows[3][1] = None
d = case("parquet-null-element"); pq.write_table(pa.table({"id": DI, "embedding": pa.array(rows, pa.list_(pa.float32()))}), os.path.join(d, "documents.parquet")); queries(d)
d = case("feather-null-element"); feather.write_feather(pa.table({"id": DI, "embedding": pa.array(rows, pa.list_(pa.float32()))}), os.path.join(d, "documents.feather")); queries(d, "feather")
# A page of 0xFF (NaN) in one parquet part of two; an all-zero row in a Feather file.
bad = D.copy(); bad.view("<u4")[2:4] = 0xFFFFFFFF
d = case("parquet-nan-page"); os.makedirs(os.path.join(d, "documents"))
pq.write_table(pa.table({"id": DI[:2], "embedding": fixed(D[:2])}), os.path.join(d, "documents", "part-00000.parquet"))
pq.write_table(pa.table({"id": DI[2:], "embedding": fixed(bad[2:])}), os.path.join(d, "documents", "part-00001.parquet"), use_dictionary=False)
queries(d)
zero = D.copy(); zero[1] = 0
d = case("feather-zero-row"); feather.write_feather(pa.table({"id": DI, "embedding": fixed(zero)}), os.path.join(d, "documents.feather")); queries(d, "feather")
# Lists that are all empty (dimension 0).
d = case("feather-empty-lists"); feather.write_feather(pa.table({"id": DI, "embedding": pa.array([[]] * 5, pa.list_(pa.float32()))}), os.path.join(d, "documents.feather")); queries(d, "feather")
# Parts that disagree: on the dimension, on the id type, on who has an id.
d = case("parts-dims"); os.makedirs(os.path.join(d, "documents"))
pq.write_table(pa.table({"id": DI[:3], "embedding": fixed(D[:3])}), os.path.join(d, "documents", "part-00000.parquet"))
pq.write_table(pa.table({"id": DI[3:], "embedding": fixed(np.hstack([D[3:], np.ones((2, 1))]))}), os.path.join(d, "documents", "part-00001.parquet"))
queries(d)
d = case("parts-id-type"); os.makedirs(os.path.join(d, "documents"))
pq.write_table(pa.table({"id": DI[:3], "embedding": fixed(D[:3])}), os.path.join(d, "documents", "part-00000.parquet"))
pq.write_table(pa.table({"id": pa.array([4, 5], pa.int64()), "embedding": fixed(D[3:])}), os.path.join(d, "documents", "part-00001.parquet"))
queries(d)
d = case("parts-duplicate"); os.makedirs(os.path.join(d, "documents"))
pq.write_table(pa.table({"id": DI[:3], "embedding": fixed(D[:3])}), os.path.join(d, "documents", "part-00000.parquet"))
pq.write_table(pa.table({"id": ["d4", "d2", "d5"], "embedding": fixed(D[[3, 1, 4]])}), os.path.join(d, "documents", "part-00001.parquet"))
queries(d)
# An Arrow stream cut between two messages: whole record batches, no end-of-stream marker.
d = case("stream-cut")
t = pa.table({"id": DI, "embedding": fixed(D)})
sink = pa.BufferOutputStream()
with pa.ipc.new_stream(sink, t.schema) as w:
    for b in t.to_batches(max_chunksize=2): w.write_batch(b)
data = sink.getvalue().to_pybytes()
assert data[-8:] == b"\\xff\\xff\\xff\\xff\\x00\\x00\\x00\\x00"
open(os.path.join(d, "documents.arrows"), "wb").write(data[:-8])
queries(d)
`;
    execFileSync('python3', ['-c', script, root], { stdio: 'pipe' });
  });

  it('a null element in a parquet or a Feather list', async () => {
    expect(await message('parquet-null-element')).toBe('DataError: documents.parquet: row 4 (id "d4"): element 2 of column "embedding" is null: vectors must hold a number in every element');
    expect(await message('feather-null-element')).toBe('DataError: documents.feather: row 4 (id "d4"): element 2 of column "embedding" is null: vectors must hold a number in every element');
  });

  it('a page of 0xFF bytes in one part, named by its path in the folder; an all-zero row', async () => {
    expect(await message('parquet-nan-page')).toBe('DataError: documents/part-00001.parquet: row 1 (id "d3"): element 1 is NaN (2 rows hold NaN or ±Infinity in all): vectors must hold finite numbers');
    expect(await message('feather-zero-row')).toBe('DataError: documents.feather: row 2 (id "d2") is all zeros: a zero vector has no direction, so its cosine with anything is undefined');
  });

  it('Feather lists that are all empty: dimension 0', async () => {
    expect(await message('feather-empty-lists')).toBe('DataError: documents.feather: row 1 (id "d1") has an empty embedding (0 values) in column "embedding": vectors need at least one dimension');
  });

  it('parts that disagree name the part at fault', async () => {
    expect(await message('parts-dims')).toBe('DataError: documents/part-00001.parquet: has 3 dimensions where documents/part-00000.parquet has 2: the documents parts disagree on the dimension');
    expect(await message('parts-id-type')).toBe("DataError: documents/part-00001.parquet: its id column holds integers where documents/part-00000.parquet's holds strings: the documents parts disagree on the id type");
    expect(await message('parts-duplicate')).toBe('DataError: documents/part-00001.parquet: row 2: id "d2" is also the id of row 2 of documents/part-00000.parquet: each document needs one vector');
  });

  it('an Arrow stream cut between two messages is called truncated', async () => {
    expect(await message('stream-cut')).toMatch(/^DataError: documents\.arrows: is truncated: the stream ends after 3 record batches \(at byte \d+\) without its end-of-stream marker$/);
  });
});
