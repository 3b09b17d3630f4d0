import { toFloat16Bits } from '../../vectors/float16.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Field, FixedSizeList, Float32, makeData, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAS_PYARROW, numpyWrite, PYARROW_MISSING } from '../../../../tests/fixtures/vectors/numpyWriter.ts';
import { byteRange, type ReadFile } from './readFile.ts';
import { openParquetPart } from './parquetFile.ts';

const ROWS = 301;
const DIM = 7;

/** Every layout write_vectors.py's parquet-layouts writes that must read back as its `.f32` rows. */
const LAYOUTS = [
  'codec-none', 'codec-snappy', 'codec-gzip', 'codec-brotli', 'codec-zstd', 'codec-lz4', 'plain', 'page-v2', 'page-v2-plain',
  'byte-stream-split', 'small-pages', 'small-pages-v2', 'list', 'large-list-double', 'required', 'float16', 'float16-plain', 'float16-byte-stream-split',
  'int-ids',
];

describe.skipIf(!HAS_PYARROW)(HAS_PYARROW ? 'parquet vector files streamed page by page (written by pyarrow)' : `parquet vector files — ${PYARROW_MISSING}`, () => {
  let dir: string;
  /** Each read's range, to check nothing asks for a whole file. */
  let reads: { path: string; length: number | null }[] = [];
  const read: ReadFile = async (p, range) => {
    reads.push({ path: p, length: range?.length ?? null });
    const bytes = new Uint8Array(readFileSync(path.join(dir, p)));
    if (!range) return bytes;
    const { start, end } = byteRange(bytes.length, range);
    return bytes.slice(start, end);
  };
  const expected = (name: string) => new Float32Array(new Uint8Array(readFileSync(path.join(dir, `${name}.f32`))).buffer);
  const identity = Int32Array.from({ length: ROWS }, (_, i) => i);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'embedlab-parquet-'));
    numpyWrite('parquet-layouts', dir);
  });

  it.each(LAYOUTS)('reads %s: ids, shape, and every value', async (name) => {
    const part = await openParquetPart(read, `${name}.parquet`, `${name}.parquet`);
    expect([part.count, part.dim, part.storedAs]).toEqual([ROWS, DIM, name.startsWith('float16') ? 'float16' : 'float32']);
    const ids = name === 'int-ids' ? Array.from({ length: ROWS }, (_, i) => String(i)) : readFileSync(path.join(dir, 'ids.txt'), 'utf8').trim().split('\n');
    expect(part.ids).toEqual(ids);
    expect(part.kinds).toBeNull();
    const vectors = new Float32Array(ROWS * DIM);
    await part.placeRows([{ targets: identity, vectors }]);
    expect(Array.from(vectors)).toEqual(Array.from(expected(name)));
    if (part.storedAs === 'float16') {
      // Kept as float16: the file's bit patterns (every expected value is a float16 one), beside a widened copy.
      const bits = new Uint16Array(ROWS * DIM);
      const widened = new Float32Array(ROWS * DIM);
      await part.placeRows([{ targets: identity, vectors: bits }, { targets: identity, vectors: widened }]);
      expect(Array.from(bits)).toEqual(Array.from(expected(name), toFloat16Bits));
      expect(Array.from(widened)).toEqual(Array.from(expected(name)));
    }
  });

  it('places rows anywhere, in two arrays at once, through windows smaller than a page, never reading a file whole', async () => {
    for (const name of ['plain', 'small-pages', 'codec-zstd']) {
      reads = [];
      const part = await openParquetPart(read, `${name}.parquet`, `${name}.parquet`, 256);
      const reversed = Int32Array.from({ length: ROWS }, (_, i) => ROWS - 1 - i);
      const everyThird = Int32Array.from({ length: ROWS }, (_, i) => (i % 3 === 0 ? i / 3 : -1));
      const all = new Float32Array(ROWS * DIM);
      const some = new Float32Array(Math.ceil(ROWS / 3) * DIM);
      await part.placeRows([{ targets: reversed, vectors: all }, { targets: everyThird, vectors: some }]);
      const rows = expected(name);
      for (let i = 0; i < ROWS; i++) {
        expect(Array.from(all.subarray((ROWS - 1 - i) * DIM, (ROWS - i) * DIM))).toEqual(Array.from(rows.subarray(i * DIM, (i + 1) * DIM)));
        if (i % 3 === 0) expect(Array.from(some.subarray((i / 3) * DIM, (i / 3 + 1) * DIM))).toEqual(Array.from(rows.subarray(i * DIM, (i + 1) * DIM)));
      }
      // After the head and the footer: ranges only. With pages of a few values, none is above the window but
      // the id chunks (17 rows each, read whole).
      expect(reads.slice(2).every((r) => r.length !== null)).toBe(true);
      if (name === 'small-pages') expect(Math.max(...reads.slice(2).map((r) => r.length!))).toBeLessThan(400);
    }
  });

  it('names what is wrong with a file, and where', async () => {
    const open = (name: string) => openParquetPart(read, `${name}.parquet`, `${name}.parquet`);
    const place = async (name: string) => (await open(name)).placeRows([{ targets: identity, vectors: new Float32Array(ROWS * DIM) }]);
    await expect(place('null-row')).rejects.toThrow('null-row.parquet: row 10 (id "doc-9") has no embedding');
    // A null inside a list is an error too: as a NaN it would drop the row out of every ranking, silently.
    await expect(place('null-element')).rejects.toThrow('null-element.parquet: row 4 (id "doc-3"): element 3 of column "embedding" is null: vectors must hold a number in every element');
    await expect(place('empty-row')).rejects.toThrow('empty-row.parquet: row 10 (id "doc-9") has no embedding');
    await expect(place('ragged')).rejects.toThrow('ragged.parquet: row 10 (id "doc-9") has 6 values in column "embedding", where row 1 has 7');
    await expect(open('int-lists')).rejects.toThrow('int-lists.parquet: column "embedding" holds lists of INT32: expected float32 or float16');
    await expect(open('cut-short')).rejects.toThrow('cut-short.parquet: is cut short or damaged: it starts as a parquet file but does not end with its footer and "PAR1"');
    await expect(openParquetPart(read, 'ids.txt', 'ids.txt')).rejects.toThrow('ids.txt: is not a parquet file');
  });
});

/** A second, independent writer: Rust's parquet crate (through parquet-wasm), with its own page and row group layout. */
describe('parquet vector files written by Rust’s parquet crate (parquet-wasm)', () => {
  const rows = 1000;
  const dim = 5;
  const values = Float32Array.from({ length: rows * dim }, (_, i) => Math.fround(Math.sin(i)));
  const type = new FixedSizeList(dim, new Field('item', new Float32()));
  const embedding = makeVector(makeData({ type, length: rows, child: makeData({ type: new Float32(), length: rows * dim, data: values }) }));
  const ids = vectorFromArray(Array.from({ length: rows }, (_, i) => `r${i}`), new Utf8());
  const ipc = tableToIPC(new Table({ id: ids, embedding }), 'stream');
  const { Compression, WriterVersion } = parquetWasm;
  const codecs = { UNCOMPRESSED: Compression.UNCOMPRESSED, SNAPPY: Compression.SNAPPY, GZIP: Compression.GZIP, BROTLI: Compression.BROTLI, 'LZ4 (Hadoop framing)': Compression.LZ4, LZ4_RAW: Compression.LZ4_RAW, ZSTD: Compression.ZSTD };
  const cases = Object.entries(codecs).flatMap(([name, codec]) => [WriterVersion.V1, WriterVersion.V2].map((version) => [`${name}, writer v${version + 1}`, codec, version] as const));

  it.each(cases)('reads %s: pages of 512 bytes, row groups of 300 rows', async (_name, codec, version) => {
    const properties = new parquetWasm.WriterPropertiesBuilder().setCompression(codec).setWriterVersion(version).setDataPageSizeLimit(512).setMaxRowGroupSize(300).build();
    const bytes = parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(ipc), properties);
    const read: ReadFile = async (_path, range) => {
      const { start, end } = byteRange(bytes.length, range!);
      return bytes.slice(start, end);
    };
    const part = await openParquetPart(read, 'rust.parquet', 'rust.parquet');
    expect([part.count, part.dim, part.ids[rows - 1]]).toEqual([rows, dim, `r${rows - 1}`]);
    const vectors = new Float32Array(rows * dim);
    await part.placeRows([{ targets: Int32Array.from({ length: rows }, (_, i) => i), vectors }]);
    expect(Array.from(vectors)).toEqual(Array.from(values));
  });
});
