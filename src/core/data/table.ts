import Papa from 'papaparse';
import { DataError, type DataIssue } from './dataset.ts';

/** A parsed table: header cells, data rows, and each row's first line in the file (for messages). */
export interface Table {
  file: string;
  header: string[];
  rows: string[][];
  /** 1-based line on which each row starts (rows may span lines inside quotes). */
  lines: number[];
  delimiter: string;
}

/**
 * Parses CSV/TSV text with papaparse (RFC 4180 quoting: commas, newlines and doubled quotes inside quoted
 * fields), guessing the delimiter from the content — a tab-separated file named `.csv` is read as TSV.
 * CRLF and trailing empty lines are fine. Rows with a different number of cells than the header are
 * errors naming line and column.
 */
export function parseTable(source: string, file: string): { table: Table; issues: DataIssue[] } {
  // One line-break convention (files mixing CRLF and LF exist); line numbers are unchanged by this.
  const text = source.replace(/\r\n?/g, '\n');
  const issues: DataIssue[] = [];
  const lineStarts = lineStartOffsets(text);
  const lineOf = (offset: number) => lineAt(lineStarts, offset);
  const records: { cells: string[]; line: number }[] = [];
  const delimiter = guessDelimiter(text);
  let rowStart = 0;
  Papa.parse<string[]>(text, {
    delimiter,
    newline: '\n',
    skipEmptyLines: false,
    step: (result, parser) => {
      const row = result.data;
      // A row starts where the previous one ended (`cursor`), after that row's line break.
      while (rowStart < text.length && text[rowStart] === '\n') rowStart++;
      const line = lineOf(rowStart);
      rowStart = result.meta.cursor;
      for (const error of result.errors) {
        if (error.code === 'UndetectableDelimiter') continue;
        issues.push({ severity: 'error', file, line, message: papaMessage(error) });
      }
      records.push({ cells: row, line });
      if (issues.length > 50) parser.abort();
    },
  });
  // Blank lines (and the trailing newline) come back as one empty cell: not rows.
  const rows = records.filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === ''));
  if (rows.length === 0) throw new DataError({ file, message: 'the file has no rows' });
  const [headerRecord, ...data] = rows;
  const header = headerRecord.cells.map((h) => h.trim());
  header.forEach((name, i) => {
    if (name === '') issues.push({ severity: 'error', file, line: headerRecord.line, column: i + 1, message: `column ${i + 1} has no name in the header` });
    else if (header.indexOf(name) !== i) issues.push({ severity: 'error', file, line: headerRecord.line, column: i + 1, message: `column name "${name}" appears twice in the header` });
  });
  for (const row of data) {
    if (row.cells.length !== header.length) {
      issues.push({
        severity: 'error',
        file,
        line: row.line,
        column: Math.min(row.cells.length, header.length) + 1,
        message: `row has ${row.cells.length} cells but the header has ${header.length} (delimiter "${printable(delimiter)}")`,
      });
    }
  }
  return {
    table: { file, header, rows: data.map((r) => r.cells), lines: data.map((r) => r.line), delimiter },
    issues,
  };
}

const DELIMITERS = ['\t', ',', ';', '|'];

/**
 * The delimiter is the candidate that splits the header line most often (column names rarely contain
 * one); on a tie, the order above: tab first, as a tab in a header is never accidental.
 */
export function guessDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/)).replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const candidate of DELIMITERS) {
    const count = firstLine.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

function printable(delimiter: string): string {
  return delimiter === '\t' ? '\\t' : delimiter;
}

function papaMessage(error: Papa.ParseError): string {
  switch (error.code) {
    case 'MissingQuotes':
      return 'a quoted field is never closed (missing ")';
    case 'InvalidQuotes':
      return 'a quote inside a field that is not itself quoted';
    default:
      return error.message;
  }
}

function lineStartOffsets(text: string): Int32Array {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return Int32Array.from(starts);
}

function lineAt(starts: Int32Array, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
