/**
 * Binary quantization as sentence-transformers' `quantize_embeddings(…, precision="ubinary")`: one bit per
 * component, set when it is > 0, packed eight to a byte, most significant bit first (`np.packbits`). Rows
 * are padded to whole 32-bit words for the Hamming kernel; the padding bits are zero in every row, so they
 * never count.
 */
export interface PackedBits {
  words: Uint32Array;
  /** 32-bit words a row. */
  wordsPerRow: number;
  /** Bytes a row as NumPy packs it: ceil(dim / 8). */
  bytesPerRow: number;
}

export function packSignBits(rows: Float32Array, dim: number): PackedBits {
  const count = rows.length / dim;
  const wordsPerRow = Math.ceil(dim / 32);
  const words = new Uint32Array(count * wordsPerRow);
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < dim; j++) {
      if (rows[r * dim + j] > 0) words[r * wordsPerRow + (j >>> 5)] |= 1 << bitShift(j);
    }
  }
  return { words, wordsPerRow, bytesPerRow: Math.ceil(dim / 8) };
}

/** Row `r`'s bit for component `j` (1 or 0): what rescoring multiplies the float query with. */
export function bitOf(packed: PackedBits, r: number, j: number): number {
  return (packed.words[r * packed.wordsPerRow + (j >>> 5)] >>> bitShift(j)) & 1;
}

/** Component j is bit 7 − (j mod 8) of byte j / 8, and bytes fill a word from its low end (little-endian). */
function bitShift(j: number): number {
  return (((j >>> 3) & 3) << 3) + 7 - (j & 7);
}

/** The packed bytes of every row, as `np.packbits(rows > 0, axis=-1)` gives them. */
export function packedBytes(packed: PackedBits): Uint8Array {
  const count = packed.words.length / packed.wordsPerRow;
  const out = new Uint8Array(count * packed.bytesPerRow);
  for (let r = 0; r < count; r++) {
    for (let b = 0; b < packed.bytesPerRow; b++) out[r * packed.bytesPerRow + b] = (packed.words[r * packed.wordsPerRow + (b >>> 2)] >>> ((b & 3) << 3)) & 0xff;
  }
  return out;
}
