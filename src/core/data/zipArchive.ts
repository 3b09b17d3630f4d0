import { unzipSync } from 'fflate';
import { DataError } from './dataset.ts';

/** One entry of a zip's central directory, as APPNOTE.txt §4.3.12 lays it out. */
interface CentralEntry {
  name: string;
  /** General purpose flags; bit 0: encrypted. */
  flags: number;
  compression: number;
  crc: number;
  originalSize: number;
}

/**
 * The central directory of `bytes` (end record searched from the end, comment included). fflate inflates
 * entries but neither checks their CRC-32 nor reports encryption: these fields are read here to do both.
 */
function centralDirectory(bytes: Uint8Array, file: string): CentralEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new DataError({ file, message: 'not a readable zip archive (no end of central directory record)' });
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const entries: CentralEntry[] = [];
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw new DataError({ file, message: 'not a readable zip archive (its central directory is damaged)' });
    const nameLength = view.getUint16(at + 28, true);
    entries.push({
      flags: view.getUint16(at + 8, true),
      compression: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      originalSize: view.getUint32(at + 24, true),
      name: decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
    });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3, the zip one). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** What a zip entry is not: a folder, macOS metadata, a hidden file, or empty. */
const isData = (name: string) => !name.endsWith('/') && !name.startsWith('__MACOSX/') && !/(^|\/)\./.test(name);

/**
 * The data files of a zip archive, each checked against its CRC-32. Refused, with the reason: an encrypted
 * archive, a zip inside the zip, and contents that unpack to more than `maxBytes` in all (the sizes the
 * archive states are checked before anything is inflated).
 */
export function readZip(bytes: Uint8Array, file: string, maxBytes: number): { path: string; bytes: Uint8Array }[] {
  const entries = centralDirectory(bytes, file).filter((e) => isData(e.name));
  const encrypted = entries.find((e) => e.flags & 1 || e.compression === 99);
  if (encrypted) throw new DataError({ file, message: `is password-protected (${encrypted.name} is encrypted): extract it first, the lab reads no encrypted archives` });
  const nested = entries.find((e) => /\.zip$/i.test(e.name));
  if (nested) throw new DataError({ file, message: `holds another zip (${nested.name}): unpack the inner archive and give its files` });
  const total = entries.reduce((n, e) => n + e.originalSize, 0);
  if (total > maxBytes) {
    throw new DataError({ file, message: `unpacks to ${(total / 2 ** 20).toFixed(0)} MB, more than the ${(maxBytes / 2 ** 20).toFixed(0)} MB read at once: give the files unpacked (a single CSV/TSV file of any size is streamed)` });
  }
  let unpacked: Record<string, Uint8Array>;
  try {
    unpacked = unzipSync(bytes, { filter: (info) => isData(info.name) });
  } catch (error) {
    throw new DataError({ file, message: `not a readable zip archive (${(error as Error).message})` });
  }
  const crcOf = new Map(entries.map((e) => [e.name, e.crc]));
  return Object.entries(unpacked)
    .filter(([, content]) => content.length > 0)
    .map(([path, content]) => {
      if (crc32(content) !== crcOf.get(path)) throw new DataError({ file, message: `${path} is damaged (its CRC-32 does not match): the archive is corrupt` });
      return { path, bytes: content };
    });
}
