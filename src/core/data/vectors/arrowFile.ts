import { Message, RecordBatchReader, type RecordBatch, type Schema } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { DataError } from '../dataset.ts';
import { registerArrowCodecs } from './arrowCodecs.ts';
import { arrowColumns, batchIds, batchKinds, firstListLength, placeBatchRows, type ArrowColumns } from './arrowTable.ts';
import { readRange, startsWithMagic, type ReadFile } from './readFile.ts';
import type { TablePart } from './tablePart.ts';

/**
 * Bytes of an IPC stream read before apache-arrow says what it needs (then it asks for each message's
 * parts, read one range each). Record batches are decoded one at a time, so a file is never held whole:
 * its ids are read in a first pass, its vectors placed in a second.
 */
export const ARROW_WINDOW_BYTES = 64 * 1024;


/**
 * An Arrow IPC file (Feather v2) or stream of embedding rows, LZ4 or ZSTD compressed or not, read as a
 * stream of record batches: the first pass keeps each batch's ids (and kinds), `placeRows` a second pass
 * writes its vectors. A file's batches are found through its footer (not every writer ends the stream
 * inside a file with an end-of-stream marker).
 */
export async function openArrowPart(read: ReadFile, path: string, file: string, windowBytes = ARROW_WINDOW_BYTES): Promise<TablePart> {
  const head = await readRange(read, path, 0, 8);
  const isFile = startsWithMagic(head, 'ARROW1');
  const isStream = head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff;
  if (!isFile && !isStream) {
    throw new DataError({ file, message: `is not an Arrow IPC / Feather file (it starts with neither "ARROW1" nor a stream message)${startsWithMagic(head, 'PAR1') ? ': it is a parquet file' : ''}` });
  }
  registerArrowCodecs();
  const batches = () => batchesOf(isFile ? fileMessages(read, path, file) : streamBytes(read, path, windowBytes), file);
  let columns: ArrowColumns | null = null;
  let dim = -1;
  const ids: string[] = [];
  const kinds: ('query' | 'document')[] = [];
  for await (const batch of batches()) {
    columns ??= arrowColumns(batch.schema, file);
    if (dim < 0) dim = firstListLength(batch, columns);
    for (const id of batchIds(batch, columns, file, ids.length)) ids.push(id);
    if (columns.kind) for (const kind of batchKinds(batch, columns, file, kinds.length)) kinds.push(kind);
  }
  dim = Math.max(dim, 0);
  return {
    file,
    count: ids.length,
    dim,
    storedAs: columns?.storedAs ?? 'float32',
    ids,
    kinds: columns?.kind ? kinds : null,
    placeRows: async (destinations) => {
      let firstRow = 0;
      for await (const batch of batches()) {
        placeBatchRows(batch, columns!, file, firstRow, dim, ids, destinations);
        firstRow += batch.numRows;
      }
    },
  };
}

/** Record batches decoded one at a time from `bytes`: an Arrow IPC stream, delivered as it is read. */
async function* batchesOf(bytes: AsyncGenerator<Uint8Array, void, number | undefined>, file: string): AsyncGenerator<RecordBatch> {
  const unreadable = (error: unknown) =>
    error instanceof DataError ? error : new DataError({ file, message: `could not be read as Arrow IPC (${(error as Error).message})` });
  let iterator: AsyncIterator<RecordBatch>;
  try {
    iterator = (await RecordBatchReader.from(bytes))[Symbol.asyncIterator]();
  } catch (error) {
    throw unreadable(error);
  }
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
}

/**
 * An IPC stream file, read as apache-arrow asks for it: it names the bytes it needs next (a message's
 * length, its metadata, its body), and each is read as one range, so a body is never pieced together.
 */
async function* streamBytes(read: ReadFile, path: string, windowBytes: number): AsyncGenerator<Uint8Array, void, number | undefined> {
  let offset = 0;
  let wanted: number | undefined;
  for (;;) {
    const chunk = await readRange(read, path, offset, wanted && wanted > 0 ? wanted : windowBytes);
    if (!chunk.length) return;
    offset += chunk.length;
    wanted = yield chunk;
  }
}

/** A schema as an IPC stream message: continuation, length, flatbuffer metadata padded to 8 bytes. */
function schemaMessage(schema: Schema): Uint8Array {
  const metadata = Message.encode(Message.from(schema));
  const bytes = new Uint8Array(8 + Math.ceil(metadata.length / 8) * 8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0xffffffff, true);
  view.setInt32(4, bytes.length - 8, true);
  bytes.set(metadata, 8);
  return bytes;
}

const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * An IPC file as the stream its footer describes: the footer's schema, then each dictionary and record batch
 * message where the footer's blocks say they are, then an end-of-stream marker. (The schema is taken from
 * the footer because apache-arrow's own writer puts no schema message in a file's stream part.)
 */
async function* fileMessages(read: ReadFile, path: string, file: string): AsyncGenerator<Uint8Array, void, number | undefined> {
  const damaged = (why: string) => new DataError({ file, message: `is cut short or damaged: ${why}` });
  const tail = await readRange(read, path, -10, 10);
  if (tail.length < 10 || !startsWithMagic(tail.subarray(4), 'ARROW1')) throw damaged('it starts as an Arrow IPC file but does not end with its footer and "ARROW1"');
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
  const footerBytes = (await readRange(read, path, -(10 + footerLength), 10 + footerLength)).subarray(0, footerLength);
  if (footerLength <= 0 || footerBytes.length < footerLength) throw damaged(`its footer says it is ${footerLength} bytes long`);
  let footer: Footer;
  try {
    footer = Footer.decode(footerBytes);
  } catch (error) {
    throw damaged(`its footer cannot be read (${(error as Error).message})`);
  }
  // A message is its length prefix (the 0xFFFFFFFF continuation and an int32, or an int32 alone in files
  // before Arrow 0.15), its metadata, then its body.
  const message = async (offset: number, bodyLength: number) => {
    const prefix = await readRange(read, path, offset, 8);
    const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    const continued = prefix.length === 8 && view.getUint32(0, true) === 0xffffffff;
    const length = (continued ? 8 : 4) + (prefix.length >= 8 ? view.getInt32(continued ? 4 : 0, true) : 0) + bodyLength;
    const bytes = await readRange(read, path, offset, length);
    if (bytes.length < length) throw damaged(`a message at byte ${offset} runs past the end of the file`);
    return bytes;
  };
  yield schemaMessage(footer.schema);
  for (const block of [...footer.dictionaryBatches(), ...footer.recordBatches()]) yield await message(Number(block.offset), Number(block.bodyLength));
  yield END_OF_STREAM;
}
