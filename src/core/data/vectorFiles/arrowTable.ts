import { DataType, type Field, type RecordBatch, type Schema } from 'apache-arrow';
import { DataError } from '../dataset.ts';
import { float16Table } from '../../vectors/float16.ts';
import type { RowDestination } from './tablePart.ts';
import { EMBEDDING_NAMES, ID_NAMES, KIND_NAMES, readKind } from './tableColumns.ts';

/** The columns of an Arrow table of embedding rows, and the dimension its type fixes (−1 for `List`). */
export interface ArrowColumns {
  embedding: Field;
  id: Field;
  kind: Field | null;
  /** The list size of a `FixedSizeList`; −1 for a `List`, whose first row decides. */
  listSize: number;
  storedAs: 'float32' | 'float16';
  /** What the id column holds: "strings", "integers", or the Arrow type. */
  idType: string;
}

/**
 * The embedding rows' columns in an Arrow schema: an `id` column (strings or integers) and an embedding
 * column — `FixedSizeList<float32 | float16>` or `List<float>` (every row the same length) — optionally a
 * `kind`/`role` column saying `query` or `document` when both sit in one table.
 */
export function arrowColumns(schema: Schema, file: string): ArrowColumns {
  const fields = schema.fields;
  const isList = (type: DataType) => DataType.isFixedSizeList(type) || DataType.isList(type);
  const lists = fields.filter((f) => isList(f.type));
  const embedding = lists.find((f) => EMBEDDING_NAMES.includes(f.name.toLowerCase())) ?? (lists.length === 1 ? lists[0] : null);
  if (!embedding) {
    const names = fields.map((f) => `${f.name} (${f.type})`).join(', ');
    throw new DataError({ file, message: `has no embedding column (a list of floats named ${EMBEDDING_NAMES.slice(0, 3).join(', ')}, …); its columns: ${names}` });
  }
  const valueType = (embedding.type as { children: { type: DataType }[] }).children[0].type;
  if (!DataType.isFloat(valueType)) throw new DataError({ file, message: `column "${embedding.name}" holds lists of ${valueType}: expected float32 or float16` });
  const id = fields.find((f) => ID_NAMES.includes(f.name.toLowerCase()));
  if (!id) throw new DataError({ file, message: `has no id column (${ID_NAMES.slice(0, 3).join(', ')}, …): vectors are matched to the dataset by id` });
  const kind = fields.find((f) => KIND_NAMES.includes(f.name.toLowerCase())) ?? null;
  const listSize = DataType.isFixedSizeList(embedding.type) ? (embedding.type as { listSize: number }).listSize : -1;
  const storedAs = (valueType as { precision: number }).precision === 0 ? 'float16' : 'float32';
  return { embedding, id, kind, listSize, storedAs, idType: idTypeOf(id.type) };
}

/** Strings or integers (dictionary-encoded or not): what the parts of one output must agree on. */
function idTypeOf(type: DataType): string {
  const values = DataType.isDictionary(type) ? (type as unknown as { dictionary: DataType }).dictionary : type;
  if (DataType.isUtf8(values) || DataType.isLargeUtf8(values)) return 'strings';
  if (DataType.isInt(values)) return 'integers';
  return String(values);
}

/** A batch's ids, as text; `firstRow` numbers its rows in the file for messages. */
export function batchIds(batch: RecordBatch, columns: ArrowColumns, file: string, firstRow: number): string[] {
  const column = batch.getChild(columns.id.name)!;
  return Array.from({ length: batch.numRows }, (_, i) => {
    const id = column.get(i);
    if (id === null || id === undefined) throw new DataError({ file, message: `row ${firstRow + i + 1} has no id` });
    return String(id);
  });
}

/** A batch's kinds, from its kind/role column. */
export function batchKinds(batch: RecordBatch, columns: ArrowColumns, file: string, firstRow: number): ('query' | 'document')[] {
  const column = batch.getChild(columns.kind!.name)!;
  return Array.from({ length: batch.numRows }, (_, i) => readKind(column.get(i), firstRow + i, columns.kind!.name, file));
}

/** The length of a batch's first list (the dimension of a `List` column), or −1 for a batch with no rows. */
export function firstListLength(batch: RecordBatch, columns: ArrowColumns): number {
  if (columns.listSize >= 0) return columns.listSize;
  const [chunk] = batch.getChild(columns.embedding.name)!.data;
  if (!chunk || chunk.length === 0) return -1;
  return chunk.valueOffsets[chunk.offset + 1] - chunk.valueOffsets[chunk.offset];
}

/**
 * Writes a batch's rows — file rows `firstRow …` — to every destination whose `targets[row]` is a row of its
 * array (not −1). A missing row, or a row of another length, is an error naming it.
 */
export function placeBatchRows(batch: RecordBatch, columns: ArrowColumns, file: string, firstRow: number, dim: number, ids: readonly string[], destinations: readonly RowDestination[]): void {
  const column = batch.getChild(columns.embedding.name)!;
  const half = columns.storedAs === 'float16' ? float16Table() : null;
  let row = firstRow;
  for (const chunk of column.data) {
    const child = chunk.children[0];
    const values = child.values as Float32Array | Float64Array | Uint16Array;
    for (let r = 0; r < chunk.length; r++, row++) {
      if (!chunk.getValid(r)) throw new DataError({ file, message: `row ${row + 1} (id "${ids[row]}") has no embedding` });
      const start = chunk.valueOffsets ? chunk.valueOffsets[chunk.offset + r] : (chunk.offset + r) * dim;
      const end = chunk.valueOffsets ? chunk.valueOffsets[chunk.offset + r + 1] : start + dim;
      if (end - start !== dim) throw new DataError({ file, message: `row ${row + 1} (id "${ids[row]}") has ${end - start} values where row 1 has ${dim}` });
      const from = child.offset + start;
      if (child.nullCount > 0) {
        for (let j = 0; j < dim; j++) {
          if (!child.getValid(start + j)) throw new DataError({ file, message: `row ${row + 1} (id "${ids[row]}"): element ${j + 1} of column "${columns.embedding.name}" is null: vectors must hold a number in every element` });
        }
      }
      for (const { targets, vectors } of destinations) {
        const target = targets[row];
        if (target < 0) continue;
        // float16 into a Uint16Array stays float16 (bit patterns); into a Float32Array it is widened.
        if (half && vectors instanceof Uint16Array) vectors.set(values.subarray(from, from + dim), target * dim);
        else if (half) for (let j = 0; j < dim; j++) vectors[target * dim + j] = half[values[from + j]];
        else vectors.set(values.subarray(from, from + dim), target * dim);
      }
    }
  }
}
