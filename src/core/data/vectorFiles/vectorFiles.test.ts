import { float32Rows, isHalfRows } from '../../vectors/documentRows.ts';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { circleDataset } from '../../../../tests/fixtures/comparisonCase.ts';
import { HAS_NUMPY, NUMPY_MISSING, numpyWrite } from '../../../../tests/fixtures/vectors/numpyWriter.ts';
import { rowTargets } from './alignRows.ts';
import { readNpyLayout, readNpyRows } from './npy.ts';
import { fromFloat16Bits } from '../../vectors/float16.ts';
import type { ReadFile } from './readFile.ts';
import { readVectorFiles } from './vectorFiles.ts';

const DOCUMENTS = [1, 0, 0.8, 0.6, 0, 1, -1, 0, 0, -2];

/** A local file, or a range of it, as the CLI reads one. */
const readLocal: ReadFile = async (p, range) => {
  const bytes = new Uint8Array(readFileSync(p));
  return range ? bytes.slice(range.offset, range.offset + range.length) : bytes;
};
const QUERIES = [0.9, 0.1, -1, 0.2, 0, -1];

describe.skipIf(!HAS_NUMPY)(HAS_NUMPY ? 'vector files written by NumPy' : `vector files written by NumPy — ${NUMPY_MISSING}`, () => {
  let root: string;
  const folder = (name: string) => {
    const dir = path.join(root, name);
    const paths = readdirSync(dir).map((f) => path.join(dir, f));
    return readVectorFiles(paths, readLocal, circleDataset());
  };
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'embedlab-npy-'));
    numpyWrite('circle', root);
  });

  it('matches shuffled rows to the dataset by id (text and JSON ids), dropping ids it lacks with a warning', async () => {
    const read = await folder('by-id');
    expect(Array.from(float32Rows(read.documents, read.dim))).toEqual(DOCUMENTS.map(Math.fround));
    expect(Array.from(read.queries)).toEqual(QUERIES.map(Math.fround));
    expect(read.dim).toBe(2);
    expect(read.warnings).toEqual([{ severity: 'warning', file: 'documents.npy', message: '1 rows name documents the dataset does not have: left out' }]);
    expect(read.notes[0]).toBe('documents: 6 × 2 float32 from documents.npy, matched by the ids in documents.ids.txt');
    expect(read.notes[1]).toMatch(/queries: 3 × 2 float32 from queries.npy, matched by the ids in queries.ids.json/);
  });

  it('reads float16 in Fortran order and big-endian float32 without ids, in the dataset’s order, and says so', async () => {
    const read = await folder('in-order-f16');
    // 0.8 and 0.6 have no exact float16: NumPy rounded them to the nearest half-precision values.
    expect(isHalfRows(read.documents)).toBe(true);
    expect(Array.from(float32Rows(read.documents, read.dim))).toEqual([1, 0, 0.7998046875, 0.60009765625, 0, 1, -1, 0, 0, -2]);
    expect(Array.from(read.queries)).toEqual(QUERIES.map(Math.fround));
    expect(read.notes[0]).toBe('documents: 5 × 2 float16 from documents.npy, taken in the dataset’s order (no ids file; the row counts match), kept as float16');
  });

  it('names what is wrong: a missing id, dimensions that differ, a file that is not .npy, integers', async () => {
    await expect(folder('missing-id')).rejects.toThrow('documents.npy: 1 of the dataset\'s 5 documents have no vector ("d5")');
    await expect(folder('dims-differ')).rejects.toThrow('documents.npy, queries.npy: documents have 2 dimensions but queries 3');
    await expect(folder('not-npy')).rejects.toThrow('documents.npy: is not a NumPy .npy file');
    await expect(folder('int64')).rejects.toThrow(`documents.npy: holds "<i8" values: expected float32 ('<f4') or float16 ('<f2')`);
    await expect(readVectorFiles(['documents.npy'], async () => new Uint8Array(), circleDataset())).rejects.toThrow(/queries\.npy is missing/);
  });

  it('refuses a reader that ignores ranges (each chunk would read the whole file)', async () => {
    const whole: ReadFile = async (p) => new Uint8Array(readFileSync(p));
    const dir = path.join(root, 'in-order-f16');
    await expect(readVectorFiles([path.join(dir, 'documents.npy'), path.join(dir, 'queries.npy')], whole, circleDataset())).rejects.toThrow(/returned \d+ bytes for a range of \d+/);
  });

  it('streams each file a range at a time straight to the rows’ places, whatever the chunk size', async () => {
    const dataset = circleDataset();
    for (const [name, ids] of [['by-id', 'documents.ids.txt'], ['in-order-f16', null]] as const) {
      const dir = path.join(root, name);
      const whole = await folder(name);
      const asked: number[] = [];
      // Only ranges of the .npy file: it is never read whole.
      const read: ReadFile = async (p, range) => {
        if (!range) throw new Error(`${p} read whole`);
        asked.push(range.length);
        return new Uint8Array(readFileSync(p)).slice(range.offset, range.offset + range.length);
      };
      const file = path.join(dir, 'documents.npy');
      const layout = await readNpyLayout(read, file, 'documents.npy');
      const placing = rowTargets(layout.count, ids ? readFileSync(path.join(dir, ids), 'utf8').trim().split('\n') : null, dataset.documents, 'documents.npy', 'documents');
      for (const chunk of [1, 6, 7, 1 << 20]) {
        asked.length = 0;
        // float16 rows stay bit patterns; float32 ones are the values.
        const kept = isHalfRows(whole.documents) ? whole.documents.half : whole.documents;
        const out = kept instanceof Uint16Array ? new Uint16Array(kept.length) : new Float32Array(kept.length);
        await readNpyRows(read, file, 'documents.npy', layout, placing.targets, out, chunk);
        expect(Array.from(out), `${name}, ${chunk}-byte chunks`).toEqual(Array.from(kept));
        expect(Math.max(...asked)).toBeLessThanOrEqual(Math.max(chunk, layout.fortran ? layout.width : layout.dim * layout.width));
      }
    }
  });
});

describe('float16', () => {
  it('decodes normal, subnormal and special values', () => {
    expect([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0xfc00, 0x0000].map(fromFloat16Bits)).toEqual([1, -2, 0.333251953125, 2 ** -24, Infinity, -Infinity, 0]);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
  });
});
