import { DataError, formatLocation, type DataIssue, type Dataset } from '../dataset.ts';
import { alignRows, readIds } from './alignRows.ts';
import { readNpy } from './npy.ts';

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

/**
 * Reads a checkpoint's vector files: `documents.npy` and `queries.npy` (float32 or float16), each with its
 * ids in `documents.ids.txt` / `queries.ids.txt` (or `.json`) — document and query ids may overlap, as in
 * BEIR — or without ids when its rows are exactly the dataset's, in order. `paths` lists what the user gave
 * (a folder's files, or the two files); `read` fetches one when it is needed.
 */
export async function readVectorFiles(paths: readonly string[], read: (path: string) => Promise<Uint8Array>, dataset: Dataset): Promise<DatasetVectors> {
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
  if (documents.dim !== queries.dim) {
    throw new DataError({ file: `${baseName(documentsFile)}, ${baseName(queriesFile)}`, message: `documents have ${documents.dim} dimensions but queries ${queries.dim}` });
  }
  const warnings = [...documents.warnings, ...queries.warnings];
  return {
    documents: documents.vectors,
    queries: queries.vectors,
    dim: documents.dim,
    notes: [documents.note, queries.note, ...warnings.map((w) => `${formatLocation(w)}${w.message}`)],
    warnings,
  };
}
