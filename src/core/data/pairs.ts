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
  const queryLabels = new Map<number, Map<string, number>>();
  const docLabels = new Map<number, Map<string, number>>();
  const qrels = new Map<string, Map<string, number>>();
  let emptyRows = 0;

  table.rows.forEach((row, r) => {
    const line = table.lines[r];
    const cells = [qc, dc, nc].filter((c) => c >= 0);
    const blank = cells.find((c) => (row[c] ?? '').trim() === '');
    if (blank !== undefined) {
      if (++emptyRows <= MAX_LISTED) {
        issues.push({ severity: 'warning', file: table.file, line, column: blank + 1, message: `empty ${table.header[blank]}: row skipped` });
      }
      return;
    }
    const q = queries.intern(row[qc]);
    const d = documents.intern(row[dc]);
    const judgments = qrels.get(queries.id(q)) ?? new Map<string, number>();
    judgments.set(documents.id(d), 1);
    qrels.set(queries.id(q), judgments);
    if (triplets) triplets.push({ query: q, positive: d, negative: documents.intern(row[nc]) });
    if (lc >= 0 && row[lc].trim() !== '') {
      const label = row[lc].trim();
      count(queryLabels, q, label);
      count(docLabels, d, label);
    }
  });
  if (emptyRows > MAX_LISTED) issues.push({ severity: 'warning', file: table.file, message: `${emptyRows} rows with an empty text skipped in all` });

  const disagreeing = [...docLabels.values()].filter((labels) => labels.size > 1).length;
  if (disagreeing) {
    issues.push({
      severity: 'warning',
      file: table.file,
      message: `${disagreeing} documents appear under several ${mapping.label} values; each takes its most frequent one (ties: the first seen)`,
    });
  }
  const withLabel = (records: TextRecord[], labels: Map<number, Map<string, number>>) =>
    records.map((record, i) => (labels.has(i) ? { ...record, label: majority(labels.get(i)!) } : record));

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

function count(map: Map<number, Map<string, number>>, key: number, label: string): void {
  const labels = map.get(key) ?? new Map<string, number>();
  labels.set(label, (labels.get(label) ?? 0) + 1);
  map.set(key, labels);
}

function majority(labels: Map<string, number>): string {
  let best = '';
  let bestCount = 0;
  for (const [label, n] of labels) {
    if (n > bestCount) {
      best = label;
      bestCount = n;
    }
  }
  return best;
}
