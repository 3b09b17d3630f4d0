import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Field, FixedSizeList, Float32, makeData, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAS_PYARROW, numpyWrite, PYARROW_MISSING } from '../../../../tests/fixtures/vectors/numpyWriter.ts';
import { openArrowPart } from './arrowFile.ts';
import { byteRange, type ReadFile } from './readFile.ts';

const ROWS = 301;
const DIM = 7;
const LAYOUTS = ['feather-lz4.feather', 'feather-zstd.feather', 'feather-uncompressed.feather', 'stream.arrows', 'float16.feather', 'list.feather', 'columns.feather', 'columns.arrows', 'v4.arrow', 'string-view.arrows'];

describe.skipIf(!HAS_PYARROW)(HAS_PYARROW ? 'Arrow IPC vector files read record batch by record batch (written by pyarrow)' : `Arrow IPC vector files — ${PYARROW_MISSING}`, () => {
  let dir: string;
  let reads: { start: number; length: number | null }[] = [];
  const read: ReadFile = async (p, range) => {
    const bytes = new Uint8Array(readFileSync(path.join(dir, p)));
    if (!range) {
      reads.push({ start: 0, length: null });
      return bytes;
    }
    const { start, end } = byteRange(bytes.length, range);
    reads.push({ start, length: end - start });
    return bytes.slice(start, end);
  };
  const expected = (file: string) => {
    const name = file === 'columns.arrows' ? 'columns-stream.f32' : file.replace(/\.\w+$/, '.f32');
    return Array.from(new Float32Array(new Uint8Array(readFileSync(path.join(dir, name))).buffer));
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'embedlab-arrow-'));
    numpyWrite('arrow-layouts', dir);
  });

  it.each(LAYOUTS)('reads %s a message at a time: ids, shape and every value, each row where its target says', async (file) => {
    reads = [];
    const part = await openArrowPart(read, file, file);
    expect([part.count, part.dim, part.storedAs]).toEqual([ROWS, DIM, file.startsWith('float16') ? 'float16' : 'float32']);
    expect(part.ids).toEqual(Array.from({ length: ROWS }, (_, i) => (file === 'v4.arrow' ? String(i) : `doc-${i}`)));
    if (file.startsWith('columns')) expect(part.kinds).toEqual(Array.from({ length: ROWS }, (_, i) => (i % 4 ? 'document' : 'query')));
    const reversed = Int32Array.from({ length: ROWS }, (_, i) => ROWS - 1 - i);
    const vectors = new Float32Array(ROWS * DIM);
    await part.placeRows([{ targets: reversed, vectors }]);
    const rows = expected(file);
    const back = Array.from({ length: ROWS }, (_, i) => Array.from(vectors.subarray((ROWS - 1 - i) * DIM, (ROWS - i) * DIM))).flat();
    expect(back).toEqual(rows);
    // Each read is a range — a message's length, its metadata, or the buffers of the columns read — never
    // the file; and the other columns' bytes are never read (the text column is 94 % of columns.arrows).
    const size = readFileSync(path.join(dir, file)).length;
    expect(reads.every(({ length }) => length !== null && length < size / 2)).toBe(true);
    if (file === 'columns.arrows') expect(reads.reduce((sum, r) => sum + r.length!, 0)).toBeLessThan(size * 0.1);
  });

  it('names what is wrong with a file, and where', async () => {
    const place = async (file: string) => {
      const part = await openArrowPart(read, file, file);
      await part.placeRows([{ targets: Int32Array.from({ length: ROWS }, (_, i) => i), vectors: new Float32Array(ROWS * DIM) }]);
    };
    await expect(place('ragged.feather')).rejects.toThrow('ragged.feather: row 121 (id "doc-120") has 6 values where row 1 has 7');
    await expect(place('null-row.feather')).rejects.toThrow('null-row.feather: row 151 (id "doc-150") has no embedding');
    await expect(place('cut-short.feather')).rejects.toThrow('cut-short.feather: is truncated: it starts as an Arrow IPC file but does not end with its footer and "ARROW1" (or it is damaged)');
    await expect(place('cut-short.arrows')).rejects.toThrow(/^cut-short\.arrows: is truncated: a message at byte \d+ runs past the end of the file$/);
  });
});

it('reads an Arrow IPC file apache-arrow wrote, which keeps its schema in the footer only', async () => {
  const values = Float32Array.from({ length: 10 }, (_, i) => i / 4);
  const type = new FixedSizeList(2, new Field('item', new Float32()));
  const embedding = makeVector(makeData({ type, length: 5, child: makeData({ type: new Float32(), length: 10, data: values }) }));
  const bytes = tableToIPC(new Table({ id: vectorFromArray(['a', 'b', 'c', 'd', 'e'], new Utf8()), embedding }), 'file');
  const read: ReadFile = async (_path, range) => {
    const { start, end } = byteRange(bytes.length, range!);
    return bytes.slice(start, end);
  };
  const part = await openArrowPart(read, 'js.arrow', 'js.arrow');
  expect([part.ids, part.dim]).toEqual([['a', 'b', 'c', 'd', 'e'], 2]);
  const vectors = new Float32Array(10);
  await part.placeRows([{ targets: Int32Array.from([4, 3, 2, 1, 0]), vectors }]);
  expect(Array.from(vectors)).toEqual([2, 2.25, 1.5, 1.75, 1, 1.25, 0.5, 0.75, 0, 0.25]);
});
