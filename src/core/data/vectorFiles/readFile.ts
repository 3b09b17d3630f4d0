/**
 * How the vector readers reach the user's files: by range, so a file is streamed into the arrays the kernels
 * use instead of held whole. The page slices a File; the CLI reads at a position of a file handle.
 */

/**
 * Reads a file the user gave: all of it, or `length` bytes from `offset` (fewer at its end). A negative
 * offset counts from the end, as parquet's and Arrow's footers are found; see {@link byteRange}.
 */
export type ReadFile = (path: string, range?: { offset: number; length: number }) => Promise<Uint8Array>;

/** The bytes `[start, end)` a range names in a file of `size` bytes (a negative offset counts from the end). */
export function byteRange(size: number, range: { offset: number; length: number }): { start: number; end: number } {
  const start = range.offset < 0 ? Math.max(0, size + range.offset) : Math.min(range.offset, size);
  return { start, end: Math.min(size, start + range.length) };
}

/** `length` bytes from `offset` (fewer at the file's end; a negative offset counts from it). */
export async function readRange(read: ReadFile, path: string, offset: number, length: number): Promise<Uint8Array> {
  const bytes = await read(path, { offset, length });
  // A reader that ignored the range would make each chunk a read of the whole file: a bug, not a slow path.
  if (bytes.length > length) throw new Error(`the reader of ${path} returned ${bytes.length} bytes for a range of ${length}`);
  return bytes;
}

/** Whether `bytes` begin with the ASCII `magic` a format opens (or closes) with: "PAR1", "ARROW1". */
export function startsWithMagic(bytes: Uint8Array, magic: string): boolean {
  return bytes.length >= magic.length && [...magic].every((c, i) => bytes[i] === c.charCodeAt(0));
}
