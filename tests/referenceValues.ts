import { readFileSync } from 'node:fs';
import { REFERENCE_VALUES } from './paths.ts';

/** `../shared/models/reference-values.json`: values computed by sentence-transformers itself. */
export interface ReferenceValues {
  probe_sentences: string[];
  probe_token_ids: number[][];
  models: Record<
    string,
    {
      probe_embeddings: number[][];
      scifact_test: { metrics: Record<string, number>; top10: Record<string, [string, number][]> };
    }
  >;
}

let cached: ReferenceValues | null = null;
export function referenceValues(): ReferenceValues {
  cached ??= JSON.parse(readFileSync(REFERENCE_VALUES, 'utf8')) as ReferenceValues;
  return cached;
}

/** Largest absolute difference between rows of `[n × dim]` vectors and reference rows. */
export function maxAbsDelta(vectors: ArrayLike<number>, dim: number, reference: number[][]): number {
  let max = 0;
  reference.forEach((row, i) => row.forEach((v, j) => (max = Math.max(max, Math.abs(vectors[i * dim + j] - v)))));
  return max;
}
