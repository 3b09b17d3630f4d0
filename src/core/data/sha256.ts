import { createSHA256, type IHasher } from 'hash-wasm';

/**
 * Inputs at least this long are hashed over views of the caller's bytes, never copied whole: Web Crypto's
 * `digest` copies its whole input first — a second copy of a model's weights, which in Node lives until the
 * digest job is garbage-collected. Below it, Web Crypto is fine (native, off the thread; a small copy).
 */
export const INCREMENTAL_MIN_BYTES = 1 << 20;

/** What hashes one array over a view of it, synchronously, as lowercase hex. */
type ViewSha256 = (bytes: Uint8Array) => string;

/**
 * Node's own hashing where the code runs in Node (it reads the view in place, natively: about 4× faster than
 * WASM on 90 MB), found through `process.getBuiltinModule` so that nothing here imports a Node module and
 * the same file runs in the browser and workers, where hash-wasm does it.
 */
const nodeSha256: ViewSha256 | null = (() => {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const nodeCrypto = getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;
  return nodeCrypto ? (bytes) => nodeCrypto.createHash('sha256').update(bytes).digest('hex') : null;
})();

let wasmHasher: Promise<IHasher> | null = null;

/** hash-wasm over a view, 16 KiB at a time into its WASM memory: the path of browsers and workers. Exported for its test. */
export async function wasmSha256Hex(bytes: Uint8Array): Promise<string> {
  const sha = await (wasmHasher ??= createSHA256());
  // init, update and digest run in one synchronous stretch: concurrent callers cannot interleave on the shared instance.
  sha.init();
  sha.update(bytes);
  return sha.digest('hex');
}

/**
 * SHA-256 as lowercase hex: strings and small arrays through the platform's Web Crypto (browsers, workers
 * and Node alike), large arrays without copying them (see {@link INCREMENTAL_MIN_BYTES}).
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  if (typeof data !== 'string' && data.byteLength >= INCREMENTAL_MIN_BYTES) return nodeSha256 ? nodeSha256(data) : wasmSha256Hex(data);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

const CHUNK = 64 << 20;

/**
 * A digest of arrays too big to hand to Web Crypto whole (it copies its input, and has no streaming API):
 * SHA-256 over the SHA-256s of each 64 MiB chunk of each part, in order. Deterministic, so it identifies
 * vectors as well as a plain digest would, and never holds more than one chunk's copy.
 */
export async function chunkedSha256Hex(parts: readonly ArrayBufferView[]): Promise<string> {
  const digests: Uint8Array[] = [];
  for (const part of parts) {
    const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
    const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK));
    for (let c = 0; c < chunks; c++) {
      digests.push(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.subarray(c * CHUNK, (c + 1) * CHUNK) as Uint8Array<ArrayBuffer>)));
    }
  }
  const joined = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => joined.set(d, i * 32));
  return sha256Hex(joined);
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
