import type { Dataset } from './dataset.ts';

/** Examples shown per check. */
const EXAMPLES = 3;
const EXCERPT = 80;

/** One thing a careful user checks before trusting a number, counted, with a few examples. */
export interface HygieneCheck {
  key: 'negativeIsPositive' | 'anchorIsPositive' | 'queryIsRelevantDocument' | 'duplicateDocumentTexts' | 'queriesWithoutRelevant';
  title: string;
  /** Why it matters, in a line. */
  why: string;
  count: number;
  examples: string[];
}

const excerpt = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
};

/**
 * The data's hygiene, before any metric: triplets whose negative is their positive (one public training set
 * had 7.5 % of these), anchors equal to their positive, queries whose text is one of their relevant
 * documents (leakage), one text under several document ids (their ranks split the relevance), and queries
 * with no relevant document. Texts are compared exactly, after trimming.
 */
export function hygieneChecks(dataset: Dataset): HygieneCheck[] {
  const { queries, documents } = dataset;
  const checks: HygieneCheck[] = [];
  const add = (check: Omit<HygieneCheck, 'count' | 'examples'>, found: string[]) => checks.push({ ...check, count: found.length, examples: found.slice(0, EXAMPLES) });
  const same = (a: string, b: string) => a.trim() === b.trim();

  if (dataset.triplets?.length) {
    const negatives: string[] = [];
    const anchors: string[] = [];
    for (const t of dataset.triplets) {
      if (t.negative === t.positive || same(documents.text(t.negative), documents.text(t.positive))) negatives.push(`${queries.id(t.query)}: "${excerpt(documents.text(t.positive))}"`);
      if (same(queries.text(t.query), documents.text(t.positive))) anchors.push(`${queries.id(t.query)}: "${excerpt(queries.text(t.query))}"`);
    }
    add({ key: 'negativeIsPositive', title: 'triplets whose negative is their positive', why: 'the loss pushes a text away from itself; the triplet accuracy counts them as failures' }, negatives);
    add({ key: 'anchorIsPositive', title: 'triplets whose anchor is their positive', why: 'a trivial pair: the model learns nothing from it' }, anchors);
  }

  const leaks: string[] = [];
  const withoutRelevant: string[] = [];
  const judgments = dataset.judgments;
  for (let i = 0; i < judgments.queries.length; i++) {
    const q = judgments.queries[i];
    let relevant = 0;
    for (let j = judgments.offsets[i]; j < judgments.offsets[i + 1]; j++) {
      if (judgments.grades[j] <= 0) continue;
      relevant++;
      const d = judgments.docs[j];
      if (same(queries.text(q), documents.text(d))) leaks.push(`${queries.id(q)} → ${documents.id(d)}: "${excerpt(queries.text(q))}"`);
    }
    if (relevant === 0) withoutRelevant.push(queries.id(q));
  }
  add({ key: 'queryIsRelevantDocument', title: 'queries whose text is one of their relevant documents', why: 'leakage: retrieval finds the query itself, and the metrics flatter the model' }, leaks);

  // Pairs and triplets files are deduplicated by text when read: only tables with their own ids can repeat one.
  const rowsOfText = new Map<string, number[]>();
  for (let d = 0; dataset.rowCount === undefined && d < documents.length; d++) {
    const text = documents.text(d).trim();
    const rows = rowsOfText.get(text);
    if (rows) rows.push(d);
    else rowsOfText.set(text, [d]);
  }
  const duplicates: string[] = [];
  for (const [text, rows] of rowsOfText) if (rows.length > 1) duplicates.push(`${rows.slice(0, 4).map((d) => documents.id(d)).join(', ')}${rows.length > 4 ? ', …' : ''}: "${excerpt(text)}"`);
  add({ key: 'duplicateDocumentTexts', title: 'texts that appear under several document ids', why: 'identical documents tie; only the judged id counts, so their ranks split the relevance' }, duplicates);
  add({ key: 'queriesWithoutRelevant', title: 'queries without any relevant document', why: 'left out of every average' }, withoutRelevant);
  return checks;
}
