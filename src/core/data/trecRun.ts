import { DocumentRowsById, rankingsFromLists, type Rankings } from './rankings.ts';
import { DataError, type DataIssue, type Dataset } from './dataset.ts';
import { decodeText } from './decodeText.ts';

/** Lines reported one by one before the rest are only counted. */
const MAX_LISTED = 20;

export interface ReadRun {
  rankings: Rankings;
  /** Results per query at most, and how many queries the run ranks. */
  depth: number;
  /** Problems that did not stop reading: unknown ids (counted, as trec_eval counts them), missing queries. */
  warnings: DataIssue[];
}

/**
 * Reads a TREC run file — `qid Q0 docid rank score tag` (trec_eval's input), or three columns
 * `qid docid score` — into rankings over `dataset`'s rows. As trec_eval does, the rank column is ignored
 * and each query's results are ordered by score (ties: by document row here, by id in TREC mode, when the
 * mode is applied); documents the corpus lacks stay in the list as retrieved and not relevant; queries the
 * dataset lacks are skipped and counted. A judged query the run does not rank scores 0 on every metric
 * (trec_eval's `-c`), so that every checkpoint is compared on the same queries. A document listed twice for
 * one query is an error, as in trec_eval.
 */
export function readTrecRun(bytes: Uint8Array, file: string, dataset: Dataset): ReadRun {
  const text = decodeText(bytes, file);
  const queryCount = dataset.queries.length;
  const lists: { doc: number; score: number; id: string }[][] = Array.from({ length: queryCount }, () => []);
  const seen: Set<string>[] = Array.from({ length: queryCount }, () => new Set());
  const documentRows = new DocumentRowsById(dataset.documents);
  const errors: DataIssue[] = [];
  let columns = 0;
  let unknownQueryLines = 0;
  let firstUnknownQuery = 0;
  let unknownDocs = 0;
  let lineNumber = 0;
  const fail = (line: number, column: number | undefined, message: string) => {
    if (errors.length < MAX_LISTED) errors.push({ severity: 'error', file, line, column, message });
  };
  const unknownQueryIds = new Set<string>();
  for (const raw of text.split(/\r\n|\n|\r/)) {
    lineNumber++;
    const line = raw.trim();
    if (line === '') continue;
    const cells = line.split(/\s+/);
    if (columns === 0) {
      if (cells.length !== 6 && cells.length !== 3) {
        throw new DataError({ file, line: lineNumber, message: `${cells.length} columns: expected a TREC run (qid Q0 docid rank score tag) or three columns (qid docid score)` });
      }
      columns = cells.length;
    }
    if (cells.length !== columns) {
      fail(lineNumber, undefined, `${cells.length} columns where the file's first line has ${columns}`);
      continue;
    }
    const [queryId, docId, scoreText] = columns === 6 ? [cells[0], cells[2], cells[4]] : cells;
    const score = Number(scoreText);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(scoreText) || !Number.isFinite(score)) {
      fail(lineNumber, columns === 6 ? 5 : 3, `score "${scoreText}" is not a number`);
      continue;
    }
    const q = dataset.queries.rowOf(queryId);
    if (q < 0) {
      unknownQueryLines++;
      if (!unknownQueryIds.has(queryId)) {
        unknownQueryIds.add(queryId);
        firstUnknownQuery ||= lineNumber;
      }
      continue;
    }
    if (seen[q].has(docId)) {
      fail(lineNumber, columns === 6 ? 3 : 2, `document "${docId}" is listed twice for query "${queryId}" (trec_eval rejects this too)`);
      continue;
    }
    seen[q].add(docId);
    const doc = documentRows.rowOf(docId);
    if (doc < 0) unknownDocs++;
    lists[q].push({ doc, score, id: docId });
  }
  if (errors.length) throw new RunFileError(errors);
  if (columns === 0) throw new DataError({ file, message: 'no results: the run file has no lines' });

  let depth = 0;
  let ranked = 0;
  for (const list of lists) {
    depth = Math.max(depth, list.length);
    if (list.length) ranked++;
    // Score descending; ties by document row, documents outside the corpus after those inside, by id.
    list.sort((a, b) => b.score - a.score || (a.doc >= 0 && b.doc >= 0 ? a.doc - b.doc : a.doc >= 0 ? -1 : b.doc >= 0 ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  const { unknownIds } = documentRows;
  const warnings: DataIssue[] = [];
  if (unknownQueryIds.size) {
    warnings.push({ severity: 'warning', file, line: firstUnknownQuery, message: `${unknownQueryLines} results for ${unknownQueryIds.size} queries the dataset does not have: skipped (first at this line)` });
  }
  if (unknownDocs) {
    warnings.push({ severity: 'warning', file, message: `${unknownDocs} results name ${unknownIds.length} documents the corpus does not have: counted as retrieved and not relevant, as trec_eval counts them` });
  }
  const unranked = queryCount - ranked;
  if (unranked) warnings.push({ severity: 'warning', file, message: `${unranked} of ${queryCount} queries have no results in the run: they score 0 (trec_eval -c)` });
  return { rankings: rankingsFromLists(lists, unknownIds), depth, warnings };
}

/** Every error of a run file (up to {@link MAX_LISTED}), the first in the message. */
export class RunFileError extends DataError {
  constructor(readonly issues: DataIssue[]) {
    super(issues[0]);
  }
}
