import { describe, expect, it } from 'vitest';
import { useKernelHarness } from '../../../../tests/browser/usePage.ts';
import { randomLabelledCase } from '../../../../tests/fixtures/random.ts';
import { labelDistanceSumsCpu } from './labelDistances.cpu.ts';
import type { LabelDistanceInput } from './labelDistances.types.ts';

/** Float64 reference: every ordered pair, one at a time. */
function reference({ vectors, dim, labelOf, labelCount }: LabelDistanceInput): Float64Array {
  const count = labelOf.length;
  const sums = new Float64Array(count * labelCount);
  for (let p = 0; p < count; p++) {
    for (let q = 0; q < count; q++) {
      if (p === q) continue;
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += vectors[p * dim + j] * vectors[q * dim + j];
      sums[p * labelCount + labelOf[q]] += 1 - dot;
    }
  }
  return sums;
}

function expectClose(got: ArrayLike<number>, expected: Float64Array, relative: number, seed: number): void {
  expect(got.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tolerance = relative * Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(got[i] - expected[i]) <= tolerance)) throw new Error(`seed ${seed}: sum ${i} is ${got[i]}, expected ${expected[i]}`);
  }
}

const CASES: [string, number, number, number][] = [
  // name, points, dim, labels
  ['1 point', 1, 3, 1],
  ['2 points, 2 labels', 2, 5, 2],
  ['7 points, 13 dims', 7, 13, 3],
  ['a label run longer than a tile', 150, 17, 2],
  ['not multiples of the tile, 9 labels', 333, 31, 9],
  ['384 dims', 517, 384, 5],
];

describe('cosine-distance sums by label, CPU twin', () => {
  it.each(CASES)('%s matches the float64 reference', async (_, count, dim, labelCount) => {
    const seed = Date.now() >>> 0;
    const input = randomLabelledCase(seed, count, dim, labelCount);
    const result = await labelDistanceSumsCpu(input);
    expect(result).toMatchObject({ count, labelCount });
    expectClose(result.sums, reference(input), 1e-12, seed);
  });

  it('rejects a label index outside the range and a ragged matrix', async () => {
    await expect(labelDistanceSumsCpu({ vectors: new Float32Array(4), dim: 2, labelOf: Int32Array.of(0, 2), labelCount: 2 })).rejects.toThrow(/outside \[0, 2\)/);
    await expect(labelDistanceSumsCpu({ vectors: new Float32Array(5), dim: 2, labelOf: Int32Array.of(0, 1), labelCount: 2 })).rejects.toThrow(/not a multiple/);
  });
});

describe('cosine-distance sums by label, WGSL (headless Chromium WebGPU)', () => {
  const harness = useKernelHarness();

  it.each(CASES)('%s matches the float64 reference', async (_, count, dim, labelCount) => {
    const seed = Date.now() >>> 0;
    const input = randomLabelledCase(seed, count, dim, labelCount);
    const sums = await harness.page.evaluate(
      ([seed, count, dim, labelCount]) =>
        (window as unknown as { gpuLabelDistancesSeeded: (...a: number[]) => Promise<number[]> }).gpuLabelDistancesSeeded(seed, count, dim, labelCount),
      [seed, count, dim, labelCount],
    );
    // float32 dot products and 64-term float32 sums: ~1e-6 relative.
    expectClose(sums, reference(input), 2e-5, seed);
  }, 120_000);
});
