import { DataError } from '../dataset.ts';

/** Rows of one file placed in an array: file row `r` is row `targets[r]` of `vectors` (−1: not used). */
export interface PlacedRows {
  file: string;
  targets: Int32Array;
  vectors: Float32Array | Uint16Array;
  dim: number;
  /** The id of file row `r`, for messages. */
  idOf(row: number): string;
}

/** float16 bits: the exponent all ones (±Infinity, NaN), and everything but the sign. */
const HALF_EXPONENT = 0x7c00;
const HALF_MAGNITUDE = 0x7fff;

/**
 * Checks the values of every row a file gave: each must be finite (no NaN, no ±Infinity: a NaN element
 * makes every cosine with that row NaN, and the row falls silently out of every ranking) and not all zero
 * (a zero vector has no direction; normalised it stays zero and ties with everything). Whatever the
 * diagnostics setting, such a row is an error naming the file, the row, its id and the element; the
 * count of rows like it follows.
 */
export function checkRowValues({ file, targets, vectors, dim, idOf }: PlacedRows): void {
  const half = vectors instanceof Uint16Array;
  let nonFinite: { row: number; element: number; value: string } | null = null;
  let nonFiniteRows = 0;
  let zero: number | null = null;
  let zeroRows = 0;
  for (let row = 0; row < targets.length; row++) {
    const target = targets[row];
    if (target < 0) continue;
    const start = target * dim;
    let bad = -1;
    let nonZero = false;
    for (let j = 0; j < dim; j++) {
      const v = vectors[start + j];
      if (half ? (v & HALF_EXPONENT) === HALF_EXPONENT : !Number.isFinite(v)) {
        bad = j;
        break;
      }
      if (half ? (v & HALF_MAGNITUDE) !== 0 : v !== 0) nonZero = true;
    }
    if (bad >= 0) {
      nonFiniteRows++;
      if (!nonFinite) nonFinite = { row, element: bad, value: describe(vectors[start + bad], half) };
    } else if (!nonZero && dim > 0) {
      zeroRows++;
      zero ??= row;
    }
  }
  const more = (n: number, what: string) => (n > 1 ? ` (${n} rows ${what} in all)` : '');
  if (nonFinite) {
    throw new DataError({
      file,
      message: `row ${nonFinite.row + 1} (id "${idOf(nonFinite.row)}"): element ${nonFinite.element + 1} is ${nonFinite.value}${more(nonFiniteRows, 'hold NaN or ±Infinity')}: vectors must hold finite numbers`,
    });
  }
  if (zero !== null) {
    throw new DataError({
      file,
      message: `row ${zero + 1} (id "${idOf(zero)}") is all zeros${more(zeroRows, 'are all zeros')}: a zero vector has no direction, so its cosine with anything is undefined`,
    });
  }
}

function describe(value: number, half: boolean): string {
  if (half) return (value & 0x03ff) !== 0 ? 'NaN' : value & 0x8000 ? '-Infinity' : 'Infinity';
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}
