/**
 * Inputs at least this long are hashed over a view of the caller's bytes where the platform can (Node), never
 * copied whole: Web Crypto's `digest` copies its whole input first, and in Node that copy — a second copy of
 * a model's weights — lives until the digest job is garbage-collected. Below it, the copy is small.
 */
export const INCREMENTAL_MIN_BYTES = 1 << 20;

/**
 * Node's own hashing, found through `process.getBuiltinModule` (Node ≥ 20.16) so that nothing here imports a
 * Node module and the same file runs in browsers and workers. It reads the view in place, natively, where
 * Web Crypto copies its input and Node keeps the copy until a collection. Browsers keep Web Crypto: Chromium
 * frees its copy as soon as the digest settles, and the WASM hashers are slower there (figures in
 * docs/performance.md).
 */
const nodeSha256: ((bytes: Uint8Array) => string) | null = (() => {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const nodeCrypto = getBuiltinModule?.('node:crypto') as typeof import('node:crypto') | undefined;
  return nodeCrypto ? (bytes) => nodeCrypto.createHash('sha256').update(bytes).digest('hex') : null;
})();

/**
 * SHA-256 as lowercase hex: large arrays in Node over a view of them (see {@link INCREMENTAL_MIN_BYTES}),
 * everything else through the platform's Web Crypto (browsers, workers and Node alike).
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  if (nodeSha256 && typeof data !== 'string' && data.byteLength >= INCREMENTAL_MIN_BYTES) return nodeSha256(data);
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
