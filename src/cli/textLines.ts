import { DataError } from '../core/data/dataset.ts';
import { decodeText } from '../core/data/decodeText.ts';
import { MAX_FILE_BYTES } from '../core/data/loadDataset.ts';
import { readRegularFile } from './inputPath.ts';

/**
 * The longest text line `embed --file` takes, in characters (UTF-16 code units). A model reads at most
 * max_seq_length tokens of a text (a few hundred; a word piece is at most ~100 characters), so a longer
 * line is a file that is not one text per line; refusing it keeps memory bounded.
 */
export const MAX_LINE_CHARS = 1_000_000;

/**
 * `embed --file`: one text per line, empty lines skipped. The file is checked before it is opened (a pipe or
 * device is refused, never read), at most {@link MAX_FILE_BYTES}, and decoded as `inspect` decodes data:
 * UTF-8 (BOM or not) or UTF-16 with a BOM; a byte that is not UTF-8 is an error at its line and column,
 * never U+FFFD. A line over {@link MAX_LINE_CHARS} is an error naming its line and length, never echoing it.
 */
export async function readTextLines(file: string): Promise<string[]> {
  const bytes = await readRegularFile(file, 'a text file (one text per line)', MAX_FILE_BYTES);
  if (bytes.length === 0) return [];
  const lines = decodeText(bytes, file).split(/\r?\n/);
  const texts: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > MAX_LINE_CHARS) {
      throw new DataError({ file, line: i + 1, message: `the line is ${line.length} characters long, more than the ${MAX_LINE_CHARS} a text may have (embed --file reads one text per line)` });
    }
    if (line.trim() !== '') texts.push(line);
  }
  return texts;
}
