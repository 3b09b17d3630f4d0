import { DataError } from '../dataset.ts';
import { float16Table } from '../../vectors/float16.ts';
import { placeRows } from './alignRows.ts';
import { readRange, type ReadFile } from './readFile.ts';

/** What a `.npy` header says: the array's shape and how its values are laid out after the header. */
export interface NpyLayout {
  count: number;
  dim: number;
  width: 2 | 4;
  bigEndian: boolean;
  /** Column-major: the file holds column 0 of every row, then column 1, … */
  fortran: boolean;
  /** Byte offset of the first value. */
  dataStart: number;
  storedAs: 'float32' | 'float16';
}

/**
 * Bytes of a file read at once. The rows go straight from each chunk into the one array the kernels use,
 * so a chunk is all of the file that exists beside it — a float16 file is never held next to its float32
 * rows, and a shuffled one never next to a reordered copy.
 */
const NPY_CHUNK_BYTES = 8 * 2 ** 20;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * The header of a NumPy `.npy` file (format 1.0, 2.0 or 3.0; https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)
 * holding a 2-D float32 or float16 array, C or Fortran order, little- or big-endian.
 */
export async function readNpyLayout(read: ReadFile, path: string, file: string): Promise<NpyLayout> {
  let head = await readRange(read, path, 0, 4096);
  if (head.length < 10 || MAGIC.some((b, i) => head[i] !== b)) throw new DataError({ file, message: 'is not a NumPy .npy file (no \\x93NUMPY magic at the start)' });
  const major = head[6];
  if (major < 1 || major > 3) throw new DataError({ file, message: `.npy format version ${major}.${head[7]} is not one this reader knows (1.0, 2.0, 3.0)` });
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > head.length) head = await readRange(read, path, 0, dataStart);
  if (dataStart > head.length) throw new DataError({ file, message: 'is cut short: the header runs past the end of the file' });
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(head.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new DataError({ file, message: `has a header that does not describe an array: ${header.trim()}` });
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.length !== 2 || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new DataError({ file, message: `holds an array of shape (${shapeText.trim()}): expected 2-D (rows × dimensions)` });
  }
  if (shape[1] === 0) throw new DataError({ file, message: `holds an array of shape (${shape[0]}, 0): vectors of dimension 0 (each row needs at least one value)` });
  const type = /^([<>|=])(f)(2|4)$/.exec(descr);
  if (!type) throw new DataError({ file, message: `holds "${descr}" values: expected float32 ('<f4') or float16 ('<f2')` });
  const width = Number(type[3]) as 2 | 4;
  return { count: shape[0], dim: shape[1], width, bigEndian: type[1] === '>', fortran: fortran === 'True', dataStart, storedAs: width === 4 ? 'float32' : 'float16' };
}

/**
 * Streams a `.npy` file's values into `out`, `NPY_CHUNK_BYTES` at a time: file row `r` becomes row
 * `targets[r]` of `out` (−1: left out). Fortran order is transposed on the way. A float16 file's values go
 * into a Uint16Array `out` as their bit patterns (kept as float16), or widened into a Float32Array one.
 */
export async function readNpyRows(read: ReadFile, path: string, file: string, layout: NpyLayout, targets: Int32Array, out: Float32Array | Uint16Array, chunkBytes = NPY_CHUNK_BYTES): Promise<void> {
  const asHalf = out instanceof Uint16Array;
  if (asHalf && layout.width !== 2) throw new TypeError(`${file}: ${layout.storedAs} values cannot be kept as float16 bits`);
  const { count, dim, width, dataStart } = layout;
  const total = count * dim;
  // Whole rows per chunk in C order (they are placed row by row); any run of values in Fortran order.
  const perChunk = layout.fortran || dim === 0 ? Math.max(1, Math.floor(chunkBytes / width)) : Math.max(1, Math.floor(chunkBytes / width / dim)) * dim;
  for (let first = 0; first < total; first += perChunk) {
    const n = Math.min(perChunk, total - first);
    const bytes = await readRange(read, path, dataStart + first * width, n * width);
    if (bytes.length < n * width) {
      const found = dataStart + first * width + bytes.length;
      throw new DataError({ file, message: `is cut short: ${count} × ${dim} ${layout.storedAs} values need ${total * width} bytes, ${found - dataStart} follow the header` });
    }
    const values = asHalf ? halfBits(bytes, n, layout) : decodeValues(bytes, n, layout);
    if (!layout.fortran) {
      placeRows(values, dim, first / dim, targets, out);
      continue;
    }
    // Value e of the file is row e % count, column ⌊e / count⌋.
    for (let i = 0; i < n; i++) {
      const e = first + i;
      const target = targets[e % count];
      if (target >= 0) out[target * dim + Math.floor(e / count)] = values[i];
    }
  }
}

/** One chunk of float16 values as their bit patterns: viewed in place when they can be (little-endian, aligned). */
function halfBits(bytes: Uint8Array, n: number, layout: NpyLayout): Uint16Array {
  if (!layout.bigEndian && bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint16Array.from({ length: n }, (_, i) => view.getUint16(i * 2, !layout.bigEndian));
}

/** One chunk's values as float32: viewed in place when they already are (little-endian, aligned). */
function decodeValues(bytes: Uint8Array, n: number, layout: NpyLayout): Float32Array {
  const aligned = bytes.byteOffset % layout.width === 0;
  if (layout.width === 4 && !layout.bigEndian && aligned) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  const values = new Float32Array(n);
  if (layout.width === 2 && !layout.bigEndian && aligned) {
    const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, n);
    const table = float16Table();
    for (let i = 0; i < n; i++) values[i] = table[halves[i]];
    return values;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = !layout.bigEndian;
  if (layout.width === 4) for (let i = 0; i < n; i++) values[i] = view.getFloat32(i * 4, littleEndian);
  else {
    const table = float16Table();
    for (let i = 0; i < n; i++) values[i] = table[view.getUint16(i * 2, littleEndian)];
  }
  return values;
}
