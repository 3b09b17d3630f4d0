import { describe, expect, it } from 'vitest';
import { chunkedSecondsLeft } from './checkpoint.ts';
import { CACHE_WRITE_CHUNK, encodeWithCache } from './embeddingCache.ts';
import { memoryStore } from '../../../tests/fixtures/memoryStore.ts';


/** A 2-dimensional "model": each text's length and first character code. */
const embed = async (texts: string[]) => ({ vectors: Float32Array.from(texts.flatMap((t) => [t.length, t.charCodeAt(0)])), count: texts.length, dim: 2 });

describe('the embedding cache while encoding', () => {
  const texts = Array.from({ length: 2 * CACHE_WRITE_CHUNK + 100 }, (_, i) => `text number ${i}`);

  it('keeps what was encoded before a cancel, and the next run encodes only the rest', async () => {
    const store = memoryStore();
    const cancelled = encodeWithCache(texts, 'm', store, async (chunk, { first }) => {
      if (first >= CACHE_WRITE_CHUNK) throw new DOMException('encoding cancelled', 'AbortError');
      return embed(chunk);
    });
    await expect(cancelled).rejects.toThrow(/encoding cancelled/);
    expect(store.size()).toBe(CACHE_WRITE_CHUNK);

    const asked: string[] = [];
    const again = await encodeWithCache(texts, 'm', store, async (chunk) => (asked.push(...chunk), embed(chunk)));
    expect(asked).toEqual(texts.slice(CACHE_WRITE_CHUNK));
    expect(again.encoded).toBe(texts.length - CACHE_WRITE_CHUNK);
    expect(Array.from(again.vectors)).toEqual(Array.from((await embed(texts)).vectors));
  });

  it('estimates the chunks still to come from the one under way', () => {
    // Half of the first chunk's tokens in 10 s: 10 s more for it, then 20 s for each of the two after it.
    expect(chunkedSecondsLeft(10, { done: 50, total: 100 }, 512, { first: 0, total: 1536 })).toBeCloseTo(10 + 40, 9);
    expect(chunkedSecondsLeft(10, { done: 50, total: 100 }, 100, { first: 1436, total: 1536 })).toBeCloseTo(10, 9);
    expect(chunkedSecondsLeft(0, { done: 0, total: 100 }, 100, { first: 0, total: 100 })).toBeUndefined();
  });
});
