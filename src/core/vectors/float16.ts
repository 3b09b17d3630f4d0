/**
 * float32 → IEEE 754 half precision and back, rounding to nearest, ties to even (what NumPy's
 * `astype(np.float16)` does). The lab stores float16 as its 16-bit patterns.
 */
const buffer = new DataView(new ArrayBuffer(4));

export function toFloat16Bits(value: number): number {
  buffer.setFloat32(0, value);
  const bits = buffer.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf, NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    // Subnormal: shift the implicit 1 in, round to nearest even on the bits shifted out.
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let result = mantissa >>> shift;
    if (rest > half || (rest === half && result & 1)) result++;
    return sign | result;
  }
  let result = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa rolls into the exponent, up to Inf: the encoding makes that right.
  if (rest > 0x1000 || (rest === 0x1000 && result & 1)) result++;
  return sign | result;
}

export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let table: Float32Array | null = null;

/** Every float16 bit pattern's value (256 KB, made once): widening becomes one lookup per value. */
export function float16Table(): Float32Array {
  table ??= Float32Array.from({ length: 65536 }, (_, bits) => fromFloat16Bits(bits));
  return table;
}

/** Rows rounded to float16, as 16-bit patterns: the stored form (2 bytes a component). */
export function toFloat16Array(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return out;
}

/** float16 patterns widened to float32 (exactly: every float16 is a float32), for a float kernel to score. */
export function fromFloat16Array(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = fromFloat16Bits(bits[i]);
  return out;
}
