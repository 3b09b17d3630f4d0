import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { EmbeddingStore } from '../core/eval/embeddingCache.ts';

interface CacheSchema extends DBSchema {
  /** One vector per (model fingerprint, text hash). */
  vectors: { key: string; value: ArrayBuffer };
  /** Entry count and bytes per model, kept with every write so the size is known without a scan. */
  models: { key: string; value: { entries: number; bytes: number } };
}

export interface CacheSize {
  models: number;
  entries: number;
  bytes: number;
}

/**
 * The page's embedding cache in IndexedDB, keyed like the CLI's disk cache (model fingerprint + text hash):
 * a re-run encodes only texts it has not seen with that exact model. Lives in the browser's storage of this
 * origin; nothing is sent anywhere.
 */
export class IndexedDbEmbeddingStore implements EmbeddingStore {
  private db: Promise<IDBPDatabase<CacheSchema>> | null = null;

  constructor(private readonly name = 'embedlab-embeddings') {}

  private open(): Promise<IDBPDatabase<CacheSchema>> {
    this.db ??= openDB<CacheSchema>(this.name, 1, {
      upgrade(db) {
        db.createObjectStore('vectors');
        db.createObjectStore('models');
      },
    });
    return this.db;
  }

  async get(model: string, textHashes: readonly string[]): Promise<(Float32Array | null)[]> {
    const tx = (await this.open()).transaction('vectors');
    const found = await Promise.all(textHashes.map((hash) => tx.store.get(`${model}:${hash}`)));
    await tx.done;
    // Only what a put wrote reads back: an entry that is not a whole float32 vector is treated as missing.
    return found.map((buffer) => (buffer instanceof ArrayBuffer && buffer.byteLength > 0 && buffer.byteLength % 4 === 0 ? new Float32Array(buffer) : null));
  }

  /**
   * Stores each text once: a batch that repeats a text (two identical documents, two empty ones) writes one
   * entry and counts it once, and a text already stored is left as it is. One transaction: a write cut off
   * (the tab closed, the quota reached) leaves none of its entries and every earlier one.
   */
  async put(model: string, textHashes: readonly string[], vectors: Float32Array, dim: number): Promise<void> {
    const rows = new Map<string, number>();
    textHashes.forEach((hash, i) => rows.has(hash) || rows.set(hash, i));
    const tx = (await this.open()).transaction(['vectors', 'models'], 'readwrite');
    const store = tx.objectStore('vectors');
    const hashes = [...rows.keys()];
    const existing = await Promise.all(hashes.map((hash) => store.getKey(`${model}:${hash}`)));
    const writes: Promise<unknown>[] = [];
    let added = 0;
    hashes.forEach((hash, k) => {
      if (existing[k] !== undefined) return;
      const i = rows.get(hash)!;
      added++;
      writes.push(store.put(vectors.slice(i * dim, (i + 1) * dim).buffer, `${model}:${hash}`));
    });
    const meta = tx.objectStore('models');
    const before = (await meta.get(model)) ?? { entries: 0, bytes: 0 };
    if (added) writes.push(meta.put({ entries: before.entries + added, bytes: before.bytes + added * dim * 4 }, model));
    await Promise.all(writes);
    await tx.done;
  }

  async size(): Promise<CacheSize> {
    const all = await (await this.open()).getAll('models');
    return { models: all.length, entries: all.reduce((n, m) => n + m.entries, 0), bytes: all.reduce((n, m) => n + m.bytes, 0) };
  }

  async clear(): Promise<void> {
    const tx = (await this.open()).transaction(['vectors', 'models'], 'readwrite');
    await Promise.all([tx.objectStore('vectors').clear(), tx.objectStore('models').clear(), tx.done]);
  }
}
