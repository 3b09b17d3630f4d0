import { float32Rows, isHalfRows } from '../../vectors/documentRows.ts';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { circleDataset } from '../../../../tests/fixtures/comparisonCase.ts';
import { HAS_PYARROW, numpyWrite, PYARROW_MISSING } from '../../../../tests/fixtures/vectors/numpyWriter.ts';
import { byteRange } from './readFile.ts';
import { readVectorFiles } from './vectorFiles.ts';

const DOCUMENTS = [1, 0, 0.8, 0.6, 0, 1, -1, 0, 0, -2].map(Math.fround);
const QUERIES = [0.9, 0.1, -1, 0.2, 0, -1].map(Math.fround);

describe.skipIf(!HAS_PYARROW)(HAS_PYARROW ? 'Arrow IPC, Feather and parquet vector files written by pyarrow' : `Arrow and parquet vector files — ${PYARROW_MISSING}`, () => {
  let root: string;
  const folder = (name: string) => {
    const dir = path.join(root, name);
    const paths = readdirSync(dir, { recursive: true, encoding: 'utf8' });
    return readVectorFiles(paths, async (p, range) => {
      const bytes = new Uint8Array(readFileSync(path.join(dir, p)));
      if (!range) return bytes;
      const { start, end } = byteRange(bytes.length, range);
      return bytes.slice(start, end);
    }, circleDataset());
  };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'embedlab-tables-'));
    numpyWrite('tables', root);
  });

  it('reads an Arrow IPC file (FixedSizeList<float32>, shuffled) and a Feather file (List<float>)', async () => {
    const read = await folder('arrow');
    expect(Array.from(float32Rows(read.documents, read.dim))).toEqual(DOCUMENTS);
    expect(Array.from(read.queries)).toEqual(QUERIES);
    expect(read.notes.slice(0, 2)).toEqual([
      'documents: 5 × 2 float32 from documents.arrow, matched by id',
      'queries: 3 × 2 float32 from queries.feather, matched by id',
    ]);
  });

  it('keeps FixedSizeList<float16> documents as float16, decoding to the values NumPy gives', async () => {
    const read = await folder('arrow-f16');
    expect(isHalfRows(read.documents)).toBe(true);
    expect(Array.from(float32Rows(read.documents, read.dim))).toEqual([1, 0, 0.7998046875, 0.60009765625, 0, 1, -1, 0, 0, -2]);
    expect(read.notes[0]).toMatch(/5 × 2 float16 from .*, kept as float16$/);
  });

  it('reads a folder of parquet part files with a kind column, ignoring _SUCCESS and .crc files', async () => {
    const read = await folder('parquet-parts');
    expect(Array.from(float32Rows(read.documents, read.dim))).toEqual(DOCUMENTS);
    expect(Array.from(read.queries)).toEqual(QUERIES);
    expect(read.notes[0]).toBe('documents: 5 × 2 float32 from 2 files, matched by id');
  });

  it('names what is wrong: no side and no kind column, a file that is not what its name says, no id column', async () => {
    await expect(folder('no-kind')).rejects.toThrow(/part-0\.parquet: holds rows of both sides, or of one unnamed side/);
    await expect(folder('arrow-named-parquet')).rejects.toThrow('documents.parquet: is not a parquet file (no "PAR1" at its start and end): it is an Arrow IPC file');
    await expect(folder('no-id')).rejects.toThrow(/documents\.parquet: has no id column/);
  });
});
