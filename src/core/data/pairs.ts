import type { ColumnMapping } from './columns.ts';
import { excerpt, type DataIssue, type Dataset, type Triplet } from './dataset.ts';
import type { Judgments } from './judgments.ts';
import type { Table } from './table.ts';
import { TextCollection } from './textCollection.ts';

/** Most empty-text rows listed one by one; the rest are counted. */
const MAX_LISTED = 20;

/**
 * Pairs (query, relevant document[, label]) or triplets (+ negative) → Dataset. Documents and queries are
 * deduplicated by exact text: a question asked in several rows is one query with several relevant
 * documents. A document's label is the most frequent label of its rows (ties: the first seen), and the
 * disagreement is reported. Rows with an empty query or document are skipped with a warning.
 */
export function buildPairsDataset(table: Table, mapping: ColumnMapping, name: string): { dataset: Dataset; issues: DataIssue[] } {
  const builder = new PairsBuilder(table.file, table.header, mapping, name);
  table.rows.forEach((row, r) => builder.add(row, table.lines[r]));
  return builder.finish();
}

/**
 * The same, one row at a time, so a streamed file never needs its rows held: memory grows with the distinct
 * texts, not with the file. The result is columnar: texts, label codes, judgments as row indices; ids are
 * implicit (`q1`, `d1`, …).
 */
export class PairsBuilder {
  private readonly issues: DataIssue[] = [];
  private readonly columns: { query: number; document: number; negative: number; label: number };
  private readonly textColumns: number[];
  private readonly queries = new Interner();
  private readonly documents = new Interner();
  private readonly queryLabels = new LabelTally();
  private readonly docLabels = new LabelTally();
  /** First relevant document of each query, and the further ones of the few queries that have more. */
  private readonly firstRelevant = new IntColumn();
  private readonly moreRelevant = new Map<number, Set<number>>();
  private readonly triplets: Triplet[] | undefined;
  private rows = 0;
  private emptyRows = 0;
  /** Rows whose (query, document) pair an earlier row already gave: one judgment, however many rows. */
  private repeatedRows = 0;

  constructor(
    private readonly file: string,
    private readonly header: readonly string[],
    private readonly mapping: ColumnMapping,
    private readonly name: string,
  ) {
    const column = (role: keyof ColumnMapping) => (mapping[role] === undefined ? -1 : header.indexOf(mapping[role]!));
    this.columns = { query: column('query'), document: column('document'), negative: column('negative'), label: column('label') };
    this.textColumns = [this.columns.query, this.columns.document, this.columns.negative].filter((c) => c >= 0);
    this.triplets = this.columns.negative >= 0 ? [] : undefined;
  }

  add(row: readonly string[], line: number): void {
    this.rows++;
    const { query: qc, document: dc, negative: nc, label: lc } = this.columns;
    const blank = this.textColumns.find((c) => isBlank(row[c]));
    if (blank !== undefined) {
      if (++this.emptyRows <= MAX_LISTED) {
        this.issues.push({ severity: 'warning', file: this.file, line, column: blank + 1, message: `empty ${excerpt(this.header[blank], 40)}: row skipped` });
      }
      return;
    }
    const q = this.queries.intern(row[qc]);
    const d = this.documents.intern(row[dc]);
    if (q === this.firstRelevant.length) this.firstRelevant.set(q, d);
    else if (this.firstRelevant.get(q) !== d) {
      let more = this.moreRelevant.get(q);
      if (!more) this.moreRelevant.set(q, (more = new Set()));
      if (more.has(d)) this.repeatedRows++;
      else more.add(d);
    } else this.repeatedRows++;
    if (this.triplets) this.triplets.push({ query: q, positive: d, negative: this.documents.intern(row[nc]) });
    if (lc >= 0) {
      const label = row[lc].trim();
      if (label !== '') {
        this.queryLabels.add(q, label);
        this.docLabels.add(d, label);
      }
    }
  }

  finish(): { dataset: Dataset; issues: DataIssue[] } {
    const issues = [...this.issues];
    if (this.emptyRows > MAX_LISTED) issues.push({ severity: 'warning', file: this.file, message: `${this.emptyRows} rows with an empty text skipped in all` });
    const disagreeing = this.docLabels.conflicts();
    if (disagreeing) {
      issues.push({
        severity: 'warning',
        file: this.file,
        message: `${disagreeing === 1 ? '1 document appears' : `${disagreeing} documents appear`} under several ${excerpt(this.mapping.label ?? '', 40)} values; each takes its most frequent one (ties: the first seen)`,
      });
    }
    const queries = this.queries.table('q', this.queryLabels);
    const documents = this.documents.table('d', this.docLabels);
    const judgments = this.judgments();
    return {
      dataset: {
        name: this.name,
        format: this.triplets ? 'triplets (anchor, positive, negative)' : 'pairs (one row per query and relevant document)',
        queries,
        documents,
        judgments,
        triplets: this.triplets,
        rowCount: this.rows,
        repeatedRows: this.repeatedRows,
        labelColumn: this.mapping.label,
        warnings: [],
      },
      issues,
    };
  }

  /**
   * The judgments by row, every grade 1: query rows in order, each query's first relevant document and then
   * its further ones in the order they were read.
   */
  private judgments(): Judgments {
    const firstRelevant = this.firstRelevant.values();
    const count = firstRelevant.length;
    const offsets = new Int32Array(count + 1);
    for (let row = 0; row < count; row++) offsets[row + 1] = offsets[row] + 1 + (this.moreRelevant.get(row)?.size ?? 0);
    const docs = new Int32Array(offsets[count]);
    for (let row = 0; row < count; row++) {
      docs[offsets[row]] = firstRelevant[row];
      let at = offsets[row] + 1;
      for (const doc of this.moreRelevant.get(row) ?? []) docs[at++] = doc;
    }
    return { queries: Int32Array.from({ length: count }, (_, row) => row), offsets, docs, grades: new Float64Array(docs.length).fill(1) };
  }
}

/** Gives each distinct text an index, in order of first appearance. */
class Interner {
  private readonly texts: string[] = [];
  private index = new Map<string, number>();

  intern(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.texts.length;
      const own = detach(text);
      this.index.set(own, i);
      this.texts.push(own);
    }
    return i;
  }

  /**
   * The texts as a table with ids `${prefix}1`, `${prefix}2`, … and each one's majority label. The last call:
   * it drops the lookup table first, so the lookup and the table are never held at once.
   */
  table(prefix: string, labels: LabelTally): TextCollection {
    this.index = new Map();
    return TextCollection.numbered(prefix, this.texts, labels.names, (row) => labels.codeOf(row));
  }
}

/**
 * A copy of `text` that does not keep the parser's chunk alive. V8 makes a substring of 13 or more characters
 * a view into its parent string, and papaparse's cells are substrings of the chunk being parsed: one kept
 * cell would keep its whole chunk, so a file of repeated texts would stay in memory whole. A JSON round trip
 * is the cheapest way found to get a flat copy: on a 500 MB file it held 32 bytes a text less than
 * concatenating and slicing (which still leaves a view, into the concatenation) at the same throughput.
 */
function detach(text: string): string {
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

function isBlank(cell: string | undefined): boolean {
  return cell === undefined || cell.trim() === '';
}

/**
 * Labels seen per record, as codes (1 + index into `names`). Most records only ever carry one label, so
 * counts are kept only for the few that get a second, different one: a Map per record would dominate the load
 * time of a million-row file.
 */
class LabelTally {
  /** Distinct labels in order of first appearance; one string each, however many rows carry it. */
  readonly names: string[] = [];
  private readonly codes = new Map<string, number>();
  /** Code of each record's first label (0: none yet) and how many rows carried it. */
  private readonly first = new IntColumn();
  private readonly firstCount = new IntColumn();
  private readonly mixed = new Map<number, Map<number, number>>();

  add(record: number, label: string): void {
    let code = this.codes.get(label);
    if (code === undefined) {
      this.names.push(detach(label));
      this.codes.set(this.names[this.names.length - 1], (code = this.names.length));
    }
    const first = this.first.get(record);
    if (first === 0) {
      this.first.set(record, code);
      this.firstCount.set(record, 1);
    } else if (first === code && !this.mixed.has(record)) {
      this.firstCount.set(record, this.firstCount.get(record) + 1);
    } else {
      let counts = this.mixed.get(record);
      if (!counts) this.mixed.set(record, (counts = new Map([[first, this.firstCount.get(record)]])));
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
  }

  /** The code of the record's most frequent label (ties: the first seen); 0 when it has none. */
  codeOf(record: number): number {
    const counts = this.mixed.get(record);
    if (!counts) return this.first.get(record);
    let best = 0;
    let bestCount = 0;
    for (const [code, n] of counts) {
      if (n > bestCount) {
        best = code;
        bestCount = n;
      }
    }
    return best;
  }

  /** Records that carried more than one distinct label. */
  conflicts(): number {
    return this.mixed.size;
  }
}

/**
 * A growing column of 32-bit integers, 0 where never set: 4 bytes a row where a JS array of numbers takes 8,
 * which matters at millions of rows.
 */
class IntColumn {
  private data = new Int32Array(1024);
  /** One past the highest row set. */
  length = 0;

  get(row: number): number {
    return row < this.length ? this.data[row] : 0;
  }

  set(row: number, value: number): void {
    if (row >= this.data.length) {
      const grown = new Int32Array(Math.max(row + 1, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[row] = value;
    if (row >= this.length) this.length = row + 1;
  }

  /** The rows set so far, as an exact-size copy. */
  values(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
