import { columnByName, type ColumnMapping } from './columns.ts';
import { DataError, excerpt, listColumns, type DataIssue, type Dataset, type TextRecord } from './dataset.ts';
import type { Judgments } from './judgments.ts';
import { TextCollection } from './textCollection.ts';
import type { Table } from './table.ts';

export type UnknownIdPolicy = 'ignore' | 'fail';

export interface ThreeTables {
  corpus: Table;
  queries: Table;
  qrels: Table;
}

/**
 * Corpus (id, text[, title][, label]), queries (id, text) and qrels (query id, document id, score) → Dataset.
 * Document text is `title + " " + text` when a title column exists (the BEIR / sentence-transformers
 * convention). Judgments naming unknown ids are ignored and counted (as trec_eval does), or fatal with
 * `unknownIds: 'fail'`. Only queries with judgments are kept, as sentence-transformers' evaluator does.
 */
export function buildThreeTablesDataset(
  tables: ThreeTables,
  name: string,
  format: string,
  unknownIds: UnknownIdPolicy = 'ignore',
): { dataset: Dataset; issues: DataIssue[] } {
  const issues: DataIssue[] = [];
  const { corpus, queries, qrels } = tables;

  const corpusColumns = requireColumns(corpus, { id: ['id'], text: ['text'] });
  const title = columnByName(corpus, 'title');
  const label = columnByName(corpus, 'label', new Set([corpusColumns.id!, corpusColumns.text!]));
  // Column indices found once, not per row: a row costs the same however wide the table.
  const [textColumn, titleColumn] = [corpus.header.indexOf(corpusColumns.text!), title ? corpus.header.indexOf(title) : -1];
  const documents = readRecords(corpus, corpusColumns, issues, (row) => {
    const text = row[textColumn];
    const titleText = titleColumn >= 0 ? row[titleColumn] : '';
    return titleText.trim() ? `${titleText} ${text}` : text;
  }, label);
  const queryColumns = requireColumns(queries, { id: ['id'], text: ['text'] });
  const queryText = queries.header.indexOf(queryColumns.text!);
  const queryRecords = readRecords(queries, queryColumns, issues, (row) => row[queryText]);

  const qrelColumns = requireColumns(qrels, { queryId: ['queryId', 'id'], docId: ['docId'], score: ['score'] });
  const [qi, di, si] = [qrelColumns.queryId!, qrelColumns.docId!, qrelColumns.score!].map((c) => qrels.header.indexOf(c));
  const documentTable = TextCollection.fromRecords(documents);
  const queryRecordOf = new Map(queryRecords.map((q, i) => [q.id, i]));
  // Only judged queries are kept, numbered in order of their first judgment; judgments are gathered in file
  // order and grouped by query at the end. A (query, document) pair judged again keeps its first place and
  // takes the last grade.
  const queryRowOfRecord = new Int32Array(queryRecords.length).fill(-1);
  const judgedRecords: number[] = [];
  const read = { queries: [] as number[], docs: [] as number[], grades: [] as number[] };
  const readAt = new Map<number, number>();
  const unknown = { query: 0, doc: 0, firstLine: 0 };
  const duplicates = { count: 0, first: 0 };
  qrels.rows.forEach((row, r) => {
    const line = qrels.lines[r];
    const [queryId, docId, scoreText] = [row[qi].trim(), row[di].trim(), row[si].trim()];
    // Grades are integers, as trec_eval reads them (atol: "0x10" is 0, "1e3" is 1, "2.5" is 2): anything
    // else is an error here rather than a grade trec_eval would read differently.
    if (!/^[-+]?\d+$/.test(scoreText)) {
      issues.push({ severity: 'error', file: qrels.file, line, column: si + 1, message: `score "${excerpt(scoreText)}" is not an integer: relevance grades are whole numbers (0 = not relevant)` });
      return;
    }
    const score = Number(scoreText);
    const record = queryRecordOf.get(queryId) ?? -1;
    const doc = documentTable.rowOf(docId);
    const missing = record < 0 ? 'query' : doc < 0 ? 'doc' : null;
    if (missing) {
      unknown[missing]++;
      unknown.firstLine ||= line;
      if (unknownIds === 'fail') {
        issues.push({
          severity: 'error',
          file: qrels.file,
          line,
          column: (missing === 'query' ? qi : di) + 1,
          message: `${missing === 'query' ? 'query' : 'document'} id "${excerpt(missing === 'query' ? queryId : docId)}" is not in ${missing === 'query' ? queries.file : corpus.file}`,
        });
      }
      return;
    }
    let query = queryRowOfRecord[record];
    if (query < 0) query = queryRowOfRecord[record] = judgedRecords.push(record) - 1;
    // One number per pair, exact while queries × documents < 2^53.
    const pair = query * documentTable.length + doc;
    const earlier = readAt.get(pair);
    if (earlier !== undefined) {
      duplicates.count++;
      duplicates.first ||= line;
      read.grades[earlier] = score;
      return;
    }
    readAt.set(pair, read.grades.push(score) - 1);
    read.queries.push(query);
    read.docs.push(doc);
  });
  readAt.clear();
  if (unknownIds === 'ignore' && (unknown.query || unknown.doc)) {
    issues.push({
      severity: 'warning',
      file: qrels.file,
      line: unknown.firstLine,
      message: `${unknown.query} judgments name unknown queries and ${unknown.doc} unknown documents: ignored, as trec_eval does (first at this line)`,
    });
  }
  if (duplicates.count) {
    issues.push({ severity: 'warning', file: qrels.file, line: duplicates.first, message: `${duplicates.count} (query, document) pairs are judged again further down (first at this line): the last grade given wins` });
  }
  if (judgedRecords.length === 0 && !issues.some((i) => i.severity === 'error')) {
    throw new DataError({ file: qrels.file, message: 'no judgment names a known query and document: nothing to evaluate' });
  }
  const judgments = groupByQuery(judgedRecords.length, read);
  let withoutRelevant = 0;
  for (let i = 0; i < judgedRecords.length; i++) if (!judgments.grades.subarray(judgments.offsets[i], judgments.offsets[i + 1]).some((g) => g > 0)) withoutRelevant++;
  if (withoutRelevant) {
    issues.push({ severity: 'warning', file: qrels.file, message: `${withoutRelevant} queries have no relevant document (score > 0): kept out of the averages` });
  }
  return {
    dataset: {
      name,
      format,
      queries: TextCollection.fromRecords(judgedRecords.map((record) => queryRecords[record])),
      documents: documentTable,
      judgments,
      labelColumn: label,
      warnings: [],
    },
    issues,
  };
}

/** Judgments read in file order → grouped by query row (a stable counting sort: each query's documents keep their order). */
function groupByQuery(queryCount: number, read: { queries: readonly number[]; docs: readonly number[]; grades: readonly number[] }): Judgments {
  const offsets = new Int32Array(queryCount + 1);
  for (const q of read.queries) offsets[q + 1]++;
  for (let q = 0; q < queryCount; q++) offsets[q + 1] += offsets[q];
  const next = offsets.slice(0, queryCount);
  const docs = new Int32Array(read.docs.length);
  const grades = new Float64Array(read.grades.length);
  read.queries.forEach((q, i) => {
    const at = next[q]++;
    docs[at] = read.docs[i];
    grades[at] = read.grades[i];
  });
  return { queries: Int32Array.from({ length: queryCount }, (_, q) => q), offsets, docs, grades };
}

/** Finds each required role by name; a missing one is an error naming the file and the header. */
function requireColumns(table: Table, roles: Partial<Record<keyof ColumnMapping, (keyof ColumnMapping)[]>>): ColumnMapping {
  const mapping: ColumnMapping = {};
  const taken = new Set<string>();
  for (const [role, synonymsOf] of Object.entries(roles) as [keyof ColumnMapping, (keyof ColumnMapping)[]][]) {
    const name = synonymsOf.map((r) => columnByName(table, r, taken)).find(Boolean);
    if (!name) {
      throw new DataError({
        file: table.file,
        line: 1,
        message: `no ${role === 'queryId' ? 'query id' : role === 'docId' ? 'document id' : role} column (header: ${listColumns(table.header)})`,
      });
    }
    mapping[role] = name;
    taken.add(name);
  }
  return mapping;
}

function readRecords(
  table: Table,
  columns: ColumnMapping,
  issues: DataIssue[],
  textOf: (row: string[], header: string[]) => string,
  labelColumn?: string,
): TextRecord[] {
  const ic = table.header.indexOf(columns.id!);
  const lc = labelColumn ? table.header.indexOf(labelColumn) : -1;
  const seen = new Map<string, { text: string; line: number }>();
  const records: TextRecord[] = [];
  table.rows.forEach((row, r) => {
    const line = table.lines[r];
    const id = (row[ic] ?? '').trim();
    if (id === '') {
      issues.push({ severity: 'error', file: table.file, line, column: ic + 1, message: 'empty id' });
      return;
    }
    const text = textOf(row, table.header);
    const previous = seen.get(id);
    if (previous) {
      if (previous.text !== text) {
        issues.push({ severity: 'error', file: table.file, line, column: ic + 1, message: `id "${excerpt(id)}" already used on line ${previous.line} with a different text` });
      } else {
        issues.push({ severity: 'warning', file: table.file, line, column: ic + 1, message: `id "${excerpt(id)}" repeats line ${previous.line}: duplicate skipped` });
      }
      return;
    }
    seen.set(id, { text, line });
    if (text.trim() === '') issues.push({ severity: 'warning', file: table.file, line, message: `"${excerpt(id)}" has an empty text` });
    records.push(lc >= 0 && row[lc].trim() ? { id, text, label: row[lc].trim() } : { id, text });
  });
  return records;
}
