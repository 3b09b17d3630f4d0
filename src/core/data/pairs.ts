import type { ColumnMapping } from './columns.ts';
import type { DataIssue, Dataset, TextRecord, Triplet } from './dataset.ts';
import { SingleJudgment } from './judgments.ts';
import type { Table } from './table.ts';

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
 * texts, not with the file. Records and id strings are made once, at the end.
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
  private readonly firstRelevant: number[] = [];
  private readonly moreRelevant = new Map<number, Set<number>>();
  private readonly triplets: Triplet[] | undefined;
  private rows = 0;
  private emptyRows = 0;

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
        this.issues.push({ severity: 'warning', file: this.file, line, column: blank + 1, message: `empty ${this.header[blank]}: row skipped` });
      }
      return;
    }
    const q = this.queries.intern(row[qc]);
    const d = this.documents.intern(row[dc]);
    if (q === this.firstRelevant.length) this.firstRelevant.push(d);
    else if (this.firstRelevant[q] !== d) {
      let more = this.moreRelevant.get(q);
      if (!more) this.moreRelevant.set(q, (more = new Set()));
      more.add(d);
    }
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
        message: `${disagreeing} documents appear under several ${this.mapping.label} values; each takes its most frequent one (ties: the first seen)`,
      });
    }
    const queries = this.queries.records('q', this.queryLabels);
    const documents = this.documents.records('d', this.docLabels);
    const qrels = new Map<string, ReadonlyMap<string, number>>();
    this.firstRelevant.forEach((d, q) => {
      const more = this.moreRelevant.get(q);
      qrels.set(
        queries[q].id,
        more ? new Map([[documents[d].id, 1], ...[...more].map((m): [string, number] => [documents[m].id, 1])]) : new SingleJudgment(documents[d].id, 1),
      );
    });
    return {
      dataset: {
        name: this.name,
        format: this.triplets ? 'triplets (anchor, positive, negative)' : 'pairs (one row per query and relevant document)',
        queries,
        documents,
        qrels,
        triplets: this.triplets,
        rowCount: this.rows,
        labelColumn: this.mapping.label,
        warnings: [],
      },
      issues,
    };
  }
}

/** Gives each distinct text an index, in order of first appearance. */
class Interner {
  private readonly texts: string[] = [];
  private readonly index = new Map<string, number>();

  intern(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.texts.length;
      this.index.set(text, i);
      this.texts.push(text);
    }
    return i;
  }

  /** The records, with stable ids (`q1`, `d1`, …) and each one's majority label. */
  records(prefix: string, labels: LabelTally): TextRecord[] {
    return this.texts.map((text, i) => {
      const label = labels.labelOf(i);
      return label === undefined ? { id: `${prefix}${i + 1}`, text } : { id: `${prefix}${i + 1}`, text, label };
    });
  }
}

function isBlank(cell: string | undefined): boolean {
  return cell === undefined || cell.trim() === '';
}

/**
 * Labels seen per record. Most records only ever carry one label, so counts are kept only for the few that
 * get a second, different one: a Map per record would dominate the load time of a million-row file.
 */
class LabelTally {
  private readonly first: (string | undefined)[] = [];
  private readonly firstCount: number[] = [];
  private readonly mixed = new Map<number, Map<string, number>>();

  add(record: number, label: string): void {
    const first = this.first[record];
    if (first === undefined) {
      this.first[record] = label;
      this.firstCount[record] = 1;
    } else if (first === label && !this.mixed.has(record)) {
      this.firstCount[record]++;
    } else {
      let counts = this.mixed.get(record);
      if (!counts) this.mixed.set(record, (counts = new Map([[first, this.firstCount[record]]])));
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  }

  /** The most frequent label of the record (ties: the first seen). */
  labelOf(record: number): string | undefined {
    const counts = this.mixed.get(record);
    if (!counts) return this.first[record];
    let best = '';
    let bestCount = 0;
    for (const [label, n] of counts) {
      if (n > bestCount) {
        best = label;
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
