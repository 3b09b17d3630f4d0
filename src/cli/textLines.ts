import { decodeText } from '../core/data/decodeText.ts';
import { MAX_FILE_BYTES } from '../core/data/loadDataset.ts';
import { readRegularFile } from './inputPath.ts';

/**
 * `embed --file`: one text per line, empty lines skipped. The file is checked before it is opened (a pipe or
 * device is refused, never read), at most {@link MAX_FILE_BYTES}, and decoded as `inspect` decodes data:
 * UTF-8 (BOM or not) or UTF-16 with a BOM; a byte that is not UTF-8 is an error at its line and column,
 * never U+FFFD. A line may be as long as the file: the tokenizer reads a text only as far as truncation needs.
 * Each text comes with its line number, for messages about it.
 */
export async function readTextLines(file: string): Promise<{ text: string; line: number }[]> {
  const bytes = await readRegularFile(file, 'a text file (one text per line)', MAX_FILE_BYTES);
  if (bytes.length === 0) return [];
  const lines = decodeText(bytes, file).split(/\r?\n/);
  const texts: { text: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i].trim() !== '') texts.push({ text: lines[i], line: i + 1 });
  return texts;
}
