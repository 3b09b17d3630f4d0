import { DataError, type DataIssue, type Dataset, type DocumentRecord, type TextRecord } from './dataset.ts';

/** The files of a BEIR folder, as text: `corpus.jsonl`, `queries.jsonl`, `qrels/<split>.tsv`. */
export interface BeirFiles {
  name: string;
  corpus: string;
  queries: string;
  qrels: string;
  split: string;
}

/**
 * Reads a BEIR dataset. Document text is `title + " " + text`, the convention of BEIR and of
 * sentence-transformers' evaluators. Only queries with judgments in the split are kept, as
 * InformationRetrievalEvaluator does; judgments naming unknown queries or documents are ignored and
 * counted (trec_eval ignores them too).
 */
export function parseBeir({ name, corpus, queries, qrels, split }: BeirFiles): Dataset {
  const warnings: DataIssue[] = [];
  const qrelsFile = `qrels/${split}.tsv`;
  const documents = parseJsonl(corpus, 'corpus.jsonl', (row, line): DocumentRecord => {
    const title = optionalString(row, 'title', 'corpus.jsonl', line);
    const text = optionalString(row, 'text', 'corpus.jsonl', line);
    return { id: requiredId(row, 'corpus.jsonl', line), text: title ? `${title} ${text}` : text };
  });
  const allQueries = parseJsonl(queries, 'queries.jsonl', (row, line): TextRecord => ({
    id: requiredId(row, 'queries.jsonl', line),
    text: optionalString(row, 'text', 'queries.jsonl', line),
  }));
  const docIds = uniqueIds(documents, 'corpus.jsonl');
  const queryIds = uniqueIds(allQueries, 'queries.jsonl');

  const judged = new Map<string, Map<string, number>>();
  let unknownQueries = 0;
  let unknownDocs = 0;
  lines(qrels).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const cells = raw.split('\t');
    if (line === 1 && /^query[-_ ]?id$/i.test(cells[0].trim())) return; // header
    if (cells.length < 3) {
      throw new DataError({ file: qrelsFile, line, message: `expected 3 tab-separated columns (query-id, corpus-id, score), found ${cells.length}` });
    }
    const [queryId, docId, scoreText] = cells.map((c) => c.trim());
    const score = Number(scoreText);
    if (scoreText === '' || !Number.isFinite(score)) {
      const column = cells[0].length + cells[1].length + 3;
      throw new DataError({ file: qrelsFile, line, column, message: `score "${scoreText}" is not a number` });
    }
    if (!queryIds.has(queryId)) return void unknownQueries++;
    if (!docIds.has(docId)) return void unknownDocs++;
    let judgments = judged.get(queryId);
    if (!judgments) judged.set(queryId, (judgments = new Map()));
    judgments.set(docId, score);
  });
  if (unknownQueries) warnings.push({ severity: 'warning', file: qrelsFile, message: `${unknownQueries} judgments name queries missing from queries.jsonl: ignored` });
  if (unknownDocs) warnings.push({ severity: 'warning', file: qrelsFile, message: `${unknownDocs} judgments name documents missing from corpus.jsonl: ignored` });
  if (judged.size === 0) throw new DataError({ file: qrelsFile, message: 'no usable judgments: nothing to evaluate' });

  const byId = new Map(allQueries.map((q) => [q.id, q]));
  return {
    name,
    format: `BEIR folder (split ${split}; document text = title + " " + text)`,
    queries: [...judged.keys()].map((id) => ({ id, text: byId.get(id)!.text })),
    documents: documents.map(({ id, text }) => ({ id, text })),
    qrels: judged,
    warnings,
  };
}

function lines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r?\n/);
}

/** Records with the line each came from. */
function parseJsonl<T>(text: string, file: string, read: (row: Record<string, unknown>, line: number) => T): (T & { line: number })[] {
  const out: (T & { line: number })[] = [];
  lines(text).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (error) {
      throw new DataError({ file, line, message: `not valid JSON (${(error as Error).message})` });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new DataError({ file, line, message: 'expected a JSON object per line' });
    out.push({ ...read(row as Record<string, unknown>, line), line });
  });
  return out;
}

function requiredId(row: Record<string, unknown>, file: string, line: number): string {
  const id = row._id ?? row.id;
  if (typeof id === 'number') return String(id);
  if (typeof id !== 'string' || id === '') throw new DataError({ file, line, message: 'missing "_id"' });
  return id;
}

function optionalString(row: Record<string, unknown>, key: string, file: string, line: number): string {
  const value = row[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new DataError({ file, line, message: `"${key}" must be a string` });
  return value;
}

function uniqueIds(records: (TextRecord & { line: number })[], file: string): Set<string> {
  const ids = new Set<string>();
  for (const record of records) {
    if (ids.has(record.id)) throw new DataError({ file, line: record.line, message: `duplicate id "${record.id}"` });
    ids.add(record.id);
  }
  return ids;
}
