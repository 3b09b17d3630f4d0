import { forEachBlock, isHalfRows, type DocumentRows } from '../vectors/documentRows.ts';

/** What can be wrong with embeddings before any metric is trusted. */
export interface EmbeddingHealth {
  count: number;
  dim: number;
  nanComponents: number;
  infComponents: number;
  zeroNormVectors: number;
  /** Rows equal, bit for bit, to an earlier row. */
  duplicateVectors: number;
  /** Norms as produced (before any normalisation the lab applies), over the rows whose norm is finite. */
  norm: { min: number; mean: number; max: number };
}

export function embeddingHealth(vectors: DocumentRows, dim: number): EmbeddingHealth {
  const count = vectors.length / dim;
  let nan = 0;
  let inf = 0;
  let zero = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  // Rows by a hash of their bits, confirmed bit for bit: a row's bytes as a string key cost 3 KB a row.
  // float16 rows are compared as their own 16-bit patterns (widening maps distinct patterns apart).
  const words = isHalfRows(vectors) ? vectors.half : new Uint32Array(vectors.buffer, vectors.byteOffset, vectors.length);
  // A hash maps to its first row, and to a list only when two different rows share it (rare).
  const seen = new Map<number, number | number[]>();
  let duplicates = 0;
  forEachBlock(vectors, dim, (block, first) => {
    for (let r = 0; r < block.length / dim; r++) {
      const i = first + r;
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const v = block[r * dim + j];
        if (Number.isNaN(v)) nan++;
        else if (!Number.isFinite(v)) inf++;
        norm += v * v;
      }
      norm = Math.sqrt(norm);
      if (norm === 0) zero++;
      if (Number.isFinite(norm)) {
        min = Math.min(min, norm);
        max = Math.max(max, norm);
        sum += norm;
        finite++;
      }
      // Exact duplicates only, NaN payloads included: compared as bits.
      const key = rowHash(words, i * dim, dim);
      const known = seen.get(key);
      const candidates = known === undefined ? [] : typeof known === 'number' ? [known] : known;
      if (candidates.some((row) => sameBits(words, row * dim, i * dim, dim))) duplicates++;
      else if (known === undefined) seen.set(key, i);
      else seen.set(key, [...candidates, i]);
    }
  });
  return { count, dim, nanComponents: nan, infComponents: inf, zeroNormVectors: zero, duplicateVectors: duplicates, norm: { min, mean: finite ? sum / finite : NaN, max } };
}

/** FNV-1a over a row's words (32-bit for float32 rows, 16-bit for float16 ones). */
function rowHash(words: Uint32Array | Uint16Array, start: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let j = start; j < start + length; j++) hash = Math.imul(hash ^ words[j], 0x01000193) >>> 0;
  return hash;
}

function sameBits(words: Uint32Array | Uint16Array, a: number, b: number, length: number): boolean {
  for (let j = 0; j < length; j++) if (words[a + j] !== words[b + j]) return false;
  return true;
}
