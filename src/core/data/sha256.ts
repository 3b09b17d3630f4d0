/** SHA-256 through the platform's Web Crypto (browsers, workers and Node alike). */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
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
