import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { INCREMENTAL_MIN_BYTES, sha256Hex } from './sha256.ts';

/** Node's own SHA-256, the reference the two paths are held to. */
const reference = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Bytes that differ everywhere (a repeated pattern could hide an offset error). */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('sha256Hex', () => {
  afterEach(() => vi.restoreAllMocks());

  it('gives the FIPS 180-2 digests for strings', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gives the same digest on both sides of the threshold, for views that start inside a larger buffer', async () => {
    const whole = noise(INCREMENTAL_MIN_BYTES + 4099, 7);
    for (const [start, length] of [
      [0, INCREMENTAL_MIN_BYTES - 1],
      [3, INCREMENTAL_MIN_BYTES],
      [4099, INCREMENTAL_MIN_BYTES],
      [1, INCREMENTAL_MIN_BYTES + 17],
    ]) {
      const view = whole.subarray(start, start + length);
      expect(await sha256Hex(view), `bytes ${start}…${start + length}`).toBe(reference(view));
    }
  });

  it('hashes large arrays in Node without handing them to Web Crypto (which copies its input)', async () => {
    const digest = vi.spyOn(crypto.subtle, 'digest');
    const bytes = noise(3 * INCREMENTAL_MIN_BYTES + 5, 11);
    expect(await sha256Hex(bytes)).toBe(reference(bytes));
    expect(digest).not.toHaveBeenCalled();
  });
});
