/**
 * Judgments of one query. Most pairs datasets judge one document per query, and a Map per query costs
 * ~150 bytes: for millions of queries that is gigabytes. A query starts as this one-entry map and becomes a
 * real Map only when a second document is judged. Being a class, it does not survive structured clone as a
 * Map: datasets stay in the worker that read them (only summaries cross to the page).
 */
export class SingleJudgment implements ReadonlyMap<string, number> {
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

/** Adds a judgment to a query's judgments, upgrading a {@link SingleJudgment} to a Map when needed. */
export function addJudgment(
  qrels: Map<string, ReadonlyMap<string, number>>,
  queryId: string,
  docId: string,
  grade: number,
): void {
  const current = qrels.get(queryId);
  if (!current) {
    qrels.set(queryId, new SingleJudgment(docId, grade));
  } else if (current instanceof Map) {
    current.set(docId, grade);
  } else if (current.has(docId)) {
    qrels.set(queryId, new SingleJudgment(docId, grade));
  } else {
    qrels.set(queryId, new Map([...current, [docId, grade]]));
  }
}
