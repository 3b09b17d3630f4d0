import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { EmbeddingStore } from '../core/eval/embeddingCache.ts';

/** `$XDG_CACHE_HOME/embedlab/embeddings`, else `~/.cache/embedlab/embeddings`. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'embedlab', 'embeddings');
}

interface ModelShard {
  dim: number;
  rows: Map<string, number>;
  vectors: Float32Array;
}

/**
 * Embeddings on disk, one folder per model fingerprint: `vectors.f32` (rows appended) and `index.json`
 * (text hash → row, and dim). Files are replaced atomically (write then rename), so an interrupted run
 * leaves the previous cache intact.
 */
export function diskEmbeddingStore(root: string): EmbeddingStore {
  const shards = new Map<string, ModelShard>();
  const folder = (model: string) => path.join(root, model);

  async function load(model: string): Promise<ModelShard | null> {
    const known = shards.get(model);
    if (known) return known;
    try {
      const index = JSON.parse(await readFile(path.join(folder(model), 'index.json'), 'utf8')) as { dim: number; hashes: string[] };
      const bytes = await readFile(path.join(folder(model), 'vectors.f32'));
      const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      if (vectors.length !== index.hashes.length * index.dim) return null; // torn files: start over
      const shard = { dim: index.dim, rows: new Map(index.hashes.map((h, i) => [h, i])), vectors };
      shards.set(model, shard);
      return shard;
    } catch {
      return null;
    }
  }

  return {
    async get(model, hashes) {
      const shard = await load(model);
      return hashes.map((hash) => {
        const row = shard?.rows.get(hash);
        return row === undefined || !shard ? null : shard.vectors.slice(row * shard.dim, (row + 1) * shard.dim);
      });
    },
    async put(model, hashes, vectors, dim) {
      const previous = await load(model);
      const keep = previous && previous.dim === dim ? previous : { dim, rows: new Map<string, number>(), vectors: new Float32Array(0) };
      const added = hashes.filter((h) => !keep.rows.has(h));
      const merged = new Float32Array(keep.vectors.length + added.length * dim);
      merged.set(keep.vectors);
      const rows = new Map(keep.rows);
      let next = keep.rows.size;
      hashes.forEach((hash, i) => {
        if (rows.has(hash)) return;
        merged.set(vectors.subarray(i * dim, (i + 1) * dim), next * dim);
        rows.set(hash, next++);
      });
      await mkdir(folder(model), { recursive: true });
      const order = [...rows.entries()].sort((a, b) => a[1] - b[1]).map(([h]) => h);
      await writeAtomically(path.join(folder(model), 'vectors.f32'), new Uint8Array(merged.buffer));
      await writeAtomically(path.join(folder(model), 'index.json'), JSON.stringify({ dim, hashes: order }));
      shards.set(model, { dim, rows, vectors: merged });
    },
  };
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}
