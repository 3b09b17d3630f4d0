import { parquetMetadata, parquetSchema, type ColumnMetaData, type DecodedArray, type FileMetaData, type SchemaTree } from 'hyparquet';
import { parquetHeader, readColumn } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getMaxRepetitionLevel } from 'hyparquet/src/schema.js';
import type { ColumnDecoder, DataPage } from 'hyparquet/src/types.js';
import { compressors } from 'hyparquet-compressors';
import { DataError } from '../dataset.ts';
import { EMBEDDING_NAMES, ID_NAMES, KIND_NAMES, readKind } from './tableColumns.ts';
import { float16Table } from '../../vectors/float16.ts';
import { readRange, startsWithMagic, type ReadFile } from './readFile.ts';
import type { RowDestination, TablePart } from './tablePart.ts';

/**
 * Bytes of a column chunk read at once. The embedding column is decoded a page at a time (writers make
 * pages of about 1 MB) from this window straight into the arrays the kernels use, so a parquet file is never
 * held whole, nor decoded into a table beside those arrays.
 */
const PARQUET_WINDOW_BYTES = 8 * 2 ** 20;

/** The footer is read with this much of the file's end; a longer one takes a second read. */
const FOOTER_GUESS = 64 * 1024;
/** Enough for any page header a writer makes (the header's statistics of a float page are a few bytes). */
const PAGE_HEADER_BYTES = 64 * 1024;


/**
 * A parquet file (one part of a Ray Data / Spark / pandas output, or a whole one) of embedding rows: an id
 * column, an embedding column (list or fixed-size list of float32, float64 or float16) and optionally a
 * kind/role column. Its footer, ids and kinds are read now; its vectors when `placeRows` asks for them,
 * page by page through hyparquet's page decoders, with the codecs of hyparquet-compressors.
 */
export async function openParquetPart(read: ReadFile, path: string, file: string, windowBytes = PARQUET_WINDOW_BYTES): Promise<TablePart> {
  const head = await readRange(read, path, 0, 8);
  const tail = await readRange(read, path, -FOOTER_GUESS, FOOTER_GUESS);
  if (!startsWithMagic(head, 'PAR1')) {
    throw new DataError({ file, message: `is not a parquet file (no "PAR1" at its start and end)${startsWithMagic(head, 'ARROW1') ? ': it is an Arrow IPC file' : ''}` });
  }
  if (tail.length < 12 || !startsWithMagic(tail.subarray(tail.length - 4), 'PAR1')) {
    throw new DataError({ file, message: 'is cut short or damaged: it starts as a parquet file but does not end with its footer and "PAR1"' });
  }
  const metadata = await readFooter(read, path, file, tail);
  const columns = pickColumns(parquetSchema(metadata), file);
  const count = Number(metadata.num_rows);
  const chunks = metadata.row_groups.map((group) => {
    const chunk = (tree: SchemaTree) => {
      const leaf = leafOf(tree);
      const found = group.columns.find((c) => c.meta_data?.path_in_schema.join('\u0000') === leaf.path.join('\u0000'));
      if (!found?.meta_data) throw new DataError({ file, message: `has a row group without column "${tree.element.name}"` });
      if (found.file_path) throw new DataError({ file, message: `keeps column "${tree.element.name}" in another file (${found.file_path}): not supported` });
      return found.meta_data;
    };
    return { rows: Number(group.num_rows), embedding: chunk(columns.embedding), id: chunk(columns.id), kind: columns.kind ? chunk(columns.kind) : null };
  });
  const root = columns.root;
  const ids = (await readFlatColumn(read, path, file, root, columns.id, chunks.map((c) => ({ meta: c.id, rows: c.rows })))).map((id, row) => {
    if (id === null || id === undefined) throw new DataError({ file, message: `row ${row + 1} has no id` });
    return String(id);
  });
  const kinds = columns.kind
    ? (await readFlatColumn(read, path, file, root, columns.kind, chunks.map((c) => ({ meta: c.kind!, rows: c.rows })))).map((value, row) => readKind(value, row, columns.kind!.element.name, file))
    : null;
  const embedding: EmbeddingColumn = { read, path, file, root, leaf: leafOf(columns.embedding), chunks: chunks.map((c) => c.embedding), windowBytes };
  const dim = count ? await firstRowLength(embedding, ids[0]) : 0;
  return {
    file,
    count,
    dim,
    storedAs: embedding.leaf.element.type === 'FIXED_LEN_BYTE_ARRAY' ? 'float16' : 'float32',
    ids,
    idType: idTypeOf(columns.id),
    kinds,
    placeRows: (destinations) => streamEmbeddings(embedding, { count, dim, ids }, destinations),
  };
}

/** The file's metadata (its footer): at the end of the file, before its length and the closing "PAR1". */
async function readFooter(read: ReadFile, path: string, file: string, tail: Uint8Array): Promise<FileMetaData> {
  const length = new DataView(tail.buffer, tail.byteOffset, tail.byteLength).getUint32(tail.length - 8, true);
  if (length + 8 > tail.length) tail = await readRange(read, path, -(length + 8), length + 8);
  if (length + 8 > tail.length) throw new DataError({ file, message: `is cut short: its footer says ${length} bytes of metadata, the file has ${tail.length - 8}` });
  try {
    return parquetMetadata(tail);
  } catch (error) {
    throw new DataError({ file, message: `could not be read as parquet (${(error as Error).message})` });
  }
}

/** The leaf under a column: a list's element, or the column itself. */
function leafOf(tree: SchemaTree): SchemaTree {
  while (tree.children.length === 1) tree = tree.children[0];
  return tree;
}

/** The path from the root to a leaf, as hyparquet's level decoders take it. */
function schemaPathOf(root: SchemaTree, leaf: SchemaTree): SchemaTree[] {
  const path = [root];
  let node = root;
  for (const name of leaf.path) {
    node = node.children.find((c) => c.element.name === name)!;
    path.push(node);
  }
  return path;
}

const isFloatLeaf = (leaf: SchemaTree) => {
  const { type, type_length, logical_type } = leaf.element;
  return type === 'FLOAT' || type === 'DOUBLE' || (type === 'FIXED_LEN_BYTE_ARRAY' && type_length === 2 && logical_type?.type === 'FLOAT16');
};

interface Columns {
  root: SchemaTree;
  embedding: SchemaTree;
  id: SchemaTree;
  kind: SchemaTree | null;
}

/** The id, embedding and kind columns, by the rules the Arrow reader follows. */
function pickColumns(root: SchemaTree, file: string): Columns {
  const top = root.children;
  const repeatedOnce = (tree: SchemaTree) => {
    const leaf = leafOf(tree);
    return leaf.children.length === 0 && getMaxRepetitionLevel(schemaPathOf(root, leaf)) === 1;
  };
  const lists = top.filter(repeatedOnce);
  const embedding = lists.find((c) => EMBEDDING_NAMES.includes(c.element.name.toLowerCase())) ?? (lists.length === 1 ? lists[0] : null);
  if (!embedding) {
    const names = top.map((c) => `${c.element.name} (${describe(c)})`).join(', ');
    throw new DataError({ file, message: `has no embedding column (a list of floats named ${EMBEDDING_NAMES.slice(0, 3).join(', ')}, …); its columns: ${names}` });
  }
  if (!isFloatLeaf(leafOf(embedding))) throw new DataError({ file, message: `column "${embedding.element.name}" holds lists of ${describe(leafOf(embedding))}: expected float32 or float16` });
  const flat = top.filter((c) => c.children.length === 0 && c.element.repetition_type !== 'REPEATED');
  const id = flat.find((c) => ID_NAMES.includes(c.element.name.toLowerCase()));
  if (!id) throw new DataError({ file, message: `has no id column (${ID_NAMES.slice(0, 3).join(', ')}, …): vectors are matched to the dataset by id` });
  const kind = flat.find((c) => KIND_NAMES.includes(c.element.name.toLowerCase())) ?? null;
  return { root, embedding, id, kind };
}

/** Strings or integers: what the parts of one output must agree on (as the Arrow reader says it). */
function idTypeOf(column: SchemaTree): string {
  const { type } = column.element;
  if (type === 'BYTE_ARRAY') return 'strings';
  if (type === 'INT32' || type === 'INT64') return 'integers';
  return describe(column);
}

function describe(tree: SchemaTree): string {
  const leaf = leafOf(tree);
  const type = leaf.element.logical_type?.type ?? leaf.element.converted_type ?? leaf.element.type ?? 'group';
  return leaf === tree ? String(type) : `list<${type}>`;
}

function decoderOf(root: SchemaTree, leaf: SchemaTree, meta: ColumnMetaData): ColumnDecoder {
  return { pathInSchema: meta.path_in_schema, type: meta.type, element: leaf.element, schemaPath: schemaPathOf(root, leaf), codec: meta.codec, parsers: DEFAULT_PARSERS, compressors, utf8: true };
}

/** Where a column chunk's bytes are: from its dictionary page (if any) through its last data page. */
function chunkRange(meta: ColumnMetaData): { start: number; end: number } {
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/** A flat column (ids, kinds) of every row group, each chunk read whole: it is small beside the vectors. */
async function readFlatColumn(read: ReadFile, path: string, file: string, root: SchemaTree, column: SchemaTree, chunks: { meta: ColumnMetaData; rows: number }[]): Promise<unknown[]> {
  const values: unknown[] = [];
  for (const { meta, rows } of chunks) {
    const { start, end } = chunkRange(meta);
    const bytes = await readRange(read, path, start, end - start);
    if (bytes.length < end - start) throw new DataError({ file, message: `is cut short: column "${column.element.name}" runs past the end of the file` });
    let data: DecodedArray[];
    try {
      data = readColumn({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, { groupStart: values.length, groupRows: rows, selectStart: 0, selectEnd: rows }, decoderOf(root, column, meta)).data;
    } catch (error) {
      throw new DataError({ file, message: `could not be read as parquet: column "${column.element.name}" (${(error as Error).message})` });
    }
    for (const part of data) for (let i = 0; i < part.length; i++) values.push(part[i]);
  }
  return values;
}

/** The embedding column of one file, across its row groups. */
interface EmbeddingColumn {
  read: ReadFile;
  path: string;
  file: string;
  root: SchemaTree;
  leaf: SchemaTree;
  chunks: ColumnMetaData[];
  windowBytes: number;
}

/** One data page of the embedding column: its level entries (one per slot of a row) and its values. */
interface Page {
  levels: number;
  /** Per entry; 0 starts a row. */
  repetition: number[];
  /** Per entry; empty when every entry holds a value. */
  definition: number[];
  /** The entries' values, in order, for entries that hold one: float16 ones as their bit patterns. */
  values: ArrayLike<number>;
  /** Whether `values` are float16 bit patterns (a float16 column), widened only where a float32 array takes them. */
  half: boolean;
}

/** How a column's definition levels read: at `max` a value, from `element` up a null element, below it no list. */
function levelsOf(column: EmbeddingColumn): { max: number; element: number; name: string } {
  const schemaPath = schemaPathOf(column.root, column.leaf);
  const max = getMaxDefinitionLevel(schemaPath);
  // Only an optional element (the three-level list layout) can be null inside a list that is there.
  return { max, element: column.leaf.element.repetition_type === 'OPTIONAL' ? max - 1 : max, name: schemaPath[1].element.name };
}

/**
 * The data pages of the embedding column, decoded one at a time from a window of the file read by range —
 * never the whole column chunk. Dictionary pages are kept for the pages that index them.
 */
async function* pagesOf(column: EmbeddingColumn): AsyncGenerator<Page> {
  const { read, path, file, root, leaf } = column;
  const { name } = levelsOf(column);
  const half = leaf.element.type === 'FIXED_LEN_BYTE_ARRAY';
  for (const meta of column.chunks) {
    const decoder = decoderOf(root, leaf, meta);
    const { start, end } = chunkRange(meta);
    let window: Uint8Array = new Uint8Array(0);
    let windowStart = start;
    const ensure = async (from: number, length: number) => {
      if (from >= windowStart && from + length <= windowStart + window.length) return;
      window = await readRange(read, path, from, Math.max(length, Math.min(column.windowBytes, end - from)));
      windowStart = from;
      if (window.length < length) throw new DataError({ file, message: `is cut short: column "${name}" runs past the end of the file` });
    };
    // A page header is a few dozen bytes: parsed from what the window holds, re-read longer if it runs past.
    const pageHeader = async (at: number) => {
      for (const length of [Math.min(256, end - at), Math.min(PAGE_HEADER_BYTES, end - at)]) {
        await ensure(at, length);
        const reader = { view: new DataView(window.buffer, window.byteOffset, window.byteLength), offset: at - windowStart };
        try {
          const header = parquetHeader(reader);
          if (reader.offset <= window.length) return { header, bodyStart: windowStart + reader.offset };
        } catch (error) {
          if (!(error instanceof RangeError) || length === Math.min(PAGE_HEADER_BYTES, end - at)) throw error;
        }
      }
      throw new Error('a page header longer than 64 KB');
    };
    let dictionary: ArrayLike<number> | null = null;
    for (let offset = start; offset < end; ) {
      const pageStart = offset;
      let page: Page | null = null;
      try {
        const { header, bodyStart } = await pageHeader(offset);
        const pageEnd = bodyStart + header.compressed_page_size;
        await ensure(offset, pageEnd - offset);
        const body = window.subarray(bodyStart - windowStart, pageEnd - windowStart);
        offset = pageEnd;
        let decoded: DataPage;
        let encoding: string;
        let levels: number;
        if (header.type === 'DICTIONARY_PAGE') {
          const bytes = decompressPage(body, header.uncompressed_page_size, meta.codec, compressors);
          const plain = readPlain({ view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 }, meta.type, header.dictionary_page_header!.num_values, leaf.element.type_length);
          dictionary = numbers(plain, half);
          continue;
        } else if (header.type === 'DATA_PAGE') {
          const daph = header.data_page_header!;
          decoded = readDataPage(decompressPage(body, header.uncompressed_page_size, meta.codec, compressors), daph, decoder);
          encoding = daph.encoding;
          levels = daph.num_values;
        } else if (header.type === 'DATA_PAGE_V2') {
          decoded = readDataPageV2(body, header, decoder);
          encoding = header.data_page_header_v2!.encoding;
          levels = header.data_page_header_v2!.num_values;
        } else {
          continue; // an index page: nothing to place
        }
        let values: ArrayLike<number>;
        if (encoding === 'RLE_DICTIONARY' || encoding === 'PLAIN_DICTIONARY') {
          if (!dictionary) throw new Error('a dictionary-encoded page comes before any dictionary page');
          const indices = decoded.dataPage as ArrayLike<number>;
          const looked = half ? new Uint16Array(indices.length) : new Float32Array(indices.length);
          for (let k = 0; k < indices.length; k++) looked[k] = dictionary[indices[k]];
          values = looked;
        } else {
          values = numbers(decoded.dataPage, half);
        }
        page = { levels, repetition: decoded.repetitionLevels, definition: decoded.definitionLevels ?? [], values, half };
      } catch (error) {
        if (error instanceof DataError) throw error;
        throw new DataError({ file, message: `could not be read as parquet: column "${name}", page at byte ${pageStart} (${(error as Error).message})` });
      }
      yield page;
    }
  }
}

/** The number of values in the column's first row, from its first page (or first few): the dimension. */
async function firstRowLength(column: EmbeddingColumn, firstId: string): Promise<number> {
  const { max, element } = levelsOf(column);
  let length = -1;
  for await (const { levels, repetition, definition } of pagesOf(column)) {
    for (let i = 0; i < levels; i++) {
      if (repetition[i] === 0) {
        if (length >= 0) return length;
        length = 0;
      }
      if ((definition.length ? definition[i] : max) < element) throw new DataError({ file: column.file, message: `row 1 (id "${firstId}") has no embedding` });
      length++;
    }
  }
  return Math.max(length, 0);
}

/**
 * Decodes the embedding column page by page and writes row `r`'s values to every destination whose
 * `targets[r]` is a row (not −1). A missing (null) element inside a list, a missing or empty list, or a
 * row of another length, is an error naming the row (a null element would be a NaN that silently drops
 * the row out of every ranking).
 */
async function streamEmbeddings(column: EmbeddingColumn, { count, dim, ids }: { count: number; dim: number; ids: string[] }, destinations: readonly RowDestination[]): Promise<void> {
  const { file } = column;
  const { max, element, name } = levelsOf(column);
  const wrongLength = (row: number, found: string) =>
    new DataError({ file, message: `row ${row + 1} (id "${ids[row]}") has ${found} values in column "${name}", where row 1 has ${dim}` });
  let row = -1;
  let slot = dim;
  const table = float16Table();
  // float16 values arrive as bit patterns: kept so in a Uint16Array (float16 kept as such), widened into a Float32Array.
  const write = (values: ArrayLike<number>, from: number, to: number, half: boolean) => {
    if (slot + to - from > dim) throw wrongLength(row, `more than ${dim}`);
    for (const { targets, vectors } of destinations) {
      const target = targets[row];
      if (target < 0) continue;
      const at = target * dim + slot;
      if (half && vectors instanceof Float32Array) for (let k = from; k < to; k++) vectors[at + k - from] = table[values[k]];
      else if (values instanceof Float32Array || values instanceof Float64Array || values instanceof Uint16Array) vectors.set(values.subarray(from, to), at);
      else for (let k = from; k < to; k++) vectors[at + k - from] = values[k];
    }
    slot += to - from;
  };
  for await (const { levels, repetition, definition, values, half } of pagesOf(column)) {
    let value = 0;
    for (let i = 0; i < levels; ) {
      if (repetition[i] === 0) {
        if (row >= 0 && slot !== dim) throw wrongLength(row, String(slot));
        row++;
        slot = 0;
        if (row >= count) throw new DataError({ file, message: `column "${name}" holds more rows than the file's ${count}` });
      }
      // The entries of this row on this page, up to the next row's start.
      let next = i + 1;
      while (next < levels && repetition[next] !== 0) next++;
      if (!definition.length) {
        write(values, value, value + next - i, half);
        value += next - i;
      } else {
        for (let k = i; k < next; k++) {
          if (definition[k] < element) throw new DataError({ file, message: `row ${row + 1} (id "${ids[row]}") has no embedding` });
          if (definition[k] === max) {
            write(values, value, value + 1, half);
            value++;
          } else {
            throw new DataError({ file, message: `row ${row + 1} (id "${ids[row]}"): element ${slot + 1} of column "${name}" is null: vectors must hold a number in every element` });
          }
        }
      }
      i = next;
    }
  }
  if (row >= 0 && slot !== dim) throw wrongLength(row, String(slot));
  if (row + 1 !== count) throw new DataError({ file, message: `column "${name}" holds ${row + 1} rows, the file ${count}` });
}

/** A page's (or a dictionary's) values: float32/float64 as decoded, float16 as their bit patterns (little-endian bytes). */
function numbers(data: DecodedArray, half: boolean): ArrayLike<number> {
  if (!half) return data as ArrayLike<number>;
  const bytes = data as ArrayLike<Uint8Array>;
  const out = new Uint16Array(bytes.length);
  for (let k = 0; k < bytes.length; k++) out[k] = bytes[k][0] | (bytes[k][1] << 8);
  return out;
}
