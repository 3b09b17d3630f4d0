import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { crc32 } from 'node:zlib';
import path from 'node:path';
import type { EmbeddingStore } from '../core/eval/embeddingCache.ts';

/** `$XDG_CACHE_HOME/embedlab/embeddings`, else `~/.cache/embedlab/embeddings`. */
export function defaultCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'embedlab', 'embeddings');
}

/** The shard of one model: `<root>/<fingerprint>/embeddings.bin`. */
export const SHARD_FILE = 'embeddings.bin';
/** "EMBLAB" + format 2; the header is the magic, the dimension (u32) and a CRC-32 of those 12 bytes. */
const MAGIC = new TextEncoder().encode('EMBLAB02');
export const HEADER_BYTES = 16;
/** A row's key: the text's SHA-256 (32 bytes). */
const KEY_BYTES = 32;
/** Bytes of one row: key, `dim` float32 values, a CRC-32 of the key and the values. */
export const rowBytes = (dim: number) => KEY_BYTES + dim * 4 + 4;
/** Superseded or damaged rows are compacted away once they outnumber the live ones (and are this many). */
const COMPACT_AFTER = 64;

interface ModelShard {
  dim: number;
  /** The rows read or appended: each block whole rows back to back, at a 4-byte aligned offset. */
  blocks: Uint8Array[];
  /** Key (hex) → where its row is: block index × 2^32 + the row's byte offset in the block. */
  rows: Map<string, number>;
  /** Rows in the file that are no longer read: damaged (checksum), superseded by a later row, or torn. */
  dead: number;
}

/**
 * Embeddings on disk, one folder per model fingerprint, one append-only file in it (`embeddings.bin`): a
 * 16-byte header (magic, dimension, its checksum), then rows of key (the text's SHA-256), float32 vector
 * and a CRC-32 of both. What a run encodes is appended, never rewritten, so a run killed mid-write loses
 * at most the rows of that write: a torn last row is cut off (the file repaired up to its last whole row)
 * before the next append. A row whose bytes were damaged on disk fails its checksum and reads as missing —
 * the text is encoded again — so the store never returns a vector it did not write. Each text is stored
 * once: duplicates within a write, and texts already stored, are not appended again. A cache that cannot
 * be written is a warning (`warn`, stderr by default), once: the run goes on without keeping its vectors.
 */
export function diskEmbeddingStore(root: string, { warn = (line: string) => process.stderr.write(`${line}\n`) }: { warn?: (line: string) => void } = {}): EmbeddingStore {
  const shards = new Map<string, ModelShard>();
  let warned = false;
  const folder = (model: string) => path.join(root, model);
  const shardFile = (model: string) => path.join(folder(model), SHARD_FILE);
  // One write at a time per model within this process: appends go where the previous one ended.
  const writing = new Map<string, Promise<unknown>>();

  async function load(model: string): Promise<ModelShard | null> {
    const known = shards.get(model);
    if (known) return known;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(shardFile(model));
    } catch {
      const migrated = await migrateOldShard(folder(model));
      if (migrated) shards.set(model, migrated);
      return migrated;
    }
    const shard = readShard(bytes);
    if (shard) shards.set(model, shard);
    return shard;
  }

  /** Writes `rows` as the model's whole shard (a temporary file renamed over the old one). */
  async function rewrite(model: string, dim: number, rows: Iterable<[string, Float32Array]>): Promise<void> {
    const bytes = encodeShard(dim, rows);
    await writeAtomically(shardFile(model), bytes);
    const shard: ModelShard = { dim, blocks: [], rows: new Map(), dead: 0 };
    addBlock(shard, bytes.subarray(HEADER_BYTES));
    shards.set(model, shard);
  }

  async function append(model: string, hashes: readonly string[], vectors: Float32Array, dim: number): Promise<void> {
    const previous = await load(model);
    const shard = previous && previous.dim === dim ? previous : null;
    // Each text once: not again when it is stored already, nor twice when a batch repeats it.
    const fresh = new Map<string, number>();
    hashes.forEach((hash, i) => {
      const key = keyOf(hash);
      if (!fresh.has(key) && !shard?.rows.has(key)) fresh.set(key, i);
    });
    if (shard && fresh.size === 0) return;
    const freshRows = () => Array.from(fresh, ([key, i]): [string, Float32Array] => [key, vectors.subarray(i * dim, (i + 1) * dim)]);
    await mkdir(folder(model), { recursive: true });
    // A new shard (or one of another dimension), or one of mostly dead rows: written whole.
    if (!shard) return rewrite(model, dim, freshRows());
    if (shard.dead > Math.max(COMPACT_AFTER, shard.rows.size)) return rewrite(model, dim, [...liveRows(shard), ...freshRows()]);
    const bytes = encodeRows(dim, freshRows());
    let handle: FileHandle;
    try {
      handle = await open(shardFile(model), 'r+');
    } catch {
      // Removed since it was read: written again with every row this process knows.
      return rewrite(model, dim, [...liveRows(shard), ...freshRows()]);
    }
    try {
      // Where the last whole row ends: a torn row left by a killed run is cut off, then overwritten.
      const size = (await handle.stat()).size;
      const whole = size < HEADER_BYTES ? HEADER_BYTES : HEADER_BYTES + Math.floor((size - HEADER_BYTES) / rowBytes(dim)) * rowBytes(dim);
      if (size !== whole) await handle.truncate(whole);
      let written = 0;
      while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written, whole + written)).bytesWritten;
      addBlock(shard, bytes);
    } finally {
      await handle.close();
    }
  }

  return {
    async get(model, hashes) {
      await writing.get(model);
      const shard = await load(model);
      return hashes.map((hash) => {
        const at = shard?.rows.get(keyOf(hash));
        return at === undefined ? null : vectorAt(shard!, at).slice();
      });
    },
    async put(model, hashes, vectors, dim) {
      if (vectors.length < hashes.length * dim) throw new RangeError(`put: ${hashes.length} hashes of ${dim} dimensions need ${hashes.length * dim} values, got ${vectors.length}`);
      const before = writing.get(model) ?? Promise.resolve();
      const done = before.then(() => append(model, hashes, vectors, dim));
      writing.set(model, done.catch(() => undefined));
      try {
        await done;
      } catch (error) {
        // A cache that cannot be written (read-only, full, gone) costs the next run its hits, not this run its results.
        const code = (error as NodeJS.ErrnoException).code;
        if (!code) throw error;
        if (!warned) warn(`warning: the embedding cache in ${root} cannot be written (${code}): this run's embeddings are not kept`);
        warned = true;
      }
    },
  };
}

const HEX_KEY = /^[0-9a-f]{64}$/;

/** The 32-byte key of a text hash, as hex: a SHA-256 in hex is its own key; anything else is hashed to one. */
function keyOf(hash: string): string {
  return hash.length === 64 && HEX_KEY.test(hash) ? hash : createHash('sha256').update(hash).digest('hex');
}

const BLOCK = 2 ** 32;

/** The vector of the row at `at` (see {@link ModelShard.rows}), a view of the shard's bytes. */
function vectorAt(shard: ModelShard, at: number): Float32Array {
  const block = shard.blocks[Math.floor(at / BLOCK)];
  return new Float32Array(block.buffer, block.byteOffset + (at % BLOCK) + KEY_BYTES, shard.dim);
}

function* liveRows(shard: ModelShard): Generator<[string, Float32Array]> {
  for (const [key, at] of shard.rows) yield [key, vectorAt(shard, at)];
}

/**
 * Adds a block of whole rows to the shard: each row whose checksum holds (the later of two with one key
 * wins); the others, and the rows they supersede, are counted dead.
 */
function addBlock(shard: ModelShard, bytes: Uint8Array): void {
  const size = rowBytes(shard.dim);
  const index = shard.blocks.push(bytes) - 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + size <= bytes.length; at += size) {
    if (crc32(bytes.subarray(at, at + size - 4)) !== view.getUint32(at + size - 4, true)) {
      shard.dead++;
      continue;
    }
    const key = text.toString('hex', at, at + KEY_BYTES);
    if (shard.rows.has(key)) shard.dead++;
    shard.rows.set(key, index * BLOCK + at);
  }
}

/** A shard file's rows: whole rows whose checksum holds; damaged ones, superseded ones and a torn tail are dead. */
function readShard(file: Uint8Array): ModelShard | null {
  if (file.length < HEADER_BYTES || !MAGIC.every((b, i) => file[i] === b)) return null;
  const header = new DataView(file.buffer, file.byteOffset, HEADER_BYTES);
  if (crc32(file.subarray(0, 12)) !== header.getUint32(12, true)) return null;
  const dim = header.getUint32(8, true);
  if (dim === 0) return null;
  // Float32 views need 4-byte alignment: a small file may sit at any offset of Node's buffer pool.
  const bytes = file.byteOffset % 4 === 0 ? file : file.slice();
  const size = rowBytes(dim);
  const count = Math.floor((bytes.length - HEADER_BYTES) / size);
  const shard: ModelShard = { dim, blocks: [], rows: new Map(), dead: (bytes.length - HEADER_BYTES) % size ? 1 : 0 };
  addBlock(shard, bytes.subarray(HEADER_BYTES, HEADER_BYTES + count * size));
  return shard;
}

/** A whole shard file: header and every row. */
function encodeShard(dim: number, rows: Iterable<[string, Float32Array]>): Uint8Array {
  const body = encodeRows(dim, [...rows]);
  const bytes = new Uint8Array(HEADER_BYTES + body.length);
  bytes.set(MAGIC);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, dim, true);
  view.setUint32(12, crc32(bytes.subarray(0, 12)), true);
  bytes.set(body, HEADER_BYTES);
  return bytes;
}

/** Rows back to back: key, the vector's float32 bytes (as the platform lays them out: read back the same way), CRC-32 of both. */
function encodeRows(dim: number, rows: readonly [string, Float32Array][]): Uint8Array {
  const size = rowBytes(dim);
  const bytes = new Uint8Array(rows.length * size);
  const text = Buffer.from(bytes.buffer);
  const values = new Float32Array(bytes.buffer);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const [key, vector] of rows) {
    text.write(key, at, KEY_BYTES, 'hex');
    values.set(vector, (at + KEY_BYTES) / 4);
    view.setUint32(at + size - 4, crc32(bytes.subarray(at, at + size - 4)), true);
    at += size;
  }
  return bytes;
}

/**
 * The previous layout (`index.json` with the hashes in row order, `vectors.f32` with the rows), moved into
 * a shard file once. Rows were only ever appended in the order of the index, so the rows both files have
 * are whole and belong to their hashes, even when the two files disagree on the count (a batch that
 * repeated a text wrote one row too many; a run killed between the two renames left one file behind).
 */
async function migrateOldShard(dir: string): Promise<ModelShard | null> {
  let index: { dim?: unknown; hashes?: unknown };
  let vectors: Uint8Array;
  try {
    index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'));
    vectors = await readFile(path.join(dir, 'vectors.f32'));
  } catch {
    return null;
  }
  const { dim, hashes } = index;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim <= 0 || !Array.isArray(hashes)) return null;
  const values = new Float32Array(vectors.slice().buffer, 0, Math.floor(vectors.length / 4));
  const count = Math.min(hashes.length, Math.floor(values.length / dim));
  const rows = new Map<string, Float32Array>();
  for (let i = 0; i < count; i++) {
    if (typeof hashes[i] !== 'string') continue;
    const key = keyOf(hashes[i]);
    if (!rows.has(key)) rows.set(key, values.subarray(i * dim, (i + 1) * dim));
  }
  const bytes = encodeShard(dim, rows);
  const shard: ModelShard = { dim, blocks: [], rows: new Map(), dead: 0 };
  addBlock(shard, bytes.subarray(HEADER_BYTES));
  try {
    await writeAtomically(path.join(dir, SHARD_FILE), bytes);
    await rm(path.join(dir, 'index.json'), { force: true });
    await rm(path.join(dir, 'vectors.f32'), { force: true });
  } catch {
    // A read-only cache still serves what it holds.
  }
  return shard;
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

