import { DataError, type DataIssue } from '../dataset.ts';
import type { TextCollection } from '../textCollection.ts';
import { decodeText } from '../decodeText.ts';

/** Ids named in a message before the rest are only counted. */
const NAMED = 5;

/**
 * Where each row of a vector file goes in a dataset table: `targets[fileRow]` is the table row, or −1 for a
 * row the table does not have. The readers write each row straight to its place, so a file in another order
 * than the dataset's costs no second copy of the vectors.
 */
export interface RowTargets {
  targets: Int32Array;
  /** Rows of the table (the size of the array the rows go into). */
  tableRows: number;
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
  // Ids are matched exactly: a blank line or a space around an id would name a row no dataset has.
  for (const [i, id] of lines.entries()) {
    if (id.trim() === '') throw new DataError({ file, line: i + 1, message: `a blank line${id ? ' (only spaces)' : ''}: give one id per line, in the order of the rows` });
    const space = /^\s/.test(id) ? 'a leading' : /\s$/.test(id) ? 'a trailing' : null;
    if (space) throw new DataError({ file, line: i + 1, column: space === 'a leading' ? 1 : id.length, message: `id ${JSON.stringify(id)} has ${space} space: ids are matched exactly; remove it` });
  }
  return lines;
}

/**
 * Matches a vector file's `count` rows to the rows of `table` by id: every row of the table must have a
 * vector (missing ones are an error that counts them and names the first few); vectors for ids the table
 * lacks are dropped with a warning. Without ids, the file must have exactly one row per table row, taken in
 * order.
 */
export function rowTargets(count: number, ids: readonly string[] | null, table: TextCollection, file: string, what: 'documents' | 'queries'): RowTargets {
  if (!ids) {
    if (count !== table.length) {
      throw new DataError({ file, message: `${count} rows and no ids file, for ${table.length} ${what}: give the ids (one per line) so rows can be matched` });
    }
    return { targets: Int32Array.from({ length: count }, (_, i) => i), tableRows: count, alignedBy: 'order', warnings: [] };
  }
  if (ids.length !== count) throw new DataError({ file, message: `${count} rows but ${ids.length} ids: one id per row expected` });
  const rowOfId = new Map<string, number>();
  for (const [row, id] of ids.entries()) {
    if (rowOfId.has(id)) throw new DataError({ file, message: `id "${id}" is given to rows ${rowOfId.get(id)! + 1} and ${row + 1}` });
    rowOfId.set(id, row);
  }
  const targets = new Int32Array(count).fill(-1);
  const missing: string[] = [];
  for (let r = 0; r < table.length; r++) {
    const id = table.id(r);
    const row = rowOfId.get(id);
    if (row === undefined) {
      missing.push(id);
      continue;
    }
    targets[row] = r;
  }
  if (missing.length) {
    const named = missing.slice(0, NAMED).map((id) => `"${id}"`).join(', ');
    throw new DataError({ file, message: `${missing.length} of the dataset's ${table.length} ${what} have no vector (${named}${missing.length > NAMED ? ', …' : ''})` });
  }
  const extra = count - table.length;
  const warnings: DataIssue[] = extra > 0 ? [{ severity: 'warning', file, message: `${extra} rows name ${what} the dataset does not have: left out` }] : [];
  return { targets, tableRows: table.length, alignedBy: 'id', warnings };
}

/**
 * Copies rows `[from, from + rows.length / dim)` of a file, already decoded, to their places in `out`.
 * Runs of rows that keep their order are copied as one block.
 */
export function placeRows<Values extends Float32Array | Uint16Array>(rows: Values, dim: number, from: number, targets: Int32Array, out: Values): void {
  const n = rows.length / dim;
  for (let i = 0; i < n; ) {
    const target = targets[from + i];
    let run = 1;
    if (target < 0) {
      i++;
      continue;
    }
    while (i + run < n && targets[from + i + run] === target + run) run++;
    out.set(rows.subarray(i * dim, (i + run) * dim), target * dim);
    i += run;
  }
}
