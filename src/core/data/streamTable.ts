import Papa from 'papaparse';
import { DATA_LIMITS, DataError, describeLimit, type DataIssue } from './dataset.ts';
import { decodeText } from './decodeText.ts';
import { characterColumn, guessDelimiter, papaMessage, TableAssembler, type RowSink, type Table } from './table.ts';

/** Files above this size are parsed as a stream rather than decoded into one string first. */
export const STREAM_THRESHOLD_BYTES = 32 * 1024 * 1024;

/** Whether a lone file is parsed as a stream: a CSV/TSV table too large to hold as one string comfortably. */
export function shouldStream(path: string, size: number): boolean {
  return size > STREAM_THRESHOLD_BYTES && /\.(csv|tsv|txt)$/i.test(path);
}

/** The text encoding a stream must be decoded with, read from the BOM. */
export type StreamEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/**
 * Checks the first bytes of a large file before streaming it: binary content and undecodable bytes are
 * reported as they would be for a small file, and the BOM picks the encoding.
 */
export function inspectHead(head: Uint8Array, file: string): { encoding: StreamEncoding; delimiter: string } {
  const encoding: StreamEncoding = head[0] === 0xff && head[1] === 0xfe ? 'utf-16le' : head[0] === 0xfe && head[1] === 0xff ? 'utf-16be' : 'utf-8';
  // Cut at the last line break so a multi-byte character split by the slice is not mistaken for bad bytes.
  const lastBreak = head.lastIndexOf(0x0a);
  const text = decodeText(encoding === 'utf-8' && lastBreak > 0 ? head.subarray(0, lastBreak + 1) : head, file);
  return { encoding, delimiter: guessDelimiter(text) };
}

export interface StreamProgress {
  /** Characters parsed so far (≈ bytes for mostly-ASCII text). */
  parsed: number;
  rows: number;
}

/**
 * Lets the caller stop holding rows: once `sampleRows` rows are in, `onSample` sees them (with the header)
 * and may return a sink that takes every row from then on.
 */
export interface StreamHandOver {
  sampleRows: number;
  onSample(sample: Table): RowSink | null;
}

/**
 * Parses a CSV/TSV source chunk by chunk with papaparse — a browser `File` in a worker, or a Node stream
 * already decoded to text — so only the rows, never a second full copy of the text, are held. Same
 * checks and line numbers as {@link parseTable}.
 */
export function streamTable(
  source: Papa.LocalFile,
  file: string,
  delimiter: string,
  options: { encoding?: StreamEncoding; onProgress?: (progress: StreamProgress) => void; handOver?: StreamHandOver } = {},
): Promise<{ table: Table; issues: DataIssue[] }> {
  const assembler = new TableAssembler(file, delimiter);
  const { handOver } = options;
  let offered = false;
  let rows = 0;
  let replacementReported = false;
  const chunkSize = 4 * 1024 * 1024;
  // Characters handed to papaparse so far. papaparse parses a row that straddles chunks again with every
  // chunk, so a 100 MB line was parsed thousands of times over (a hang): a row still open past the limit
  // stops reading. A Node stream is counted as it flows (this listener runs before papaparse's); a browser
  // File is read in chunks of `chunkSize` bytes.
  let fed = 0;
  let chunks = 0;
  const node = typeof (source as { on?: unknown }).on === 'function' ? (source as unknown as NodeJS.ReadableStream & { destroy?: () => void }) : null;
  node?.on('data', (piece: string | Uint8Array) => {
    fed += piece.length;
  });
  return new Promise((resolve, reject) => {
    Papa.parse<string[]>(source, {
      delimiter,
      encoding: options.encoding,
      chunkSize,
      skipEmptyLines: false,
      chunk: (results, parser) => {
        chunks++;
        // The first line of each row of this chunk: papaparse reports its errors by row index in the chunk.
        const rowLines: number[] = [];
        for (const cells of results.data) {
          const fine = assembler.add(cells);
          rowLines.push(assembler.currentLine);
          // A stream decoder turns bytes that are not UTF-8 into U+FFFD instead of failing: the same error as a small file's, located.
          const replaced = characterColumn(cells, '\uFFFD', delimiter);
          if (replaced && !replacementReported) {
            replacementReported = true;
            assembler.issues.push({ severity: 'error', file, line: replaced.line(assembler.currentLine), column: replaced.column, message: 'a byte (read as �) is not UTF-8: save the file as UTF-8 (or UTF-16 with a BOM)' });
          }
          if (!fine) {
            parser.abort();
            break;
          }
          if (handOver && !offered && assembler.rowCount >= handOver.sampleRows) {
            offered = true;
            const sink = handOver.onSample(assembler.sample());
            if (sink) assembler.handOver(sink);
          }
        }
        for (const error of results.errors) assembler.parserError(papaMessage(error), error.row !== undefined ? rowLines[error.row] : undefined);
        rows += results.data.length;
        options.onProgress?.({ parsed: results.meta.cursor, rows });
        const open = (node ? fed : chunks * chunkSize) - results.meta.cursor;
        if (open > DATA_LIMITS.lineChars && !assembler.isStopped) {
          assembler.stop(
            assembler.pendingLine,
            `a row is longer than ${describeLimit('lineChars')} (the longest line or row read): reading stopped; a data file holds one record per line (or the file has an unclosed quote)`,
          );
          parser.abort();
          node?.destroy?.();
        }
      },
      complete: () => {
        try {
          resolve(assembler.finish());
        } catch (error) {
          reject(error);
        }
      },
      error: (error: Error) => reject(new DataError({ file, message: `could not be read (${error.message})` })),
    } as Papa.ParseLocalConfig<string[], Papa.LocalFile>);
  });
}

