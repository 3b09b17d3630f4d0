import { DataType, type Table, type Vector } from 'apache-arrow';
import { DataError } from '../dataset.ts';
import { float16, type VectorRows } from './npy.ts';
import { EMBEDDING_NAMES, ID_NAMES, KIND_NAMES, readKind } from './tableColumns.ts';


/** Rows of one Arrow table (from an IPC/Feather file or a parquet file): ids, vectors, and each row's kind. */
export interface TableRows extends VectorRows {
  ids: string[];
  /** Per row, from a `kind`/`role` column: whether it is a query or a document; null without one. */
  kinds: ('query' | 'document')[] | null;
}

/**
 * The embedding rows of an Arrow table: an `id` column (strings or integers) and an embedding column —
 * `FixedSizeList<float32 | float16>` or `List<float>` (every row the same length) — optionally a
 * `kind`/`role` column saying `query` or `document` when both sit in one table.
 */
export function tableRows(table: Table, file: string): TableRows {
  const fields = table.schema.fields;
  const isList = (type: DataType) => DataType.isFixedSizeList(type) || DataType.isList(type);
  const lists = fields.filter((f) => isList(f.type));
  const embedding = lists.find((f) => EMBEDDING_NAMES.includes(f.name.toLowerCase())) ?? (lists.length === 1 ? lists[0] : null);
  if (!embedding) {
    const names = fields.map((f) => `${f.name} (${f.type})`).join(', ');
    throw new DataError({ file, message: `has no embedding column (a list of floats named ${EMBEDDING_NAMES.slice(0, 3).join(', ')}, …); its columns: ${names}` });
  }
  const valueType = (embedding.type as { children: { type: DataType }[] }).children[0].type;
  if (!DataType.isFloat(valueType)) throw new DataError({ file, message: `column "${embedding.name}" holds lists of ${valueType}: expected float32 or float16` });
  const idField = fields.find((f) => ID_NAMES.includes(f.name.toLowerCase()));
  if (!idField) throw new DataError({ file, message: `has no id column (${ID_NAMES.slice(0, 3).join(', ')}, …): vectors are matched to the dataset by id` });
  const kindField = fields.find((f) => KIND_NAMES.includes(f.name.toLowerCase()));

  const count = table.numRows;
  const column = table.getChild(embedding.name)!;
  let dim = DataType.isFixedSizeList(embedding.type) ? (embedding.type as { listSize: number }).listSize : -1;
  const idColumn = table.getChild(idField.name)!;
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const id = idColumn.get(i);
    if (id === null || id === undefined) throw new DataError({ file, message: `row ${i + 1} has no id` });
    ids[i] = String(id);
  }
  const kinds = kindField ? readKinds(table.getChild(kindField.name)!, kindField.name, file) : null;

  const storedAs = DataType.isFloat(valueType) && (valueType as { precision: number }).precision === 0 ? 'float16' : 'float32';
  // One chunk of fixed-size float32 lists with no missing rows is already the row-major matrix: viewed, not copied.
  const [only] = column.data;
  if (column.data.length === 1 && dim > 0 && only.nullCount === 0 && only.children[0].values instanceof Float32Array) {
    const start = only.children[0].offset + only.offset * dim;
    return { vectors: (only.children[0].values as Float32Array).subarray(start, start + count * dim), count, dim, storedAs, ids, kinds };
  }
  let vectors: Float32Array | null = dim > 0 ? new Float32Array(count * dim) : null;
  let row = 0;
  for (const chunk of column.data) {
    const child = chunk.children[0];
    const values = child.values as Float32Array | Float64Array | Uint16Array;
    const half = DataType.isFloat(child.type) && (child.type as { precision: number }).precision === 0;
    const value = (k: number) => (half ? float16((values as Uint16Array)[k]) : values[k]);
    for (let r = 0; r < chunk.length; r++, row++) {
      if (!chunk.getValid(r)) throw new DataError({ file, message: `row ${row + 1} (id "${ids[row]}") has no embedding` });
      const start = chunk.valueOffsets ? chunk.valueOffsets[chunk.offset + r] : (chunk.offset + r) * dim;
      const end = chunk.valueOffsets ? chunk.valueOffsets[chunk.offset + r + 1] : start + dim;
      if (dim < 0) {
        dim = end - start;
        vectors = new Float32Array(count * dim);
      }
      if (end - start !== dim) throw new DataError({ file, message: `row ${row + 1} (id "${ids[row]}") has ${end - start} values where row 1 has ${dim}` });
      const from = child.offset + start;
      if (!half && values instanceof Float32Array) vectors!.set(values.subarray(from, from + dim), row * dim);
      else for (let j = 0; j < dim; j++) vectors![row * dim + j] = value(from + j);
    }
  }
  return { vectors: vectors ?? new Float32Array(0), count, dim: Math.max(dim, 0), storedAs, ids, kinds };
}

function readKinds(column: Vector, name: string, file: string): ('query' | 'document')[] {
  return Array.from({ length: column.length }, (_, i) => readKind(column.get(i), i, name, file));
}

