import type { Table } from './table.ts';

/** What a column means to the lab. */
export type ColumnRole =
  | 'query'
  | 'document'
  | 'negative'
  | 'label'
  | 'id'
  | 'text'
  | 'title'
  | 'queryId'
  | 'docId'
  | 'score';

/** Role → column name, as detected or as the user set it. */
export type ColumnMapping = Partial<Record<ColumnRole, string>>;

/** Column names people use for each role (compared lower-case, without spaces, dashes and underscores). */
const SYNONYMS: Record<ColumnRole, string[]> = {
  query: ['query', 'question', 'anchor', 'claim', 'prompt', 'sentence1', 'text1', 'querytext', 'search', 'q'],
  document: ['document', 'answer', 'positive', 'passage', 'context', 'doc', 'response', 'sentence2', 'text2', 'abstract', 'pos', 'content'],
  negative: ['negative', 'hardnegative', 'neg', 'negativepassage'],
  label: ['label', 'class', 'category', 'domain', 'topic', 'intent', 'tag', 'group'],
  id: ['id', 'docid', 'corpusid', 'pid', 'qid', 'queryid'],
  text: ['text', 'body', 'contents', 'content', 'passage', 'document', 'query', 'question'],
  title: ['title', 'heading'],
  queryId: ['queryid', 'qid', 'query'],
  docId: ['docid', 'corpusid', 'pid', 'documentid', 'doc', 'corpus'],
  score: ['score', 'relevance', 'rel', 'grade', 'label', 'judgment'],
};

const normalise = (name: string) => name.toLowerCase().replace(/[\s_\-.]/g, '');

/** Every column whose name means `role`, in synonym order. */
export function columnsByName(table: Table, role: ColumnRole): string[] {
  return SYNONYMS[role].flatMap((synonym) => table.header.filter((h) => normalise(h) === synonym));
}

/** The column whose name means `role`, first synonym first; `taken` columns are skipped. */
export function columnByName(table: Table, role: ColumnRole, taken: ReadonlySet<string> = new Set()): string | undefined {
  for (const synonym of SYNONYMS[role]) {
    const match = table.header.find((h) => !taken.has(h) && normalise(h) === synonym);
    if (match) return match;
  }
  return undefined;
}

/** Per-column content statistics used when names say nothing. */
export interface ColumnProfile {
  name: string;
  meanLength: number;
  distinct: number;
  empty: number;
  /** Rows the profile was computed on (the first {@link PROFILE_ROWS}). */
  sampled: number;
}

/** Rows looked at to profile columns: enough to tell text from categories, cheap on a million rows. */
const PROFILE_ROWS = 5000;

function profileColumns(table: Table): ColumnProfile[] {
  const sample = table.rows.length > PROFILE_ROWS ? table.rows.slice(0, PROFILE_ROWS) : table.rows;
  return table.header.map((name, c) => {
    const values = new Set<string>();
    let length = 0;
    let empty = 0;
    for (const row of sample) {
      const cell = row[c] ?? '';
      values.add(cell);
      length += cell.length;
      if (cell.trim() === '') empty++;
    }
    return { name, meanLength: sample.length ? length / sample.length : 0, distinct: values.size, empty, sampled: sample.length };
  });
}

/**
 * Pairs/triplets mapping: by name first, then by content — the two longest free-text columns become query
 * (the shorter on average) and document, and a column with few distinct values becomes the label.
 */
export function detectPairColumns(table: Table): ColumnMapping {
  const taken = new Set<string>();
  const take = (role: ColumnRole) => {
    const name = columnByName(table, role, taken);
    if (name) taken.add(name);
    return name;
  };
  const mapping: ColumnMapping = {};
  mapping.query = take('query');
  mapping.document = take('document');
  mapping.negative = take('negative');
  mapping.label = take('label');

  const profiles = profileColumns(table).filter((p) => !taken.has(p.name));
  const rows = Math.max(1, profiles[0]?.sampled ?? 0);
  const textual = profiles.filter((p) => p.meanLength >= 8 && p.distinct > Math.min(20, rows / 2)).sort((a, b) => b.meanLength - a.meanLength);
  if (!mapping.document && textual.length) taken.add((mapping.document = textual.shift()!.name));
  if (!mapping.query && textual.length) taken.add((mapping.query = textual.pop()!.name));
  if (!mapping.label) {
    const categorical = profiles.find((p) => !taken.has(p.name) && p.distinct >= 2 && p.distinct <= Math.max(2, Math.min(100, rows / 5)));
    if (categorical) mapping.label = categorical.name;
  }
  for (const role of Object.keys(mapping) as ColumnRole[]) if (mapping[role] === undefined) delete mapping[role];
  return mapping;
}
