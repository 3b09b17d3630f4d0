import { describe, expect, it } from 'vitest';
import { mulberry32, randomUnitRows } from '../../../tests/fixtures/random.ts';
import { bitOf, packedBytes, packSignBits } from './binaryQuantization.ts';
import { fromFloat16Bits, toFloat16Bits } from './float16.ts';
import { calibrateInt8, quantizeInt8 } from './int8Quantization.ts';
import { truncateRows } from './truncate.ts';

describe('float16', () => {
  it('rounds to nearest, ties to even, with subnormals, overflow and NaN', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00); // rounds up past the largest finite value: Inf
    expect(toFloat16Bits(1 / 3)).toBe(0x3555);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(2 ** -26)).toBe(0x0000);
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway: to the even mantissa (down)
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway: to the even mantissa (up)
    expect(toFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // subnormal halfway between 1 and 2 ulps: to even
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
  });

  it('is within half an ulp of every float32 in range, against a float64 reference', () => {
    const random = mulberry32(11);
    for (let i = 0; i < 5000; i++) {
      const x = Math.fround((random() * 2 - 1) * 2 ** Math.floor(random() * 30 - 20));
      const y = fromFloat16Bits(toFloat16Bits(x));
      const exponent = Math.max(Math.floor(Math.log2(Math.abs(x))), -14);
      expect(Math.abs(y - x)).toBeLessThanOrEqual(2 ** (exponent - 10) / 2 + 1e-300);
    }
  });
});

describe('truncation', () => {
  it('keeps the first d components and renormalises', () => {
    expect(Array.from(truncateRows(Float32Array.of(3, 4, 12, 0, 0, 5), 3, 2))).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
  });
});

describe('int8 scalar quantization (sentence-transformers quantize_embeddings, precision="int8")', () => {
  it('calibrates per-dimension ranges on the corpus and maps them onto −128…127', () => {
    const docs = Float32Array.of(0, 1, 1, 3);
    const ranges = calibrateInt8(docs, 2);
    expect(Array.from(ranges.starts)).toEqual([0, 1]);
    // In float32, (1 − 0) / (1/255) − 128 = 126.999985 → 126: what NumPy gives for these rows too.
    expect(Array.from(quantizeInt8(docs, 2, ranges))).toEqual([-128, -128, 126, 126]);
    // −0.5000076 → 0 (NumPy truncates toward zero); beyond the range clamped (NumPy's cast wraps: 125 and 1).
    expect(Array.from(quantizeInt8(Float32Array.of(0.5, 2, 2, 0), 2, ranges))).toEqual([0, 0, 127, -128]);
  });
});

describe('binary quantization (sign bits, np.packbits order)', () => {
  it('packs bits most significant first and pads with zeros', () => {
    const row = Float32Array.of(1, -1, 0, 2, -3, 0, 0, 0, 0.1);
    const packed = packSignBits(row, 9);
    expect(Array.from(packedBytes(packed))).toEqual([0b10010000, 0b10000000]);
    expect(Array.from({ length: 9 }, (_, j) => bitOf(packed, 0, j))).toEqual([1, 0, 0, 1, 0, 0, 0, 0, 1]);
  });

  it('matches a bit-by-bit reference on random rows of awkward width', () => {
    const rows = randomUnitRows(7, 45, mulberry32(3));
    const packed = packSignBits(rows, 45);
    expect(packed.wordsPerRow).toBe(2);
    for (let r = 0; r < 7; r++) for (let j = 0; j < 45; j++) expect(bitOf(packed, r, j)).toBe(rows[r * 45 + j] > 0 ? 1 : 0);
  });
});
