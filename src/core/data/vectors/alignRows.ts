import { DataError, type DataIssue } from '../dataset.ts';
import type { TextTable } from '../textTable.ts';
import { decodeText } from '../decodeText.ts';
import type { VectorRows } from './npy.ts';

/** Ids named in a message before the rest are only counted. */
const NAMED = 5;

/** A vector file's rows put in a dataset table's row order. */
export interface AlignedRows {
  vectors: Float32Array;
  dim: number;
  /** How rows were matched: by the file's ids, or by position because it came without ids. */
  alignedBy: 'id' | 'order';
  warnings: DataIssue[];
}

/**
 * Ids of a vector file's rows, from a side file: one id per line (`.txt`), or a JSON array of strings (or
 * integers, which must be exact: above 2^53 a JSON number no longer names one id).
 */
export function readIds(bytes: Uint8Array, file: string): string[] {
  const text = decodeText(bytes, file);
  if (/\.json$/i.test(file)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new DataError({ file, message: `is not valid JSON (${(error as Error).message})` });
    }
    if (!Array.isArray(parsed)) throw new DataError({ file, message: 'must hold a JSON array of ids' });
    return parsed.map((id, i) => {
      if (typeof id === 'string') return id;
      if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
      throw new DataError({ file, message: `entry ${i + 1} is ${JSON.stringify(id)}: ids must be strings (or integers below 2^53)` });
    });
  }
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * Puts `rows` (read from `file`) in the order of `table`, matching by id: every row of the table must have
 * a vector (missing ones are an error that counts them and names the first few); vectors for ids the
 * table lacks are dropped with a warning. Without ids, the file must have exactly one row per table row,
 * taken in order. Rows already in the table's order are kept as they are (no copy).
 */
export function alignRows(rows: VectorRows, ids: readonly string[] | null, table: TextTable, file: string, what: 'documents' | 'queries'): AlignedRows {
  const { vectors, count, dim } = rows;
  if (!ids) {
    if (count !== table.length) {
      throw new DataError({ file, message: `${count} rows and no ids file, for ${table.length} ${what}: give the ids (one per line) so rows can be matched` });
    }
    return { vectors, dim, alignedBy: 'order', warnings: [] };
  }
  if (ids.length !== count) throw new DataError({ file, message: `${count} rows but ${ids.length} ids: one id per row expected` });
  const rowOfId = new Map<string, number>();
  for (const [row, id] of ids.entries()) {
    if (rowOfId.has(id)) throw new DataError({ file, message: `id "${id}" is given to rows ${rowOfId.get(id)! + 1} and ${row + 1}` });
    rowOfId.set(id, row);
  }
  const source = new Int32Array(table.length);
  const missing: string[] = [];
  let inOrder = count === table.length;
  for (let r = 0; r < table.length; r++) {
    const id = table.id(r);
    const row = rowOfId.get(id);
    if (row === undefined) {
      missing.push(id);
      continue;
    }
    source[r] = row;
    if (row !== r) inOrder = false;
  }
  if (missing.length) {
    const named = missing.slice(0, NAMED).map((id) => `"${id}"`).join(', ');
    throw new DataError({ file, message: `${missing.length} of the dataset's ${table.length} ${what} have no vector (${named}${missing.length > NAMED ? ', …' : ''})` });
  }
  const extra = count - table.length;
  const warnings: DataIssue[] = extra > 0 ? [{ severity: 'warning', file, message: `${extra} rows name ${what} the dataset does not have: left out` }] : [];
  if (inOrder) return { vectors, dim, alignedBy: 'id', warnings };
  const out = new Float32Array(table.length * dim);
  for (let r = 0; r < table.length; r++) out.set(vectors.subarray(source[r] * dim, (source[r] + 1) * dim), r * dim);
  return { vectors: out, dim, alignedBy: 'id', warnings };
}
