import { compressionRegistry, CompressionType } from 'apache-arrow';
import { decompress as zstdDecompress } from 'fzstd';
// lz4js ships CommonJS without types; its `decompress` reads an LZ4 frame, the format Arrow IPC uses.
import lz4 from 'lz4js';

let registered = false;

/**
 * Teaches apache-arrow to read compressed IPC bodies: Feather v2 files are LZ4-framed by default (pyarrow,
 * pandas), and ZSTD is the other codec the format allows. apache-arrow ships no codecs of its own.
 */
export function registerArrowCodecs(): void {
  if (registered) return;
  registered = true;
  compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: (data) => lz4.decompress(data) });
  compressionRegistry.set(CompressionType.ZSTD, { decode: (data) => zstdDecompress(data) });
}
