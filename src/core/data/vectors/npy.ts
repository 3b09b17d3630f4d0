import { DataError } from '../dataset.ts';

/** A 2-D array of embeddings as a vector file holds it: rows in the file's order. */
export interface VectorRows {
  /** `[count × dim]`, row-major. */
  vectors: Float32Array;
  count: number;
  dim: number;
  /** The element type the file stored (float16 rows are widened on reading). */
  storedAs: 'float32' | 'float16';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Reads a NumPy `.npy` file (format 1.0, 2.0 or 3.0; https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)
 * holding a 2-D float32 or float16 array, C or Fortran order, little- or big-endian. A little-endian
 * float32 C-order array whose data starts 4-byte aligned is viewed in place (no copy); anything else is
 * converted into one new Float32Array.
 */
export function readNpy(bytes: Uint8Array, file: string): VectorRows {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new DataError({ file, message: 'is not a NumPy .npy file (no \\x93NUMPY magic at the start)' });
  const major = bytes[6];
  if (major < 1 || major > 3) throw new DataError({ file, message: `.npy format version ${major}.${bytes[7]} is not one this reader knows (1.0, 2.0, 3.0)` });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new DataError({ file, message: 'is cut short: the header runs past the end of the file' });
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new DataError({ file, message: `has a header that does not describe an array: ${header.trim()}` });
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.length !== 2 || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new DataError({ file, message: `holds an array of shape (${shapeText.trim()}): expected 2-D (rows × dimensions)` });
  }
  const [count, dim] = shape;
  const type = /^([<>|=])(f)(2|4)$/.exec(descr);
  if (!type) throw new DataError({ file, message: `holds "${descr}" values: expected float32 ('<f4') or float16 ('<f2')` });
  const width = Number(type[3]);
  const bigEndian = type[1] === '>';
  const expected = count * dim * width;
  if (bytes.length - dataStart < expected) {
    throw new DataError({ file, message: `is cut short: ${count} × ${dim} ${width === 4 ? 'float32' : 'float16'} values need ${expected} bytes, ${bytes.length - dataStart} follow the header` });
  }
  const storedAs = width === 4 ? 'float32' : 'float16';
  const offset = bytes.byteOffset + dataStart;
  if (width === 4 && !bigEndian && fortran === 'False' && offset % 4 === 0) {
    return { vectors: new Float32Array(bytes.buffer, offset, count * dim), count, dim, storedAs };
  }
  const out = new Float32Array(count * dim);
  const read = width === 4 ? (at: number) => view.getFloat32(at, !bigEndian) : (at: number) => float16(view.getUint16(at, !bigEndian));
  for (let i = 0; i < count * dim; i++) {
    // Fortran order stores column by column: element i of the file is row i % count, column ⌊i / count⌋.
    const target = fortran === 'True' ? (i % count) * dim + Math.floor(i / count) : i;
    out[target] = read(dataStart + i * width);
  }
  return { vectors: out, count, dim, storedAs };
}

/** IEEE 754 half precision to a number. */
export function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
