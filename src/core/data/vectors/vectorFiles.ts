import { DataError, formatLocation, type DataIssue, type Dataset } from '../dataset.ts';
import { alignRows, readIds, type AlignedRows } from './alignRows.ts';
import type { TableRows } from './arrowTable.ts';
import { readNpy, type VectorRows } from './npy.ts';
import { readArrowFile, readParquetFile, type ParquetReader } from './tableFiles.ts';

/** Precomputed embeddings of a dataset, put in its row order. */
export interface DatasetVectors {
  documents: Float32Array;
  queries: Float32Array;
  dim: number;
  /** How each side was matched and stored, for the report. */
  notes: string[];
  warnings: DataIssue[];
}

const baseName = (path: string) => path.split(/[\\/]/).pop() ?? path;

/** Arrow IPC / Feather and parquet files; Spark's `_SUCCESS`, `.crc` and hidden files are not data. */
const TABLE_FILE = /\.(parquet|arrow|arrows|feather|ipc)$/i;
const isDataFile = (path: string) => !/^[._]/.test(baseName(path)) && TABLE_FILE.test(baseName(path));

export interface VectorFileOptions {
  /** Needed for parquet files (see {@link ParquetReader}). */
  parquet?: ParquetReader;
}

/**
 * Reads a checkpoint's vector files: `documents.npy` and `queries.npy` (float32 or float16), each with its
 * ids in `documents.ids.txt` / `queries.ids.txt` (or `.json`) — document and query ids may overlap, as in
 * BEIR — or without ids when its rows are exactly the dataset's, in order. `paths` lists what the user gave
 * (a folder's files, or the two files); `read` fetches one when it is needed.
 */
export async function readVectorFiles(paths: readonly string[], read: (path: string) => Promise<Uint8Array>, dataset: Dataset, options: VectorFileOptions = {}): Promise<DatasetVectors> {
  if (paths.some(isDataFile)) return readTableFiles(paths.filter(isDataFile), read, dataset, options);
  const find = (pattern: RegExp) => paths.filter((p) => pattern.test(baseName(p)));
  const single = (pattern: RegExp, what: string) => {
    const found = find(pattern);
    if (found.length > 1) throw new DataError({ file: found.join(', '), message: `more than one ${what}` });
    return found[0] ?? null;
  };
  const documentsFile = single(/^(documents|docs|corpus)\.npy$/i, 'documents file');
  const queriesFile = single(/^queries\.npy$/i, 'queries file');
  if (!documentsFile || !queriesFile) {
    const given = paths.map(baseName).join(', ') || 'nothing';
    throw new DataError({
      file: given,
      message: `expected documents.npy and queries.npy (with documents.ids.txt / queries.ids.txt when their rows are not exactly the dataset's, in order); ${!documentsFile ? 'documents.npy' : 'queries.npy'} is missing`,
    });
  }
  const side = async (file: string, idsPattern: RegExp, what: 'documents' | 'queries') => {
    const rows = readNpy(await read(file), baseName(file));
    const idsFile = single(idsPattern, `${what} ids file`);
    const ids = idsFile ? readIds(await read(idsFile), baseName(idsFile)) : null;
    const aligned = alignRows(rows, ids, what === 'documents' ? dataset.documents : dataset.queries, baseName(file), what);
    const how = aligned.alignedBy === 'id' ? `matched by the ids in ${baseName(idsFile!)}` : 'taken in the dataset’s order (no ids file; the row counts match)';
    return { ...aligned, note: `${what}: ${rows.count} × ${rows.dim} ${rows.storedAs} from ${baseName(file)}, ${how}` };
  };
  const documents = await side(documentsFile, /^(documents|docs|corpus)\.ids\.(txt|json)$/i, 'documents');
  const queries = await side(queriesFile, /^queries\.ids\.(txt|json)$/i, 'queries');
  return bothSides(documents, queries, `${baseName(documentsFile)}, ${baseName(queriesFile)}`);
}

type Side = AlignedRows & { note: string };

/** Both sides of a checkpoint's vectors, which must agree on the dimension, with their notes and warnings. */
function bothSides(documents: Side, queries: Side, files: string): DatasetVectors {
  if (documents.dim !== queries.dim) throw new DataError({ file: files, message: `documents have ${documents.dim} dimensions but queries ${queries.dim}` });
  const warnings = [...documents.warnings, ...queries.warnings];
  return {
    documents: documents.vectors,
    queries: queries.vectors,
    dim: documents.dim,
    notes: [documents.note, queries.note, ...warnings.map((w) => `${formatLocation(w)}${w.message}`)],
    warnings,
  };
}

/**
 * Arrow IPC / Feather or parquet files — one file, or a folder of part files as Ray Data, Spark or pandas
 * write them — each with an id column and an embedding column. A file (or folder) named for documents
 * (`documents`, `docs`, `corpus`) or queries holds that side; otherwise a `kind`/`role` column says which
 * side each row is on.
 */
async function readTableFiles(paths: readonly string[], read: (path: string) => Promise<Uint8Array>, dataset: Dataset, options: VectorFileOptions): Promise<DatasetVectors> {
  const sideOf = (path: string): 'documents' | 'queries' | null => {
    const parts = path.toLowerCase().split(/[\\/]/);
    if (parts.some((p) => /^(documents?|docs?|corpus|passages?)([._-]|$)/.test(p))) return 'documents';
    if (parts.some((p) => /^quer(y|ies)([._-]|$)/.test(p))) return 'queries';
    return null;
  };
  const rows: Record<'documents' | 'queries', TableRows[]> = { documents: [], queries: [] };
  const files: Record<'documents' | 'queries', string[]> = { documents: [], queries: [] };
  for (const path of [...paths].sort()) {
    const name = baseName(path);
    const bytes = await read(path);
    let table: TableRows;
    if (/\.parquet$/i.test(name)) {
      if (!options.parquet) throw new DataError({ file: name, message: 'parquet files cannot be read here (no parquet reader was given)' });
      table = readParquetFile(bytes, name, options.parquet);
    } else {
      table = readArrowFile(bytes, name);
    }
    const side = sideOf(path);
    if (side) {
      rows[side].push(table);
      files[side].push(name);
      continue;
    }
    if (!table.kinds) {
      throw new DataError({ file: name, message: 'holds rows of both sides, or of one unnamed side: name the files (or folders) documents and queries, or add a kind column (query / document)' });
    }
    for (const wanted of ['documents', 'queries'] as const) {
      const keep = table.kinds.flatMap((k, i) => ((k === 'query') === (wanted === 'queries') ? [i] : []));
      rows[wanted].push(pickRows(table, keep));
      files[wanted].push(name);
    }
  }
  const side = (what: 'documents' | 'queries') => {
    const parts = rows[what];
    if (parts.every((p) => p.count === 0)) throw new DataError({ file: paths.map(baseName).join(', '), message: `no ${what}: the files hold no ${what === 'documents' ? 'document' : 'query'} rows` });
    const dims = new Set(parts.filter((p) => p.count).map((p) => p.dim));
    if (dims.size > 1) throw new DataError({ file: files[what].join(', '), message: `the ${what} files disagree on the dimension (${[...dims].join(' vs ')})` });
    const merged = concatRows(parts);
    const label = files[what].length > 1 ? `${files[what].length} files` : files[what][0];
    const aligned = alignRows(merged, merged.ids, what === 'documents' ? dataset.documents : dataset.queries, label, what);
    return { ...aligned, note: `${what}: ${merged.count} × ${merged.dim} ${merged.storedAs} from ${label}, matched by id` };
  };
  const documents = side('documents');
  const queries = side('queries');
  return bothSides(documents, queries, [...new Set([...files.documents, ...files.queries])].join(', '));
}

function pickRows(table: TableRows, keep: number[]): TableRows {
  const vectors = new Float32Array(keep.length * table.dim);
  keep.forEach((row, i) => vectors.set(table.vectors.subarray(row * table.dim, (row + 1) * table.dim), i * table.dim));
  return { ...table, vectors, count: keep.length, ids: keep.map((row) => table.ids[row]), kinds: null };
}

function concatRows(parts: TableRows[]): VectorRows & { ids: string[] } {
  const present = parts.filter((p) => p.count > 0);
  if (present.length === 1) return present[0];
  const dim = present[0].dim;
  const count = present.reduce((n, p) => n + p.count, 0);
  const vectors = new Float32Array(count * dim);
  let at = 0;
  for (const part of present) {
    vectors.set(part.vectors, at);
    at += part.vectors.length;
  }
  return { vectors, count, dim, storedAs: present.some((p) => p.storedAs === 'float16') ? 'float16' : 'float32', ids: present.flatMap((p) => p.ids) };
}
