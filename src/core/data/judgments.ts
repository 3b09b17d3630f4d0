import type { Dataset } from './dataset.ts';
import type { TextTable } from './textTable.ts';

/** Relevance judgments by id: query id → document id → grade. A grade ≤ 0 means "judged not relevant". */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * Relevance judgments by row: query `queries[i]` judged documents `docs[offsets[i] … offsets[i + 1]]` with
 * `grades` (≤ 0: judged not relevant). Queries keep the order the judgments came in.
 */
export interface Judgments {
  queries: Int32Array;
  offsets: Int32Array;
  docs: Int32Array;
  grades: Float64Array;
}

/**
 * Judgments of one query. Most pairs datasets judge one document per query, and a Map per query costs
 * ~150 bytes: for millions of queries that is gigabytes. A query starts as this one-entry map and becomes a
 * real Map only when a second document is judged. Being a class, it does not survive structured clone as a
 * Map: datasets stay in the worker that read them (only summaries cross to the page).
 */
class SingleJudgment implements ReadonlyMap<string, number> {
  readonly size = 1;

  constructor(
    private readonly doc: string,
    private readonly grade: number,
  ) {}

  get(key: string): number | undefined {
    return key === this.doc ? this.grade : undefined;
  }
  has(key: string): boolean {
    return key === this.doc;
  }
  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void): void {
    callback(this.grade, this.doc, this);
  }
  *entries(): MapIterator<[string, number]> {
    yield [this.doc, this.grade];
  }
  *keys(): MapIterator<string> {
    yield this.doc;
  }
  *values(): MapIterator<number> {
    yield this.grade;
  }
  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }
}

/**
 * The judgments of a pairs or triplets file, held by row: each query's first relevant document and, for the
 * few queries that have more, the rest, every grade 1. Reads as the usual query id → document id → grade map
 * (ids made on demand), so the metrics need not know; a million queries cost 4 bytes each, not a Map entry
 * and a judgment object.
 */
export class PairJudgments implements ReadonlyMap<string, ReadonlyMap<string, number>> {
  constructor(
    private readonly queries: TextTable,
    private readonly documents: TextTable,
    private readonly firstRelevant: Int32Array,
    private readonly moreRelevant: ReadonlyMap<number, ReadonlySet<number>>,
  ) {}

  get size(): number {
    return this.firstRelevant.length;
  }

  get(queryId: string): ReadonlyMap<string, number> | undefined {
    const row = this.queries.rowOf(queryId);
    return row < 0 ? undefined : this.judgmentsOf(row);
  }

  has(queryId: string): boolean {
    return this.queries.rowOf(queryId) >= 0;
  }

  forEach(callback: (value: ReadonlyMap<string, number>, key: string, map: ReadonlyMap<string, ReadonlyMap<string, number>>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  *entries(): MapIterator<[string, ReadonlyMap<string, number>]> {
    for (let row = 0; row < this.firstRelevant.length; row++) yield [this.queries.id(row), this.judgmentsOf(row)];
  }

  *keys(): MapIterator<string> {
    for (let row = 0; row < this.firstRelevant.length; row++) yield this.queries.id(row);
  }

  *values(): MapIterator<ReadonlyMap<string, number>> {
    for (let row = 0; row < this.firstRelevant.length; row++) yield this.judgmentsOf(row);
  }

  [Symbol.iterator](): MapIterator<[string, ReadonlyMap<string, number>]> {
    return this.entries();
  }

  /** The judgments by row, straight from the arrays (no ids made). */
  rows(): Judgments {
    const count = this.firstRelevant.length;
    const offsets = new Int32Array(count + 1);
    for (let row = 0; row < count; row++) offsets[row + 1] = offsets[row] + 1 + (this.moreRelevant.get(row)?.size ?? 0);
    const docs = new Int32Array(offsets[count]);
    for (let row = 0; row < count; row++) {
      docs[offsets[row]] = this.firstRelevant[row];
      let at = offsets[row] + 1;
      for (const doc of this.moreRelevant.get(row) ?? []) docs[at++] = doc;
    }
    return { queries: Int32Array.from({ length: count }, (_, row) => row), offsets, docs, grades: new Float64Array(docs.length).fill(1) };
  }

  private judgmentsOf(row: number): ReadonlyMap<string, number> {
    const first = this.documents.id(this.firstRelevant[row]);
    const more = this.moreRelevant.get(row);
    return more ? new Map([[first, 1], ...[...more].map((d): [string, number] => [this.documents.id(d), 1])]) : new SingleJudgment(first, 1);
  }
}

/**
 * A dataset's judgments by row, made once per comparison: the metrics, diagnostics and diffs work on rows.
 * Judgments naming an id the tables lack were dropped (and counted) when the data was read.
 */
export function judgmentRows(dataset: Dataset): Judgments {
  if (dataset.qrels instanceof PairJudgments) return dataset.qrels.rows();
  const queries: number[] = [];
  const offsets = [0];
  const docs: number[] = [];
  const grades: number[] = [];
  for (const [queryId, judged] of dataset.qrels) {
    const q = dataset.queries.rowOf(queryId);
    if (q < 0) continue;
    for (const [docId, grade] of judged) {
      const d = dataset.documents.rowOf(docId);
      if (d < 0) continue;
      docs.push(d);
      grades.push(grade);
    }
    queries.push(q);
    offsets.push(docs.length);
  }
  return { queries: Int32Array.from(queries), offsets: Int32Array.from(offsets), docs: Int32Array.from(docs), grades: Float64Array.from(grades) };
}
