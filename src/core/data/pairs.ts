import type { ColumnMapping } from './columns.ts';
import type { DataIssue, Dataset, TextRecord, Triplet } from './dataset.ts';
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
  const issues: DataIssue[] = [];
  const column = (role: keyof ColumnMapping) => (mapping[role] === undefined ? -1 : table.header.indexOf(mapping[role]!));
  const [qc, dc, nc, lc] = [column('query'), column('document'), column('negative'), column('label')];
  const triplets: Triplet[] | undefined = nc >= 0 ? [] : undefined;
  const queries = new Interner('q');
  const documents = new Interner('d');
  const queryLabels = new LabelTally();
  const docLabels = new LabelTally();
  const qrels = new Map<string, Map<string, number>>();
  const textColumns = [qc, dc, nc].filter((c) => c >= 0);
  let emptyRows = 0;

  for (let r = 0; r < table.rows.length; r++) {
    const row = table.rows[r];
    const blank = textColumns.find((c) => isBlank(row[c]));
    if (blank !== undefined) {
      if (++emptyRows <= MAX_LISTED) {
        issues.push({ severity: 'warning', file: table.file, line: table.lines[r], column: blank + 1, message: `empty ${table.header[blank]}: row skipped` });
      }
      continue;
    }
    const q = queries.intern(row[qc]);
    const d = documents.intern(row[dc]);
    const queryId = queries.id(q);
    let judgments = qrels.get(queryId);
    if (!judgments) qrels.set(queryId, (judgments = new Map()));
    judgments.set(documents.id(d), 1);
    if (triplets) triplets.push({ query: q, positive: d, negative: documents.intern(row[nc]) });
    if (lc >= 0) {
      const label = row[lc].trim();
      if (label !== '') {
        queryLabels.add(q, label);
        docLabels.add(d, label);
      }
    }
  }
  if (emptyRows > MAX_LISTED) issues.push({ severity: 'warning', file: table.file, message: `${emptyRows} rows with an empty text skipped in all` });

  const disagreeing = docLabels.conflicts();
  if (disagreeing) {
    issues.push({
      severity: 'warning',
      file: table.file,
      message: `${disagreeing} documents appear under several ${mapping.label} values; each takes its most frequent one (ties: the first seen)`,
    });
  }
  const withLabel = (records: TextRecord[], labels: LabelTally) =>
    records.map((record, i) => {
      const label = labels.labelOf(i);
      return label === undefined ? record : { ...record, label };
    });

  return {
    dataset: {
      name,
      format: triplets ? 'triplets (anchor, positive, negative)' : `pairs (one row per query and relevant document)`,
      queries: withLabel(queries.records, queryLabels),
      documents: withLabel(documents.records, docLabels),
      qrels,
      triplets,
      rowCount: table.rows.length,
      labelColumn: mapping.label,
      warnings: [],
    },
    issues,
  };
}

/** Gives each distinct text an index and a stable id (`q1`, `d1`, … in order of first appearance). */
class Interner {
  readonly records: TextRecord[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly prefix: string) {}

  intern(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.records.length;
      this.index.set(text, i);
      this.records.push({ id: `${this.prefix}${i + 1}`, text });
    }
    return i;
  }

  id(i: number): string {
    return this.records[i].id;
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
