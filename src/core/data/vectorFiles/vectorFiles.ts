import { halfRows, type DocumentRows } from '../../vectors/documentRows.ts';
import { DataError, formatLocation, type DataIssue, type Dataset } from '../dataset.ts';
import { readIds, rowTargets } from './alignRows.ts';
import { readNpyLayout, readNpyRows } from './npy.ts';
import type { ReadFile } from './readFile.ts';
import { checkRowValues } from './rowValues.ts';
import { openTablePart } from './tableFiles.ts';
import type { RowDestination, TablePart } from './tablePart.ts';

/** Precomputed embeddings of a dataset, put in its row order. */
export interface DatasetVectors {
  /** float16 documents stay float16 (half the memory) until a block of them is used; float32 otherwise. */
  documents: DocumentRows;
  queries: Float32Array;
  dim: number;
  /** How each side was matched and stored, for the report. */
  notes: string[];
  warnings: DataIssue[];
}

const baseName = (path: string) => path.split(/[\\/]/).pop() ?? path;
/** A table part as messages name it: its path inside the folder given (`documents/part-0001.parquet`), else its name. */
const partLabel = (path: string) => (/^([\\/]|[A-Za-z]:)/.test(path) ? baseName(path) : path.replace(/\\/g, '/'));

/** Arrow IPC / Feather and parquet files; Spark's `_SUCCESS`, `.crc` and hidden files are not data. */
const TABLE_FILE = /\.(parquet|arrow|arrows|feather|ipc)$/i;
const isDataFile = (path: string) => !/^[._]/.test(baseName(path)) && TABLE_FILE.test(baseName(path));

/**
 * Reads a checkpoint's vector files: `documents.npy` and `queries.npy` (float32 or float16), each with its
 * ids in `documents.ids.txt` / `queries.ids.txt` (or `.json`) — document and query ids may overlap, as in
 * BEIR — or without ids when its rows are exactly the dataset's, in order; or Arrow IPC / Feather and
 * parquet tables (see {@link readTableFiles}). `paths` lists what the user gave (a folder's files, or the
 * two files); `read` fetches one, or a range of one, when it is needed. Each side's rows end up in one
 * array in the dataset's order, the only copy of them that exists: documents stored as float16 in a
 * Uint16Array of their bit patterns (they are most of the memory), everything else in a Float32Array.
 */
export async function readVectorFiles(paths: readonly string[], read: ReadFile, dataset: Dataset): Promise<DatasetVectors> {
  if (paths.some(isDataFile)) return readTableFiles(paths.filter(isDataFile), read, dataset);
  const find = (pattern: RegExp) => paths.filter((p) => pattern.test(baseName(p)));
  const single = (pattern: RegExp, what: string) => {
    const found = find(pattern);
    if (found.length > 1) throw new DataError({ file: found.join(', '), message: `more than one ${what}` });
    return found[0] ?? null;
  };
  // Two .npy files named otherwise (NAME=DOCS.npy,QUERIES.npy) are documents then queries, in that order.
  const positional = paths.length === 2 && paths.every((p) => /\.npy$/i.test(p)) && !paths.some((p) => /^(documents|docs|corpus|queries)\.npy$/i.test(baseName(p)));
  const documentsFile = positional ? paths[0] : single(/^(documents|docs|corpus)\.npy$/i, 'documents file');
  const queriesFile = positional ? paths[1] : single(/^queries\.npy$/i, 'queries file');
  if (!documentsFile || !queriesFile) {
    const given = paths.map(baseName).join(', ') || 'nothing';
    throw new DataError({
      file: given,
      message: `expected documents.npy and queries.npy (with documents.ids.txt / queries.ids.txt when their rows are not exactly the dataset's, in order); ${!documentsFile ? 'documents.npy' : 'queries.npy'} is missing`,
    });
  }
  const side = async (file: string, idsPattern: RegExp, what: 'documents' | 'queries'): Promise<Side> => {
    const layout = await readNpyLayout(read, file, baseName(file));
    const idsFile = single(idsPattern, `${what} ids file`);
    const ids = idsFile ? readIds(await read(idsFile), baseName(idsFile)) : null;
    const placing = rowTargets(layout.count, ids, what === 'documents' ? dataset.documents : dataset.queries, baseName(file), what);
    const vectors = rowArray(what, layout.storedAs === 'float16', placing.tableRows * layout.dim);
    await readNpyRows(read, file, baseName(file), layout, placing.targets, vectors);
    const table = what === 'documents' ? dataset.documents : dataset.queries;
    checkRowValues({ file: baseName(file), targets: placing.targets, vectors, dim: layout.dim, idOf: (row) => (ids ? ids[row] : table.id(placing.targets[row])) });
    const how = placing.alignedBy === 'id' ? `matched by the ids in ${baseName(idsFile!)}` : 'taken in the dataset’s order (no ids file; the row counts match)';
    return { vectors, dim: layout.dim, warnings: placing.warnings, note: `${what}: ${layout.count} × ${layout.dim} ${layout.storedAs} from ${baseName(file)}, ${how}${keptNote(vectors)}` };
  };
  const documents = await side(documentsFile, /^(documents|docs|corpus)\.ids\.(txt|json)$/i, 'documents');
  const queries = await side(queriesFile, /^queries\.ids\.(txt|json)$/i, 'queries');
  return bothSides(documents, queries, `${baseName(documentsFile)}, ${baseName(queriesFile)}`);
}

/** The array a side's rows go into: float16 documents as their bit patterns, the rest as float32. */
function rowArray(what: 'documents' | 'queries', allHalf: boolean, length: number): Float32Array | Uint16Array {
  return what === 'documents' && allHalf ? new Uint16Array(length) : new Float32Array(length);
}

const keptNote = (vectors: Float32Array | Uint16Array) => (vectors instanceof Uint16Array ? ', kept as float16' : '');

/** One side's rows in the dataset's order, with what the report says of them. */
interface Side {
  vectors: Float32Array | Uint16Array;
  dim: number;
  warnings: DataIssue[];
  note: string;
}

/** Both sides of a checkpoint's vectors, which must agree on the dimension, with their notes and warnings. */
function bothSides(documents: Side, queries: Side, files: string): DatasetVectors {
  if (documents.dim !== queries.dim) throw new DataError({ file: files, message: `documents have ${documents.dim} dimensions but queries ${queries.dim}` });
  const warnings = [...documents.warnings, ...queries.warnings];
  return {
    documents: documents.vectors instanceof Uint16Array ? halfRows(documents.vectors) : documents.vectors,
    // Queries are few: float16 ones were widened as they were read (only documents are kept as float16).
    queries: queries.vectors as Float32Array,
    dim: documents.dim,
    notes: [documents.note, queries.note, ...warnings.map((w) => `${formatLocation(w)}${w.message}`)],
    warnings,
  };
}

/** Rows of one side in one table: all of the table's, or (`rows`) those its kind column gives this side. */
interface SidePart {
  table: TablePart;
  rows: Int32Array | null;
}

/**
 * Arrow IPC / Feather or parquet files — one file, or a folder of part files as Ray Data, Spark or pandas
 * write them — each with an id column and an embedding column. A file (or folder) named for documents
 * (`documents`, `docs`, `corpus`) or queries holds that side; otherwise a `kind`/`role` column says which
 * side each row is on. The ids of every part are read first; then each part's rows go straight to their
 * places in the sides' arrays, in one pass over the part.
 */
async function readTableFiles(paths: readonly string[], read: ReadFile, dataset: Dataset): Promise<DatasetVectors> {
  const sideOf = (path: string): 'documents' | 'queries' | null => {
    const parts = path.toLowerCase().split(/[\\/]/);
    if (parts.some((p) => /^(documents?|docs?|corpus|passages?)([._-]|$)/.test(p))) return 'documents';
    if (parts.some((p) => /^quer(y|ies)([._-]|$)/.test(p))) return 'queries';
    return null;
  };
  const tables: TablePart[] = [];
  const parts: Record<'documents' | 'queries', SidePart[]> = { documents: [], queries: [] };
  for (const path of [...paths].sort()) {
    const table = await openTablePart(read, path, partLabel(path));
    tables.push(table);
    const side = sideOf(path);
    if (side) {
      parts[side].push({ table, rows: null });
      continue;
    }
    if (!table.kinds) {
      throw new DataError({ file: table.file, message: 'holds rows of both sides, or of one unnamed side: name the files (or folders) documents and queries, or add a kind column (query / document)' });
    }
    for (const wanted of ['documents', 'queries'] as const) {
      const rows = Int32Array.from(table.kinds.flatMap((k, i) => ((k === 'query') === (wanted === 'queries') ? [i] : [])));
      parts[wanted].push({ table, rows });
    }
  }
  // Each side's rows matched to the dataset by id, and the array they go into.
  const destinations = new Map<TablePart, RowDestination[]>();
  const side = (what: 'documents' | 'queries'): Side => {
    const present = parts[what].filter((p) => (p.rows ? p.rows.length : p.table.count) > 0);
    if (!present.length) throw new DataError({ file: paths.map(baseName).join(', '), message: `no ${what}: the files hold no ${what === 'documents' ? 'document' : 'query'} rows` });
    const files = [...new Set(parts[what].map((p) => p.table.file))];
    agreeOn(what, present);
    const dim = present[0].table.dim;
    const ids = present.flatMap((p) => (p.rows ? Array.from(p.rows, (r) => p.table.ids[r]) : p.table.ids));
    const label = files.length > 1 ? `${files.length} files` : files[0];
    const placing = rowTargets(ids.length, ids, what === 'documents' ? dataset.documents : dataset.queries, label, what);
    const storedAs = present.some((p) => p.table.storedAs === 'float16') ? 'float16' : 'float32';
    const vectors = rowArray(what, present.every((p) => p.table.storedAs === 'float16'), placing.tableRows * dim);
    const note = `${what}: ${ids.length} × ${dim} ${storedAs} from ${label}, matched by id${keptNote(vectors)}`;
    let at = 0;
    for (const { table, rows } of present) {
      let targets: Int32Array;
      if (rows) {
        targets = new Int32Array(table.count).fill(-1);
        rows.forEach((r, j) => (targets[r] = placing.targets[at + j]));
      } else {
        targets = placing.targets.subarray(at, at + table.count);
      }
      at += rows ? rows.length : table.count;
      destinations.set(table, [...(destinations.get(table) ?? []), { targets, vectors }]);
    }
    return { vectors, dim, warnings: placing.warnings, note };
  };
  const documents = side('documents');
  const queries = side('queries');
  const result = bothSides(documents, queries, tables.map((t) => t.file).join(', '));
  for (const table of tables) {
    const wanted = destinations.get(table);
    if (!wanted) continue;
    await table.placeRows(wanted);
    for (const { targets, vectors } of wanted) checkRowValues({ file: table.file, targets, vectors, dim: table.dim, idOf: (row) => table.ids[row] });
  }
  return result;
}

/**
 * The parts of one side must agree — on the dimension, on what their ids are (strings or integers: "7" and
 * 7 would name different rows to a reader of either), and on each id naming one row — and the part at
 * fault is named: the first that differs from the first part, or the second to give an id.
 */
function agreeOn(what: 'documents' | 'queries', present: readonly SidePart[]): void {
  const [first] = present;
  for (const { table } of present) {
    if (table.dim === 0) throw new DataError({ file: table.file, message: `holds ${what} vectors of dimension 0: each row needs at least one value` });
  }
  const otherDim = present.find((p) => p.table.dim !== first.table.dim);
  if (otherDim) {
    throw new DataError({ file: otherDim.table.file, message: `has ${otherDim.table.dim} dimensions where ${first.table.file} has ${first.table.dim}: the ${what} parts disagree on the dimension` });
  }
  const otherIds = present.find((p) => p.table.idType !== first.table.idType);
  if (otherIds) {
    throw new DataError({ file: otherIds.table.file, message: `its id column holds ${otherIds.table.idType} where ${first.table.file}'s holds ${first.table.idType}: the ${what} parts disagree on the id type` });
  }
  const seen = new Map<string, { file: string; row: number }>();
  for (const { table, rows } of present) {
    const ownRows = rows ?? Int32Array.from({ length: table.count }, (_, i) => i);
    for (const row of ownRows) {
      const id = table.ids[row];
      const before = seen.get(id);
      if (before) {
        const where = before.file === table.file ? `row ${before.row + 1}` : `row ${before.row + 1} of ${before.file}`;
        throw new DataError({ file: table.file, message: `row ${row + 1}: id "${id}" is also the id of ${where}: each ${what === 'documents' ? 'document' : 'query'} needs one vector` });
      }
      seen.set(id, { file: table.file, row });
    }
  }
}
