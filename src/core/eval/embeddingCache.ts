import type { Embeddings } from '../model/encoder.ts';
import { onnxSha256, type ModelFolder } from '../model/modelFolder.ts';
import { sha256Hex as sha256 } from '../data/sha256.ts';

/**
 * Where embeddings are kept between runs, keyed by model fingerprint and text hash: the CLI keeps them on
 * disk, the page in IndexedDB. A store may forget anything; it must never return a wrong vector.
 */
export interface EmbeddingStore {
  /** Vectors for `textHashes` (null where unknown), each `dim` long. */
  get(model: string, textHashes: readonly string[]): Promise<(Float32Array | null)[]>;
  put(model: string, textHashes: readonly string[], vectors: Float32Array, dim: number): Promise<void>;
}

/**
 * Identifies what produces the embeddings: ONNX weights, tokenizer and the pooling pipeline. Two folders
 * with the same fingerprint give the same vectors, so they may share cache entries.
 */
export async function modelFingerprint(folder: ModelFolder): Promise<string> {
  const { spec } = folder;
  const parts = [
    // The digest taken once per model (the CLI's encoder keeps it after letting the bytes go).
    await onnxSha256(folder),
    await sha256(JSON.stringify(spec.tokenizerJson.model)),
    JSON.stringify({ pooling: spec.pooling, normalize: spec.normalize, maxSeqLength: spec.maxSeqLength }),
  ];
  // What follows pooling, only where a model has it, so the keys of plain pooled models stay as they were.
  const after = await afterPoolingIdentity(spec);
  if (after) parts.push(after);
  return sha256(parts.join('|'));
}

/** Dense layers (their weights' digest), an excluded prompt, a truncation: anything besides plain pooling. */
async function afterPoolingIdentity(spec: ModelFolder['spec']): Promise<string | null> {
  const dense = await Promise.all(
    (spec.modules ?? []).map(async (module) => {
      if (module.kind !== 'dense') return module.kind;
      const arrays = [module.weight, module.bias, module.residual instanceof Float32Array ? module.residual : null].filter((a): a is Float32Array => a !== null);
      const bytes = arrays.map((a) => sha256(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));
      return `dense:${module.inFeatures}x${module.outFeatures}:${module.activation}:${module.residual === 'identity' ? 'identity' : ''}:${(await Promise.all(bytes)).join(',')}`;
    }),
  );
  const extra = { ...(dense.some((d) => d.startsWith('dense')) ? { modules: dense } : {}), ...(spec.includePrompt === false ? { includePrompt: false } : {}), ...(spec.truncateDim ? { truncateDim: spec.truncateDim } : {}) };
  return Object.keys(extra).length ? JSON.stringify(extra) : null;
}

/**
 * Texts encoded between two writes to the store: what a cancel (or a crash) can lose at most, and small
 * enough that a store write never holds up the encoding for long.
 */
export const CACHE_WRITE_CHUNK = 512;

/** Which slice of the texts to encode a call of `encode` is: `first` of `total` texts to encode in all. */
export interface EncodeChunk {
  first: number;
  total: number;
}

/**
 * Embeds `texts`, taking what the store already has and encoding only the rest, in chunks of
 * {@link CACHE_WRITE_CHUNK} written to the store as each is done: a cancelled or failed run keeps what it had
 * encoded. Returns rows in input order and how many were encoded now.
 */
export async function encodeWithCache(
  texts: readonly string[],
  model: string,
  store: EmbeddingStore | null,
  encode: (texts: string[], chunk: EncodeChunk) => Promise<Embeddings>,
): Promise<Embeddings & { encoded: number }> {
  if (!store) return { ...(await encode([...texts], { first: 0, total: texts.length })), encoded: texts.length };
  const hashes = await Promise.all(texts.map(sha256));
  const cached = await store.get(model, hashes);
  const missing = texts.map((_, i) => i).filter((i) => cached[i] === null);
  let dim = cached.find((v) => v !== null)?.length ?? 0;
  let vectors: Float32Array | null = null;
  const place = (rows: readonly number[], source: Float32Array) => rows.forEach((textIndex, row) => vectors!.set(source.subarray(row * dim, (row + 1) * dim), textIndex * dim));
  for (let first = 0; first < missing.length; first += CACHE_WRITE_CHUNK) {
    const rows = missing.slice(first, first + CACHE_WRITE_CHUNK);
    const fresh = await encode(rows.map((i) => texts[i]), { first, total: missing.length });
    if (dim && fresh.dim !== dim) throw new Error(`cached embeddings have ${dim} dimensions but the model gives ${fresh.dim}`);
    dim = fresh.dim;
    await store.put(model, rows.map((i) => hashes[i]), fresh.vectors, dim);
    vectors ??= new Float32Array(texts.length * dim);
    place(rows, fresh.vectors);
  }
  vectors ??= new Float32Array(texts.length * dim);
  cached.forEach((vector, i) => vector && vectors!.set(vector, i * dim));
  return { vectors, count: texts.length, dim, encoded: missing.length };
}
