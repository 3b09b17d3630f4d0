import type { Judgments } from './judgments.ts';
import type { TextCollection } from './textCollection.ts';

export interface TextRecord {
  id: string;
  text: string;
  /** A class or domain, when the data has one (used for slices and diagnostics). */
  label?: string;
}

/** (anchor, positive, negative) as indices into `queries` and `documents`. */
export interface Triplet {
  query: number;
  positive: number;
  negative: number;
}

/** Where in which file a problem is; line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

export interface DataIssue extends SourceLocation {
  severity: 'error' | 'warning';
  message: string;
}

/** Everything the lab evaluates: one shape whatever the user dropped in. */
export interface Dataset {
  name: string;
  /** How it was read, e.g. "BEIR folder (split test)". */
  format: string;
  queries: TextCollection;
  documents: TextCollection;
  /** Who judged what, by row into `queries` and `documents`, as the loader read it. */
  judgments: Judgments;
  /** Present when the data came as triplets: for cosine accuracy sim(a, p) > sim(a, n). */
  triplets?: Triplet[];
  /** Data rows read, for pairs and triplets files (before deduplication). */
  rowCount?: number;
  /** Of those, rows that repeat an earlier row's (query, document) pair: merged into its judgment. */
  repeatedRows?: number;
  /** The column labels came from, when there is one. */
  labelColumn?: string;
  /** Problems that did not stop loading (ignored judgments, empty texts, …). */
  warnings: DataIssue[];
}

/** A problem that makes the input unusable; the message carries file, line and column. */
export class DataError extends Error {
  constructor(readonly issue: Omit<DataIssue, 'severity'>) {
    super(formatLocation(issue) + issue.message);
    this.name = 'DataError';
  }
}

export function formatLocation({ file, line, column }: SourceLocation): string {
  return `${file}${line !== undefined ? `:${line}` : ''}${column !== undefined ? `:${column}` : ''}: `;
}

/**
 * Sizes past which a file is refused with a message instead of read: far above any real corpus, low enough
 * that reading ends in bounded time and memory (a 100 MB line, a million columns, nesting that would overflow
 * the stack).
 */
export const DATA_LIMITS = {
  /** Characters in one line (one row of a streamed CSV/TSV, or one JSON Lines record): 16 MiB. */
  lineChars: 16 * 2 ** 20,
  /** Columns in a header (or distinct keys in a JSON Lines file). */
  columns: 10_000,
  /** Levels of [ and { nesting in one JSON Lines record. */
  nesting: 1000,
} as const;

/** A limit as messages state it: "16 MiB", "10 000". */
export function describeLimit(limit: keyof typeof DATA_LIMITS): string {
  return limit === 'lineChars' ? `${DATA_LIMITS.lineChars / 2 ** 20} MiB` : DATA_LIMITS[limit].toLocaleString('en-US').replace(/,/g, ' ');
}

/** File content as a message may quote it: at most `max` characters, longer text cut with "…". */
export function excerpt(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A header as messages list it: the first names, each clipped, and how many more (never more than ~200 characters). */
export function listColumns(header: readonly string[], max = 200): string {
  let out = '';
  let shown = 0;
  for (const name of header) {
    const next = (shown ? ', ' : '') + excerpt(name, 40);
    if (out.length + next.length > max) break;
    out += next;
    shown++;
  }
  return shown < header.length ? `${out}${shown ? ', ' : ''}… ${header.length - shown} more` : out;
}

/** The first line longer than {@link DATA_LIMITS.lineChars} in `text` (1-based), or 0: one linear scan. */
export function firstOverlongLine(text: string, limit: number = DATA_LIMITS.lineChars): number {
  if (text.length <= limit) return 0;
  let line = 1;
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > limit) return line;
    start = end + 1;
  }
  return 0;
}

/** The error for a line past {@link DATA_LIMITS.lineChars}: where it starts, the limit, never the line. */
export function overlongLineError(file: string, line: number): DataError {
  return new DataError({
    file,
    line,
    message: `the line is longer than ${describeLimit('lineChars')} (the longest line or row read): reading stopped; a data file holds one record per line`,
  });
}
