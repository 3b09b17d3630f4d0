import { mulberry32 } from '../metrics/random.ts';

/** Seed of every sample the diagnostics draw, unless the caller states another. */
export const DIAGNOSTICS_SEED = 20260101;

/**
 * `size` distinct indices out of `count`, drawn uniformly with a seeded partial Fisher–Yates shuffle and
 * returned in increasing order; all indices when `size ≥ count`.
 */
export function seededSample(count: number, size: number, seed: number): Int32Array {
  const all = Int32Array.from({ length: count }, (_, i) => i);
  if (size >= count) return all;
  const random = mulberry32(seed);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (count - i));
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, size).sort();
}

/** Mean and standard error (sample standard deviation ÷ √n) of per-point values. */
export function meanAndStandardError(values: Float64Array): { mean: number; standardError: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, standardError: n > 1 ? Math.sqrt(squares / (n - 1) / n) : NaN };
}
