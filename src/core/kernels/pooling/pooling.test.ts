import { describe, expect, it } from 'vitest';
import { useKernelHarness } from '../../../../tests/browser/usePage.ts';
import { randomPoolingCase } from '../../../../tests/fixtures/random.ts';
import { POOLING_MODES, type PoolingMode } from './poolingModes.ts';
import { poolBatch, poolTokensCpu } from './pooling.cpu.ts';
import type { PoolingInput } from './pooling.types.ts';

// Two rows, three positions, hidden 2. Row 0 has tokens at 0 and 1; row 1 only at 0 (padding after).
const tokens = {
  data: Float32Array.from([
    1, 2, /**/ 3, -4, /**/ 100, 100, // row 0: the third position is padding
    -1, 5, /**/ 7, 7, /**/ 9, 9, // row 1: two padding positions
  ]),
  mask: Uint8Array.from([1, 1, 0, 1, 0, 0]),
  batch: 2,
  seqLen: 3,
  hidden: 2,
};

function pool(modes: PoolingMode[]): number[] {
  const out = new Float32Array(2 * 2 * modes.length);
  poolBatch(tokens, modes, out);
  return Array.from(out);
}

describe('poolBatch', () => {
  it('mean ignores padding', () => {
    expect(pool(['mean'])).toEqual([2, -1, -1, 5]);
  });
  it('cls takes the first token', () => {
    expect(pool(['cls'])).toEqual([1, 2, -1, 5]);
  });
  it('cls takes the first token the mask keeps: the first text token when a prompt is excluded from pooling', () => {
    const out = new Float32Array(4);
    poolBatch({ ...tokens, mask: Uint8Array.from([0, 1, 0, 1, 0, 0]) }, ['cls'], out);
    expect(Array.from(out)).toEqual([3, -4, -1, 5]);
  });
  it('max ignores padding', () => {
    expect(pool(['max'])).toEqual([3, 2, -1, 5]);
  });
  it('mean_sqrt_len_tokens divides the sum by √count', () => {
    const out = pool(['mean_sqrt_len_tokens']);
    expect(out[0]).toBeCloseTo(4 / Math.SQRT2, 6);
    expect(out[1]).toBeCloseTo(-2 / Math.SQRT2, 6);
    expect(out.slice(2)).toEqual([-1, 5]);
  });
  it('weightedmean weights position t by t + 1', () => {
    // row 0: (1·[1,2] + 2·[3,−4]) / 3
    const out = pool(['weightedmean']);
    expect(out[0]).toBeCloseTo(7 / 3, 6);
    expect(out[1]).toBeCloseTo(-2, 6);
  });
  it('lasttoken takes the last unmasked token', () => {
    expect(pool(['lasttoken'])).toEqual([3, -4, -1, 5]);
  });
  it('concatenates several modes in sentence-transformers order', () => {
    expect(pool(['cls', 'mean'])).toEqual([1, 2, 2, -1, -1, 5, -1, 5]);
  });
  it('keeps an all-padding row finite', () => {
    const empty = { ...tokens, mask: new Uint8Array(6) };
    const out = new Float32Array(4);
    poolBatch(empty, ['mean'], out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });
  it('rejects an output buffer that is too small', () => {
    expect(() => poolBatch(tokens, ['mean'], new Float32Array(3))).toThrow(/needs 4/);
  });
});

/** Float64 reference, written from sentence-transformers' Pooling.forward rather than from either twin. */
function reference({ tokens, mask, batch, seqLen, hidden, modes, normalize }: PoolingInput): number[] {
  const rows: number[] = [];
  for (let b = 0; b < batch; b++) {
    const real = Array.from({ length: seqLen }, (_, t) => t).filter((t) => mask[b * seqLen + t] === 1);
    const at = (t: number, j: number) => tokens[(b * seqLen + t) * hidden + j];
    const row: number[] = [];
    for (const mode of modes) {
      for (let j = 0; j < hidden; j++) {
        const sum = real.reduce((s, t) => s + at(t, j), 0);
        // sentence-transformers 6: the mask's argmax, i.e. the first kept token (0 when none is kept).
        if (mode === 'cls') row.push(at(real.length ? real[0] : 0, j));
        else if (mode === 'max') row.push(real.length ? Math.max(...real.map((t) => at(t, j))) : -1e9);
        else if (mode === 'mean') row.push(sum / Math.max(real.length, 1e-9));
        else if (mode === 'mean_sqrt_len_tokens') row.push(sum / Math.sqrt(Math.max(real.length, 1e-9)));
        else if (mode === 'weightedmean') {
          const weights = real.reduce((s, t) => s + t + 1, 0);
          row.push(real.reduce((s, t) => s + (t + 1) * at(t, j), 0) / Math.max(weights, 1e-9));
        } else row.push(real.length ? at(real[real.length - 1], j) : 0);
      }
    }
    const norm = normalize ? Math.max(Math.sqrt(row.reduce((s, v) => s + v * v, 0)), 1e-12) : 1;
    rows.push(...row.map((v) => v / norm));
  }
  return rows;
}

const TWIN_CASES: [string, number, number, number, PoolingMode[], boolean][] = [
  // name, batch, seqLen, hidden, modes, normalize
  ['1 × 1 × 1, mean', 1, 1, 1, ['mean'], true],
  ['3 × 7 × 13, every mode, unnormalised', 3, 7, 13, [...POOLING_MODES], false],
  ['5 × 33 × 130 (hidden > workgroup), mean', 5, 33, 130, ['mean'], true],
  ['4 × 9 × 5, every mode, normalised', 4, 9, 5, [...POOLING_MODES], true],
  ['17 × 256 × 384 (a MiniLM batch), mean', 17, 256, 384, ['mean'], true],
  ['2 × 3 × 384, cls + max', 2, 3, 384, ['cls', 'max'], true],
];

function caseInput(seed: number, batch: number, seqLen: number, hidden: number, modes: PoolingMode[], normalize: boolean): PoolingInput {
  return { ...randomPoolingCase(seed, batch, seqLen, hidden), batch, seqLen, hidden, modes, normalize };
}

function expectClose(got: ArrayLike<number>, want: number[], tolerance: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const delta = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(delta <= worst)) [worst, at] = [delta, i];
  }
  expect(worst, `worst relative error at ${at}: ${got[at]} vs ${want[at]}`).toBeLessThanOrEqual(tolerance);
}

describe('pooling, CPU twin', () => {
  it.each(TWIN_CASES)('%s matches the float64 reference', async (_, batch, seqLen, hidden, modes, normalize) => {
    const seed = Date.now() >>> 0;
    const input = caseInput(seed, batch, seqLen, hidden, modes, normalize);
    try {
      expectClose(await poolTokensCpu(input), reference(input), 1e-6);
    } catch (error) {
      throw new Error(`seed ${seed}: ${(error as Error).message}`);
    }
  });

  it('rejects a mask that does not match the batch', async () => {
    const input = caseInput(1, 2, 3, 4, ['mean'], true);
    await expect(poolTokensCpu({ ...input, mask: new Uint8Array(5) })).rejects.toThrow(/mask holds 5 values, expected 2 × 3/);
  });
});

describe('pooling, WGSL (headless Chromium WebGPU)', () => {
  const harness = useKernelHarness();

  it.each(TWIN_CASES)('%s matches the float64 reference', async (_, batch, seqLen, hidden, modes, normalize) => {
    const seed = Date.now() >>> 0;
    const input = caseInput(seed, batch, seqLen, hidden, modes, normalize);
    const got = await harness.page.evaluate(
      ([seed, batch, seqLen, hidden, modes, normalize]) =>
        (window as unknown as { gpuPoolingSeeded: (...a: unknown[]) => Promise<number[]> }).gpuPoolingSeeded(seed, batch, seqLen, hidden, modes, normalize),
      [seed, batch, seqLen, hidden, modes, normalize] as const,
    );
    try {
      // float32 sums over up to 256 tokens: ~1e-6 relative.
      expectClose(got, reference(input), 1e-5);
    } catch (error) {
      throw new Error(`seed ${seed}: ${(error as Error).message}`);
    }
  }, 60_000);
});
