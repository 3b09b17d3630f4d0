import { DataError } from './dataset.ts';

/** Bytes inspected for NUL characters when deciding whether a file is text at all. */
const SNIFF_BYTES = 8192;

/**
 * Turns a file's bytes into text: UTF-8 (with or without BOM) and UTF-16 LE/BE with BOM. Anything else
 * gets a specific error instead of silently garbled text: binary content, or bytes that are not UTF-8
 * (with the line and the offending byte, and the fix: save the file as UTF-8).
 */
export function decodeText(bytes: Uint8Array, file: string): string {
  if (bytes.length === 0) throw new DataError({ file, message: 'the file is empty' });
  // A UTF-32 BOM starts with the UTF-16 LE one: test it first, or the file would read as UTF-16 full of NULs.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe && bytes[2] === 0 && bytes[3] === 0) || (bytes[0] === 0 && bytes[1] === 0 && bytes[2] === 0xfe && bytes[3] === 0xff)) {
    throw new DataError({ file, message: 'is UTF-32 (its byte-order mark says so): save it as UTF-8' });
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const sniff = bytes.subarray(start, Math.min(bytes.length, start + SNIFF_BYTES));
  const nul = sniff.indexOf(0);
  if (nul >= 0) {
    // Text in UTF-16 without a BOM has a NUL in every other byte (ASCII characters): say so, not "binary".
    let evenNuls = 0;
    let oddNuls = 0;
    for (let k = 0; k < sniff.length; k++) if (sniff[k] === 0) (k % 2 === 0 ? evenNuls++ : oddNuls++);
    const half = sniff.length / 2;
    if ((oddNuls > 0.4 * half && evenNuls < 0.05 * half) || (evenNuls > 0.4 * half && oddNuls < 0.05 * half)) {
      throw new DataError({ file, message: `looks like UTF-16 ${oddNuls > evenNuls ? 'LE' : 'BE'} without a byte-order mark: save it as UTF-8 (or UTF-16 with a BOM)` });
    }
    const before = sniff.subarray(0, nul);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = nul - (before.lastIndexOf(0x0a) + 1) + 1;
    throw new DataError({ file, line, column, message: `binary content (a NUL byte at offset ${start + nul}): expected a text file (CSV, TSV or JSONL) in UTF-8` });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    const { offset, line, column } = firstInvalidUtf8(bytes, start);
    throw new DataError({
      file,
      line,
      column,
      message: `byte 0x${bytes[offset].toString(16).padStart(2, '0')} at offset ${offset} is not UTF-8: save the file as UTF-8 (or UTF-16 with a BOM)`,
    });
  }
}

/** Position of the first byte that breaks UTF-8, as offset and 1-based line/column (in characters). */
function firstInvalidUtf8(bytes: Uint8Array, start: number): { offset: number; line: number; column: number } {
  let line = 1;
  let column = 1;
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return { offset: i, line, column };
    for (let j = 1; j < length; j++) if ((bytes[i + j] & 0xc0) !== 0x80) return { offset: i, line, column };
    // Forms TextDecoder also rejects: overlong (E0 < A0, F0 < 90), UTF-16 surrogates encoded (ED ≥ A0), above U+10FFFF (F4 ≥ 90).
    const second = bytes[i + 1];
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second >= 0xa0) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second >= 0x90)) return { offset: i, line, column };
    if (b === 0x0a) {
      line++;
      column = 1;
    } else column++;
    i += length;
  }
  return { offset: start, line: 1, column: 1 };
}
