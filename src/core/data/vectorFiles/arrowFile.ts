import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import { DataError } from '../dataset.ts';
import { registerArrowCodecs } from './arrowCodecs.ts';
import { fileMessages, projectedStream, streamMessages } from './arrowMessages.ts';
import { arrowColumns, batchIds, batchKinds, firstListLength, placeBatchRows } from './arrowTable.ts';
import { readRange, startsWithMagic, type ReadFile } from './readFile.ts';
import type { TablePart } from './tablePart.ts';

/**
 * An Arrow IPC file (Feather v2) or stream of embedding rows, LZ4 or ZSTD compressed or not, read one record
 * batch at a time and one column at a time: a first pass reads only the id (and kind) columns' bytes,
 * `placeRows` a second only the embedding column's, so neither the file nor a whole batch is held, and other
 * columns (a text column beside the vectors, say) are never read. A file's batches are found through its
 * footer (not every writer ends the stream inside a file with an end-of-stream marker).
 */
export async function openArrowPart(read: ReadFile, path: string, file: string): Promise<TablePart> {
  const head = await readRange(read, path, 0, 8);
  const isFile = startsWithMagic(head, 'ARROW1');
  const isStream = head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
  if (!isFile && !isStream) {
    throw new DataError({ file, message: `is not an Arrow IPC / Feather file (it starts with neither "ARROW1" nor a stream message)${startsWithMagic(head, 'PAR1') ? ': it is a parquet file' : ''}` });
  }
  registerArrowCodecs();
  const messages = isFile ? await fileMessages(read, path, file) : await streamMessages(read, path, file);
  const columns = arrowColumns(messages.schema, file);
  const batches = (keep: (string | undefined)[]) => batchesOf(projectedStream(messages, keep.filter((name) => name !== undefined), read, path, file), file);
  const ids: string[] = [];
  const kinds: ('query' | 'document')[] = [];
  for await (const batch of batches([columns.id.name, columns.kind?.name])) {
    for (const id of batchIds(batch, columns, file, ids.length)) ids.push(id);
    if (columns.kind) for (const kind of batchKinds(batch, columns, file, kinds.length)) kinds.push(kind);
  }
  // A List column's dimension is its first row's length: read from the first batch that has rows.
  let dim = columns.listSize;
  if (dim < 0 && ids.length > 0) {
    for await (const batch of batches([columns.embedding.name])) {
      dim = firstListLength(batch, columns);
      if (dim >= 0) break;
    }
  }
  dim = Math.max(dim, 0);
  if (dim === 0 && ids.length > 0) {
    throw new DataError({
      file,
      message: columns.listSize === 0
        ? `column "${columns.embedding.name}" is a list of 0 values: vectors need at least one dimension`
        : `row 1 (id "${ids[0]}") has an empty embedding (0 values) in column "${columns.embedding.name}": vectors need at least one dimension`,
    });
  }
  return {
    file,
    count: ids.length,
    dim,
    storedAs: columns.storedAs,
    ids,
    idType: columns.idType,
    kinds: columns.kind ? kinds : null,
    placeRows: async (destinations) => {
      let firstRow = 0;
      for await (const batch of batches([columns.embedding.name])) {
        placeBatchRows(batch, columns, file, firstRow, dim, ids, destinations);
        firstRow += batch.numRows;
      }
    },
  };
}

/** Record batches decoded one at a time from `bytes`, an Arrow IPC stream delivered message by message. */
async function* batchesOf(bytes: AsyncGenerator<Uint8Array>, file: string): AsyncGenerator<RecordBatch> {
  const unreadable = (error: unknown) =>
    error instanceof DataError ? error : new DataError({ file, message: `could not be read as Arrow IPC (${(error as Error).message})` });
  let iterator: AsyncIterator<RecordBatch>;
  try {
    iterator = (await RecordBatchReader.from(bytes))[Symbol.asyncIterator]();
  } catch (error) {
    throw unreadable(error);
  }
  try {
    for (;;) {
      let next: IteratorResult<RecordBatch>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw unreadable(error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // Stopped early (the dimension read from a first batch): let the reader close its source.
    await iterator.return?.();
  }
}
