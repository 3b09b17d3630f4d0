import type { Qrels } from '../metrics/judgedRun.ts';
import type { TextTable } from './textTable.ts';

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
  queries: TextTable;
  documents: TextTable;
  qrels: Qrels;
  /** Present when the data came as triplets: for cosine accuracy sim(a, p) > sim(a, n). */
  triplets?: Triplet[];
  /** Data rows read, for pairs and triplets files (before deduplication). */
  rowCount?: number;
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
