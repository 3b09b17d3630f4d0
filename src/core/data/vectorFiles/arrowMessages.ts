import { DataType, MessageHeader, MetadataVersion, Schema, Type, UnionMode, type Field } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { BufferRegion, DictionaryBatch, Message, RecordBatch as BatchHeader } from 'apache-arrow/ipc/metadata/message';
import { DataError } from '../dataset.ts';
import { readRange, startsWithMagic, type ReadFile } from './readFile.ts';

/** One message of an IPC file or stream: its decoded metadata, and where its body lies in the file. */
interface LocatedMessage {
  message: Message;
  bodyOffset: number;
}

/** An Arrow IPC file or stream, message by message: its schema, then each dictionary and record batch. */
export interface ArrowMessages {
  schema: Schema;
  /** The dictionary and record batch messages, in the order a reader must take them. */
  batches(): AsyncGenerator<LocatedMessage>;
}

const damaged = (file: string, why: string) => new DataError({ file, message: `is cut short or damaged: ${why}` });
/** The file ends where the format says more follows: it was cut off (a copy or a writer stopped early). */
const truncated = (file: string, why: string) => new DataError({ file, message: `is truncated: ${why}` });
const pastTheEnd = (file: string, messageOffset: number) => truncated(file, `a message at byte ${messageOffset} runs past the end of the file`);

/** `length` bytes of the message at `messageOffset`, from `offset`: all of them, or the file is cut short. */
async function messagePart(read: ReadFile, path: string, file: string, offset: number, length: number, messageOffset: number): Promise<Uint8Array> {
  const bytes = await readRange(read, path, offset, length);
  if (bytes.length < length) throw pastTheEnd(file, messageOffset);
  return bytes;
}

/**
 * Reads the message at `offset`: its length prefix (the 0xFFFFFFFF continuation and an int32, or an int32
 * alone in files before Arrow 0.15), then its flatbuffer metadata; the body is left where it is. Null at an
 * end-of-stream marker; `'end'` exactly at the end of the file (a stream without its marker).
 */
async function messageAt(read: ReadFile, path: string, file: string, offset: number): Promise<(LocatedMessage & { next: number }) | null | 'end'> {
  const prefix = await readRange(read, path, offset, 8);
  if (prefix.length === 0) return 'end';
  if (prefix.length < 4) throw pastTheEnd(file, offset);
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const continued = view.getUint32(0, true) === 0xffffffff;
  if (continued && prefix.length < 8) throw pastTheEnd(file, offset);
  const metadataLength = view.getInt32(continued ? 4 : 0, true);
  if (metadataLength === 0) return null;
  const metadataOffset = offset + (continued ? 8 : 4);
  if (metadataLength < 0) throw damaged(file, `a message at byte ${offset} has a negative length (${metadataLength})`);
  const metadata = await messagePart(read, path, file, metadataOffset, metadataLength, offset);
  let message: Message;
  try {
    message = Message.decode(metadata);
  } catch (error) {
    throw damaged(file, `the message at byte ${offset} cannot be read (${(error as Error).message})`);
  }
  const bodyOffset = metadataOffset + metadataLength;
  return { message, bodyOffset, next: bodyOffset + message.bodyLength };
}

/** An IPC stream: a schema message, then dictionaries and record batches up to an end-of-stream marker. */
export async function streamMessages(read: ReadFile, path: string, file: string): Promise<ArrowMessages> {
  const first = await messageAt(read, path, file, 0);
  if (!first || first === 'end' || !first.message.isSchema()) throw damaged(file, 'it does not start with a schema message');
  return {
    schema: first.message.header(),
    async *batches() {
      let batches = 0;
      for (let at = first.next; ; ) {
        const located = await messageAt(read, path, file, at);
        if (located === null) return;
        // Every writer ends a stream with its end-of-stream marker: without one, the rest was cut off.
        if (located === 'end') throw truncated(file, `the stream ends after ${batches} record batches (at byte ${at}) without its end-of-stream marker`);
        if (located.message.isRecordBatch()) batches++;
        yield located;
        at = located.next;
      }
    },
  };
}

/**
 * An IPC file, through its footer: the footer's schema (apache-arrow's own writer puts no schema message in
 * a file's stream part), then each dictionary and record batch where the footer's blocks say they are.
 */
export async function fileMessages(read: ReadFile, path: string, file: string): Promise<ArrowMessages> {
  const tail = await readRange(read, path, -10, 10);
  if (tail.length < 10 || !startsWithMagic(tail.subarray(4), 'ARROW1')) throw truncated(file, 'it starts as an Arrow IPC file but does not end with its footer and "ARROW1" (or it is damaged)');
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
  const footerBytes = (await readRange(read, path, -(10 + footerLength), 10 + footerLength)).subarray(0, footerLength);
  if (footerLength <= 0 || footerBytes.length < footerLength) throw damaged(file, `its footer says it is ${footerLength} bytes long`);
  let footer: Footer;
  try {
    footer = Footer.decode(footerBytes);
  } catch (error) {
    throw damaged(file, `its footer cannot be read (${(error as Error).message})`);
  }
  return {
    schema: footer.schema,
    async *batches() {
      for (const block of [...footer.dictionaryBatches(), ...footer.recordBatches()]) {
        const located = await messageAt(read, path, file, Number(block.offset));
        if (!located || located === 'end') throw damaged(file, `its footer points at byte ${block.offset}, where no message is`);
        yield located;
      }
    },
  };
}

/** Field nodes and buffers one column takes in a record batch, children included. */
interface ColumnLayout {
  nodes: number;
  buffers: number;
}

/** The buffers a column of each type has of its own (its children's follow), as the IPC format lays them out. */
const OWN_BUFFERS: Partial<Record<Type, number>> = {
  [Type.Null]: 0,
  // validity, values
  [Type.Bool]: 2,
  [Type.Int]: 2,
  [Type.Float]: 2,
  [Type.Decimal]: 2,
  [Type.Date]: 2,
  [Type.Time]: 2,
  [Type.Timestamp]: 2,
  [Type.Interval]: 2,
  [Type.Duration]: 2,
  [Type.FixedSizeBinary]: 2,
  // validity, offsets, bytes
  [Type.Binary]: 3,
  [Type.Utf8]: 3,
  [Type.LargeBinary]: 3,
  [Type.LargeUtf8]: 3,
  // validity, offsets (then the child)
  [Type.List]: 2,
  [Type.LargeList]: 2,
  [Type.Map]: 2,
  // validity (then the children)
  [Type.FixedSizeList]: 1,
  [Type.Struct]: 1,
};

/**
 * The nodes and buffers of a column of `type`, as the IPC format lays them out (depth first, a column's own
 * buffers before its children's); null for a layout not handled here (view and run-end encoded types).
 */
function columnLayout(type: DataType, version: MetadataVersion): ColumnLayout | null {
  // A dictionary-encoded column holds its indices; its values come in dictionary batches.
  if (DataType.isDictionary(type)) return { nodes: 1, buffers: 2 };
  // A union has type ids (and offsets when dense); before metadata V5 it also had a validity bitmap.
  const own = DataType.isUnion(type)
    ? ((type as unknown as { mode: UnionMode }).mode === UnionMode.Dense ? 2 : 1) + (version < MetadataVersion.V5 ? 1 : 0)
    : OWN_BUFFERS[type.typeId];
  if (own === undefined) return null;
  const layout = { nodes: 1, buffers: own };
  for (const child of (type.children ?? []) as Field[]) {
    const inner = columnLayout(child.type, version);
    if (!inner) return null;
    layout.nodes += inner.nodes;
    layout.buffers += inner.buffers;
  }
  return layout;
}

/** The dictionary ids a column's values (at any depth) refer to. */
function dictionaryIds(type: DataType, ids = new Set<number>()): Set<number> {
  if (DataType.isDictionary(type)) {
    ids.add((type as unknown as { id: number }).id);
    dictionaryIds((type as unknown as { dictionary: DataType }).dictionary, ids);
  }
  for (const child of (type.children ?? []) as Field[]) dictionaryIds(child.type, ids);
  return ids;
}

/** Where each column's nodes and buffers start in a record batch's lists, and how many it has. */
interface BatchLayout {
  nodes: number;
  buffers: number;
  columns: (ColumnLayout & { node: number; buffer: number })[];
}

function batchLayout(schema: Schema, version: MetadataVersion): BatchLayout {
  const layout: BatchLayout = { nodes: 0, buffers: 0, columns: [] };
  for (const field of schema.fields) {
    const column = columnLayout(field.type, version)!;
    layout.columns.push({ ...column, node: layout.nodes, buffer: layout.buffers });
    layout.nodes += column.nodes;
    layout.buffers += column.buffers;
  }
  return layout;
}

/**
 * A message's metadata framed for an IPC stream: continuation, length, metadata padded to 8 bytes. Its body
 * is the next chunk, passed as it is: the reader takes a message's parts by length, not by chunk.
 */
function framed(metadata: Uint8Array): Uint8Array {
  const metadataLength = Math.ceil(metadata.length / 8) * 8;
  const bytes = new Uint8Array(8 + metadataLength);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0xffffffff, true);
  view.setInt32(4, metadataLength, true);
  bytes.set(metadata, 8);
  return bytes;
}

const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * The IPC stream of only the columns named `keep`, for apache-arrow's reader: the schema cut to them, the
 * dictionaries they use, and each record batch with only their nodes and buffers, whose bytes are read one
 * range per column (compressed buffers stay compressed: the reader decompresses them). The other columns'
 * bytes are never read. Where a column's layout is not handled here, every batch is passed whole.
 */
export async function* projectedStream(messages: ArrowMessages, keep: readonly string[], read: ReadFile, path: string, file: string): AsyncGenerator<Uint8Array> {
  const { schema } = messages;
  // Only a union's layout depends on the metadata version, never whether it is handled.
  const projected = schema.fields.every((f) => columnLayout(f.type, MetadataVersion.V5) !== null);
  const kept = schema.fields.flatMap((field, index) => (!projected || keep.includes(field.name) ? [index] : []));
  const fields = kept.map((index) => schema.fields[index]);
  const dictionaries = new Set(fields.flatMap((f) => [...dictionaryIds(f.type)]));
  const layouts = new Map<MetadataVersion, BatchLayout>();
  const layoutOf = (version: MetadataVersion) => layouts.get(version) ?? layouts.set(version, batchLayout(schema, version)).get(version)!;
  yield framed(Message.encode(Message.from(new Schema(fields, schema.metadata))));
  for await (const { message, bodyOffset } of messages.batches()) {
    const whole = () => messagePart(read, path, file, bodyOffset, message.bodyLength, bodyOffset);
    if (message.isDictionaryBatch()) {
      const header = message.header() as DictionaryBatch;
      if (!dictionaries.has(header.id)) continue;
      yield framed(Message.encode(Message.from(header, message.bodyLength)));
      if (message.bodyLength) yield await whole();
      continue;
    }
    if (!message.isRecordBatch()) throw damaged(file, `a ${MessageHeader[message.headerType]} message comes after the schema`);
    const header = message.header() as BatchHeader;
    if (!projected) {
      yield framed(Message.encode(Message.from(header, message.bodyLength)));
      if (message.bodyLength) yield await whole();
      continue;
    }
    const layout = layoutOf(message.version);
    if (header.nodes.length !== layout.nodes || header.buffers.length !== layout.buffers) {
      throw damaged(file, `the record batch at byte ${bodyOffset} has ${header.nodes.length} field nodes and ${header.buffers.length} buffers where its schema lays out ${layout.nodes} and ${layout.buffers}`);
    }
    // Each kept column's buffers lie together in the body: read them as one span, then lay the spans end to
    // end (each at a multiple of 8 bytes, as the format aligns buffers).
    const spans = kept.map((index) => {
      const { node, buffer, nodes, buffers: count } = layout.columns[index];
      const buffers = header.buffers.slice(buffer, buffer + count);
      const from = buffers.length ? Math.min(...buffers.map((b) => b.offset)) : 0;
      const to = buffers.length ? Math.max(...buffers.map((b) => b.offset + b.length)) : 0;
      return { nodes: header.nodes.slice(node, node + nodes), buffers, from, to };
    });
    let bodyLength = 0;
    const placed = spans.map((span) => {
      const at = bodyLength;
      bodyLength += Math.ceil((span.to - span.from) / 8) * 8;
      return at;
    });
    const readSpan = (span: (typeof spans)[number]) => messagePart(read, path, file, bodyOffset + span.from, span.to - span.from, bodyOffset);
    // One column (the embedding column, say) whose span needs no padding is its own body, read once.
    let body: Uint8Array;
    if (spans.length === 1 && bodyLength === spans[0].to - spans[0].from) {
      body = bodyLength ? await readSpan(spans[0]) : new Uint8Array(0);
    } else {
      body = new Uint8Array(bodyLength);
      for (const [i, span] of spans.entries()) if (span.to > span.from) body.set(await readSpan(span), placed[i]);
    }
    const nodes = spans.flatMap((span) => span.nodes);
    const buffers = spans.flatMap((span, i) => span.buffers.map((b) => new BufferRegion(b.offset - span.from + placed[i], b.length)));
    yield framed(Message.encode(Message.from(new BatchHeader(header.length, nodes, buffers, header.compression), bodyLength)));
    if (bodyLength) yield body;
  }
  yield END_OF_STREAM;
}
