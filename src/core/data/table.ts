import Papa from 'papaparse';
import { DATA_LIMITS, DataError, describeLimit, excerpt, firstOverlongLine, overlongLineError, type DataIssue } from './dataset.ts';

/** A parsed table: header cells, data rows, and each row's first line in the file (for messages). */
export interface Table {
  file: string;
  header: string[];
  rows: string[][];
  /** 1-based line on which each row starts (rows may span lines inside quotes). */
  lines: number[];
  delimiter: string;
}

/** Most row-level errors collected before parsing stops: beyond that, the file is simply not a table. */
const MAX_ROW_ERRORS = 50;

/** Receives data rows once a streamed table has handed them over (see {@link TableAssembler.handOver}). */
export type RowSink = (cells: string[], line: number) => void;

/**
 * Builds a {@link Table} from rows as a parser delivers them, whole string or stream alike: tracks line
 * numbers (a row spans one line plus its quoted line breaks), skips blank lines, and checks the header and
 * every row's cell count. `add` returns false once so many rows are broken that reading should stop.
 */
export class TableAssembler {
  private header: string[] | null = null;
  private sink: RowSink | null = null;
  private headerLine = 0;
  private readonly rows: string[][] = [];
  private readonly lines: number[] = [];
  readonly issues: DataIssue[] = [];
  private nextLine = 1;
  /** First line of the last row added: where a parser error on it is reported, hand-over or not. */
  private lastLine = 0;
  /** Errors beyond {@link MAX_ROW_ERRORS}, counted instead of listed (a header can hold thousands). */
  private unlisted = 0;
  /** Columns a row may have: the header's, less trailing unnamed ones (an Excel export's empty columns). */
  private width = 0;
  /** Set when the input is past a limit (too many columns): nothing more is read. */
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly delimiter: string,
  ) {}

  add(cells: string[]): boolean {
    if (this.stopped) return false;
    const line = this.nextLine;
    this.lastLine = line;
    for (const cell of cells) for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) this.nextLine++;
    this.nextLine++;
    if (cells.length === 1 && cells[0].trim() === '') return true; // a blank line
    if (!this.header) {
      if (cells.length > DATA_LIMITS.columns) {
        this.header = [];
        this.headerLine = line;
        this.stopped = true;
        this.issues.push({ severity: 'error', file: this.file, line, message: `the header has ${cells.length} columns, more than the ${describeLimit('columns')} a table may have (delimiter "${printable(this.delimiter)}")` });
        return false;
      }
      const names = cells.map((h) => h.trim());
      // Trailing unnamed columns (an Excel export's empty ones) are dropped, as pandas keeps them as "Unnamed".
      this.width = names.length;
      while (this.width > 1 && names[this.width - 1] === '') this.width--;
      if (this.width < names.length) {
        this.issues.push({ severity: 'warning', file: this.file, line, message: `${names.length - this.width} trailing columns without a name (as an Excel export leaves them) ignored` });
      }
      this.header = names.slice(0, this.width);
      this.headerLine = line;
      // One pass with a set: an indexOf per column made a header of 200 000 columns take a minute.
      const seen = new Set<string>();
      this.header.forEach((name, i) => {
        if (name === '') this.error(line, i + 1, `column ${i + 1} has no name in the header`);
        else if (seen.has(name)) this.error(line, i + 1, `column name "${excerpt(name, 40)}" appears twice in the header`);
        else seen.add(name);
      });
      const dataLike = this.header.find((name) => name.length > 40 || /[?!]|\.\s|\.$/.test(name));
      if (dataLike !== undefined) {
        this.issues.push({
          severity: 'warning',
          file: this.file,
          line,
          message: `the first line reads like data, not column names ("${dataLike.slice(0, 40)}${dataLike.length > 40 ? '…' : ''}"): it was taken as the header; if the file has none, add one (e.g. query,document)`,
        });
      }
      return true;
    }
    // A NUL byte past the sniffed head: binary content, or an encoding the decoder did not see.
    const nul = characterColumn(cells, '\u0000', this.delimiter);
    if (nul) this.error(nul.line(line), nul.column, 'binary content (a NUL byte): expected a text file (CSV, TSV or JSONL) in UTF-8');
    // Cells past the header's width that are all empty are what those trailing unnamed columns left.
    if (cells.length > this.header.length && cells.slice(this.header.length).every((c) => c.trim() === '')) cells = cells.slice(0, this.header.length);
    if (cells.length !== this.header.length) {
      this.error(
        line,
        Math.min(cells.length, this.header.length) + 1,
        `row has ${cells.length} cells but the header has ${this.header.length} (delimiter "${printable(this.delimiter)}")`,
      );
    }
    if (this.sink) this.sink(cells, line);
    else {
      this.rows.push(cells);
      this.lines.push(line);
    }
    return this.unlisted === 0 && !this.stopped;
  }

  /** Line on which the next row starts: where a row still being read begins. */
  get pendingLine(): number {
    return this.nextLine;
  }

  /** Stops reading with an error at `line` (a row past a limit). */
  stop(line: number, message: string): void {
    this.stopped = true;
    this.issues.push({ severity: 'error', file: this.file, line, message });
  }

  /** Whether reading was stopped by a limit. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Rows held so far (before any hand-over). */
  get rowCount(): number {
    return this.rows.length;
  }

  /** The header and the rows held so far, as a table: what column detection looks at. */
  sample(): Table {
    return { file: this.file, header: this.header ?? [], rows: this.rows, lines: this.lines, delimiter: this.delimiter };
  }

  /**
   * From now on, rows go to `sink` instead of being held; the rows held so far are passed to it first and
   * dropped, so a streamed file's memory is what the sink keeps, not the file.
   */
  handOver(sink: RowSink): void {
    this.rows.forEach((cells, i) => sink(cells, this.lines[i]));
    this.rows.length = 0;
    this.lines.length = 0;
    this.sink = sink;
  }

  /** First line of the row added last. */
  get currentLine(): number {
    return this.lastLine;
  }

  /** A parser-level problem (an unclosed quote) on the row at `line` (default: the row just added). */
  parserError(message: string, line = this.lastLine || this.headerLine): void {
    this.error(line, undefined, message);
  }

  finish(): { table: Table; issues: DataIssue[] } {
    if (!this.header && !this.stopped) throw new DataError({ file: this.file, message: 'the file has no rows' });
    if (this.unlisted && !this.stopped) {
      this.issues.push({ severity: 'error', file: this.file, line: this.lastLine, message: `more errors after the first ${MAX_ROW_ERRORS} (${this.unlisted} seen, not listed): reading stopped at this line` });
    }
    return {
      table: { file: this.file, header: this.header ?? [], rows: this.rows, lines: this.lines, delimiter: this.delimiter },
      issues: this.issues,
    };
  }

  private error(line: number, column: number | undefined, message: string): void {
    if (this.issues.filter((i) => i.severity === 'error').length >= MAX_ROW_ERRORS) {
      this.unlisted++;
      return;
    }
    this.issues.push(column === undefined ? { severity: 'error', file: this.file, line, message } : { severity: 'error', file: this.file, line, column, message });
  }
}

/**
 * Parses CSV/TSV text with papaparse (RFC 4180 quoting: commas, newlines and doubled quotes inside quoted
 * fields). The delimiter is guessed from the header line — a tab-separated file named `.csv` is read as
 * TSV. CRLF, mixed line endings and trailing empty lines are fine.
 */
export function parseTable(source: string, file: string): { table: Table; issues: DataIssue[] } {
  // One line-break convention (files mixing CRLF and LF exist); line numbers are unchanged by this.
  const text = source.replace(/\r\n?/g, '\n');
  // Before papaparse: a 100 MB line would become a row of millions of cells first.
  const overlong = firstOverlongLine(text);
  if (overlong) throw overlongLineError(file, overlong);
  const delimiter = guessDelimiter(text);
  const assembler = new TableAssembler(file, delimiter);
  Papa.parse<string[]>(text, {
    delimiter,
    newline: '\n',
    skipEmptyLines: false,
    step: (result, parser) => {
      if (!assembler.add(result.data)) parser.abort();
      for (const error of result.errors) assembler.parserError(papaMessage(error));
    },
  });
  return assembler.finish();
}

const DELIMITERS = ['\t', ',', ';', '|'];

/**
 * The delimiter is the candidate that splits the header line most often (column names rarely contain
 * one); on a tie, the order above: tab first, as a tab in a header is never accidental.
 */
export function guessDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const firstLine = text.slice(0, end < 0 ? text.length : end).replace(/"[^"]*"/g, '');
  let best = ',';
  let bestCount = 0;
  for (const candidate of DELIMITERS) {
    // Counted, not split: a line of millions of delimiters would be an array of millions of strings.
    let count = 0;
    for (let i = firstLine.indexOf(candidate); i >= 0; i = firstLine.indexOf(candidate, i + 1)) count++;
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

export function papaMessage(error: Papa.ParseError): string {
  switch (error.code) {
    case 'MissingQuotes':
      return 'a quoted field is never closed (missing ")';
    case 'InvalidQuotes':
      return 'a quote inside a field that is not itself quoted';
    default:
      return error.message;
  }
}

/**
 * Where `character` first occurs in a row, as the small-file path counts it: the line (a quoted cell may
 * span several) and the column in characters on that line — exact for unquoted cells, the common case.
 */
export function characterColumn(cells: readonly string[], character: string, delimiter: string): { line: (first: number) => number; column: number } | null {
  const cell = cells.findIndex((c) => c.includes(character));
  if (cell < 0) return null;
  const before = cells.slice(0, cell).join(delimiter.length === 1 ? delimiter : ',') + (cell > 0 ? ' ' : '');
  const text = before + cells[cell].slice(0, cells[cell].indexOf(character));
  const lineBreaks = text.split('\n').length - 1;
  const lastLine = text.slice(text.lastIndexOf('\n') + 1);
  return { line: (first) => first + lineBreaks, column: lastLine.length + 1 };
}
