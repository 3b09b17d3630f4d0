/**
 * One safetensors file, read as the format's specification says (huggingface/safetensors README, "Format")
 * and validated as the reference crate validates it (`safetensors/src/tensor.rs`: `read_metadata`,
 * `Metadata::validate`):
 *
 *   8 bytes    N, an unsigned little-endian 64-bit integer
 *   N bytes    a UTF-8 JSON object starting with `{`, maybe padded with spaces:
 *              `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …, "__metadata__": {…}}`
 *   the rest   the data section; offsets count from its first byte, and the tensors, sorted by offset,
 *              cover it exactly: no overlap, no hole, nothing after the last one (no polyglot files).
 *
 * Where the specification is stricter than the crate, this follows the specification: the header must
 * start with `{`, and no key may appear twice. Nothing is copied: each tensor's bytes are a view of the
 * file's buffer, and {@link tensorFloat32} copies only when it must convert or realign.
 */
import { float16Table } from '../vectors/float16.ts';
import { ModelFolderError } from './modelSource.ts';

/** Every dtype the format defines, with its width in bits (the crate's `Dtype::bitsize`). */
const SAFETENSORS_DTYPE_BITS = {
  F64: 64, F32: 32, F16: 16, BF16: 16,
  I64: 64, I32: 32, I16: 16, I8: 8, U64: 64, U32: 32, U16: 16, U8: 8, BOOL: 8, C64: 64,
  F8_E4M3: 8, F8_E5M2: 8, F8_E8M0: 8, F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8, F6_E2M3: 6, F6_E3M2: 6, F4: 4,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BITS;

/** The dtypes {@link tensorFloat32} reads; the others are known but hold integers or sub-float16 codes. */
const FLOAT32_READABLE_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16', 'F64'];

/** The crate refuses larger headers (`MAX_HEADER_SIZE`): a length beyond it means a damaged or foreign file. */
const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = '__metadata__';
const LENGTH_BYTES = 8;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface SafetensorsEntry {
  /** The model and file it came from, so that a refusal later can still name them. */
  readonly source: string;
  readonly file: string;
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** `[begin, end)` as the header states them: relative to the data section, not the file. */
  readonly dataOffsets: readonly [number, number];
  /** The tensor's bytes: a view into the file's buffer, never a copy. */
  readonly bytes: Uint8Array;
}

export interface SafetensorsFile {
  readonly source: string;
  readonly file: string;
  /** The whole file, as given: held, not copied. */
  readonly bytes: Uint8Array;
  /** Where the data section starts in `bytes`: 8 + the header length. */
  readonly dataStart: number;
  /** The `__metadata__` map (`{"format": "pt"}` from PyTorch), or null when the header has none. */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** Every tensor in data order (by offset), which is what the crate calls file order. */
  readonly tensors: readonly SafetensorsEntry[];
  readonly byName: ReadonlyMap<string, SafetensorsEntry>;
}

type Fail = (problem: string) => never;

/** Parses and validates a whole safetensors file; throws a {@link ModelFolderError} naming the file (and tensor). */
export function parseSafetensors(bytes: Uint8Array, source: string, file: string): SafetensorsFile {
  const fail: Fail = (problem) => {
    throw new ModelFolderError(source, file, problem);
  };
  const dataStart = LENGTH_BYTES + readHeaderLength(bytes, fail);
  const header = parseHeader(bytes.subarray(LENGTH_BYTES, dataStart), fail);
  const metadata = readMetadata(header[METADATA_KEY], fail);
  const place: Placement = { source, file, bytes, dataStart, dataLength: bytes.length - dataStart, fail };
  const tensors = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, value]) => readEntry(name, value, place))
    .sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  checkCoverage(tensors, place.dataLength, fail);
  return { source, file, bytes, dataStart, metadata, tensors, byName: new Map(tensors.map((t) => [t.name, t])) };
}

/** The first 8 bytes; a u64 read as BigInt so that a huge length is reported, not wrapped. */
function readHeaderLength(bytes: Uint8Array, fail: Fail): number {
  if (bytes.length < LENGTH_BYTES) {
    fail(`is ${bytes.length} bytes long: too short for the 8-byte header length a safetensors file starts with`);
  }
  const length = new DataView(bytes.buffer, bytes.byteOffset, LENGTH_BYTES).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    fail(`declares a ${length}-byte header, more than the ${MAX_HEADER_BYTES} bytes safetensors allows: the file is damaged or not safetensors`);
  }
  const after = bytes.length - LENGTH_BYTES;
  if (length > BigInt(after)) {
    fail(`declares a ${length}-byte header but only ${after} bytes follow the length: the file is truncated or not safetensors`);
  }
  return Number(length);
}

/** The JSON header as an object; JSON.parse alone accepts a few things the format forbids, hence the scan. */
function parseHeader(header: Uint8Array, fail: Fail): Record<string, unknown> {
  if (header[0] !== 0x7b) {
    const found = header.length === 0 ? 'it is empty' : `it starts with ${describeByte(header[0])}`;
    fail(`header must be a JSON object starting with "{" (byte 0x7B); ${found}`);
  }
  let text = '';
  try {
    text = STRICT_UTF8.decode(header);
  } catch {
    fail('header is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(`header is not valid JSON (${(error as Error).message})`);
  }
  scanHeaderText(text, fail);
  return value as Record<string, unknown>; // it starts with `{` and parsed: an object
}

function describeByte(byte: number): string {
  const printable = byte > 0x20 && byte < 0x7f;
  return printable ? `"${String.fromCharCode(byte)}"` : `byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

interface Frame {
  /** Keys seen so far when the frame is an object; null for an array. */
  readonly keys: Set<string> | null;
  key: string | null;
  expectKey: boolean;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Walks the header text JSON.parse has accepted, for what it hides: a key twice in one object (the
 * specification disallows duplicates; JSON.parse keeps the last), `\ud800`-style lone surrogates (serde
 * refuses them), and dimensions or offsets written `2.0`, `2e0` or `-0` (serde reads them as usize only
 * from plain integer literals).
 */
function scanHeaderText(text: string, fail: Fail): void {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const top = stack.at(-1);
    if (char === '"') {
      const end = stringEnd(text, i);
      const raw = text.slice(i, end + 1);
      if (top?.keys && top.expectKey) acceptKey(stack, top, JSON.parse(raw) as string, fail);
      else if (raw.includes('\\u') && LONE_SURROGATE.test(JSON.parse(raw) as string)) fail(`header holds an unpaired surrogate escape in ${raw.slice(0, 60)}`);
      i = end;
    } else if (char === '{' || char === '[') {
      stack.push({ keys: char === '{' ? new Set() : null, key: null, expectKey: char === '{' });
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ',') {
      if (top?.keys) top.expectKey = true;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      const end = numberEnd(text, i);
      checkIntegerLiteral(stack, text.slice(i, end), fail);
      i = end - 1;
    }
  }
}

function acceptKey(stack: Frame[], top: Frame, key: string, fail: Fail): void {
  if (LONE_SURROGATE.test(key)) fail(`header holds an unpaired surrogate escape in the key ${JSON.stringify(key)}`);
  if (top.keys!.has(key)) {
    const inside = stack.slice(0, -1).map((frame) => JSON.stringify(frame.key));
    fail(stack.length === 1 ? `header names ${JSON.stringify(key)} twice` : `header repeats the key ${JSON.stringify(key)} inside ${inside.slice(-1)[0]}`);
  }
  top.keys!.add(key);
  top.key = key;
  top.expectKey = false;
}

/** The index of the closing quote of the string that opens at `start` (the text is valid JSON). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}

function numberEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && /[0-9eE.+-]/.test(text[i])) i++;
  return i;
}

/** Only inside `{"tensor": {"shape" | "data_offsets": [ … ]}}`: numbers elsewhere (unknown fields) are free. */
function checkIntegerLiteral(stack: Frame[], literal: string, fail: Fail): void {
  const [root, entry, list] = stack;
  const field = entry?.key;
  if (stack.length !== 3 || root.key === METADATA_KEY || list.keys !== null) return;
  if ((field === 'shape' || field === 'data_offsets') && !/^[0-9]+$/.test(literal)) {
    fail(`tensor ${JSON.stringify(root.key)}: "${field}" must hold non-negative integers, but holds ${literal}`);
  }
}

function readMetadata(value: unknown, fail: Fail): Record<string, string> | null {
  // serde reads `__metadata__` as Option<HashMap<String, String>>: absent and null both mean none.
  if (value === undefined || value === null) return null;
  if (!isObject(value)) fail(`"${METADATA_KEY}" must be an object mapping strings to strings, not ${describe(value)}`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') fail(`"${METADATA_KEY}" must map strings to strings, but ${JSON.stringify(key)} is ${describe(item)}`);
  }
  return value as Record<string, string>;
}

/** What an entry needs to become a view: the file's bytes and where its data section lies. */
interface Placement {
  readonly source: string;
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly dataStart: number;
  readonly dataLength: number;
  readonly fail: Fail;
}

function readEntry(name: string, value: unknown, place: Placement): SafetensorsEntry {
  const at = `tensor ${JSON.stringify(name)}`;
  const fail: Fail = (problem) => place.fail(`${at}: ${problem}`);
  if (!isObject(value)) fail(`must be an object {"dtype", "shape", "data_offsets"}, not ${describe(value)}`);
  const dtype = readDtype(value.dtype, fail);
  const shape = readIntegers(value, 'shape', fail);
  const offsets = readIntegers(value, 'data_offsets', fail);
  if (offsets.length !== 2) fail(`"data_offsets" must be [begin, end], not ${describe(offsets)}`);
  const [begin, end] = offsets;
  const span = `data_offsets [${begin}, ${end}]`;
  if (end < begin) fail(`${span} end before they begin`);
  if (end > place.dataLength) fail(`${span} run past the end of the ${place.dataLength}-byte data section`);
  checkByteSize(dtype, shape, end - begin, span, fail);
  const bytes = place.bytes.subarray(place.dataStart + begin, place.dataStart + end);
  return { source: place.source, file: place.file, name, dtype, shape, dataOffsets: [begin, end], bytes };
}

function readDtype(value: unknown, fail: Fail): SafetensorsDtype {
  if (value === undefined) fail('has no "dtype"');
  if (typeof value !== 'string') fail(`"dtype" must be a string, not ${describe(value)}`);
  if (!Object.hasOwn(SAFETENSORS_DTYPE_BITS, value)) {
    fail(`unknown dtype ${JSON.stringify(value)}; safetensors defines ${Object.keys(SAFETENSORS_DTYPE_BITS).join(', ')}`);
  }
  return value as SafetensorsDtype;
}

/** `shape` and `data_offsets`: lists of non-negative integers (usize in the crate). */
function readIntegers(entry: Record<string, unknown>, field: 'shape' | 'data_offsets', fail: Fail): number[] {
  const value = entry[field];
  if (value === undefined) fail(`has no "${field}"`);
  if (!Array.isArray(value)) fail(`"${field}" must be a list of non-negative integers, not ${describe(value)}`);
  for (const item of value) {
    if (!Number.isSafeInteger(item) || item < 0) fail(`"${field}" must hold non-negative integers, but holds ${describe(item)}`);
  }
  return value as number[];
}

/** shape × dtype width must be the byte span exactly; products beyond 2^53 count as overflow, like the crate's checked_mul. */
function checkByteSize(dtype: SafetensorsDtype, shape: readonly number[], span: number, where: string, fail: Fail): void {
  const what = `shape [${shape.join(', ')}] of ${dtype}`;
  let bits: number = SAFETENSORS_DTYPE_BITS[dtype];
  for (const dim of shape) {
    bits *= dim;
    if (!Number.isSafeInteger(bits)) fail(`${what} is too large to address`);
  }
  if (bits % 8 !== 0) fail(`${what} is ${bits} bits, not a whole number of bytes`);
  if (bits / 8 !== span) fail(`${what} needs ${bits / 8} bytes but ${where} span ${span}`);
}

/** The crate's `validate`: sorted by offset, each tensor starts where the previous ended, the last ends the data. */
function checkCoverage(sorted: readonly SafetensorsEntry[], dataLength: number, fail: Fail): void {
  let covered = 0;
  let previous: SafetensorsEntry | null = null;
  for (const entry of sorted) {
    const [begin, end] = entry.dataOffsets;
    const at = `tensor ${JSON.stringify(entry.name)}: data_offsets [${begin}, ${end}]`;
    if (previous && begin < covered) {
      fail(`${at} overlap tensor ${JSON.stringify(previous.name)} (data_offsets [${previous.dataOffsets.join(', ')}])`);
    }
    if (begin > covered) {
      const after = previous ? `after tensor ${JSON.stringify(previous.name)}` : 'before it';
      fail(`${at} leave bytes ${covered}..${begin} of the data section unused ${after}; safetensors requires the tensors to cover it without holes`);
    }
    covered = end;
    previous = entry;
  }
  if (covered !== dataLength) {
    fail(`bytes ${covered}..${dataLength} of the ${dataLength}-byte data section belong to no tensor; safetensors requires the tensors to cover it without holes`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface TypedArrayType<T> {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * The bytes as `Type` elements: a view when the host is little-endian (the format's order) and the bytes
 * sit on an element boundary of their buffer (typed arrays require it), else a copy in a fresh, aligned buffer.
 */
function littleEndianArray<T>(bytes: Uint8Array, Type: TypedArrayType<T>): T {
  const width = Type.BYTES_PER_ELEMENT;
  if (HOST_LITTLE_ENDIAN && bytes.byteOffset % width === 0) return new Type(bytes.buffer, bytes.byteOffset, bytes.length / width);
  const copy = bytes.slice();
  if (!HOST_LITTLE_ENDIAN) for (let i = 0; i < copy.length; i += width) copy.subarray(i, i + width).reverse();
  return new Type(copy.buffer, 0, copy.length / width);
}

/**
 * The tensor's values as float32: F32 is a view of the file when its absolute offset is 4-byte aligned and
 * a copy otherwise; F16 and BF16 are widened exactly (every such value is a float32); F64 is rounded to
 * nearest like `Math.fround`. Other dtypes are refused, naming the tensor and its dtype.
 */
export function tensorFloat32(entry: SafetensorsEntry): Float32Array {
  switch (entry.dtype) {
    case 'F32':
      return littleEndianArray(entry.bytes, Float32Array);
    case 'F16':
      return widenFloat16(littleEndianArray(entry.bytes, Uint16Array));
    case 'BF16':
      return widenBfloat16(littleEndianArray(entry.bytes, Uint16Array));
    case 'F64':
      // Storing a double in a Float32Array rounds it to nearest, ties to even: what Math.fround does.
      return new Float32Array(littleEndianArray(entry.bytes, Float64Array));
    default:
      throw new ModelFolderError(
        entry.source,
        entry.file,
        `tensor ${JSON.stringify(entry.name)} is ${entry.dtype}; only ${FLOAT32_READABLE_DTYPES.join(', ')} tensors can be read as float32`,
      );
  }
}

/** One table lookup per value: the table holds every half-precision value, subnormals, ±Inf and NaN included. */
function widenFloat16(bits: Uint16Array): Float32Array {
  const table = float16Table();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

/** bfloat16 is the top half of a float32: shifting the bits up is the exact widening, NaN payloads included. */
function widenBfloat16(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const words = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) words[i] = bits[i] << 16;
  return out;
}
