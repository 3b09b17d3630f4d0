import type { Dataset } from '../data/dataset.ts';
import { JudgmentsByQuery } from '../data/judgments.ts';
import type { EvalReport } from './evalReport.ts';

/** The slices of a report and, where there are none or one, why (see {@link slicesNote}). */
export interface SliceTable {
  byLabel: Slice[];
  note: string | null;
}

export interface Slice {
  label: string;
  /** Evaluated queries in the slice. */
  queries: number;
  /** Per model (report order), each metric's mean over the slice's queries. */
  metrics: Record<string, number>[];
}

/**
 * Every metric per label: a query's label is its own, or else the most frequent label of its relevant
 * documents (ties: the first seen). Queries with neither are the slice "(no label)". Empty when the data has
 * no labels at all.
 */
export function sliceByLabel(dataset: Dataset, report: EvalReport): Slice[] {
  const labelOf = new Map<string, string>();
  const { queries, documents } = dataset;
  const judged = new JudgmentsByQuery(dataset.judgments);
  for (let q = 0; q < queries.length; q++) {
    let label = queries.label(q);
    if (label === undefined) {
      const counts = new Map<string, number>();
      const [start, end] = judged.positions(q);
      for (let j = start; j < end; j++) {
        const l = dataset.judgments.grades[j] > 0 ? documents.label(dataset.judgments.docs[j]) : undefined;
        if (l !== undefined) counts.set(l, (counts.get(l) ?? 0) + 1);
      }
      let best = 0;
      for (const [l, n] of counts) if (n > best) [label, best] = [l, n];
    }
    if (label !== undefined) labelOf.set(queries.id(q), label);
  }
  if (labelOf.size === 0) return [];
  const evaluated = Object.keys(report.models[0]?.perQuery[report.metricKeys[0]] ?? {});
  const groups = new Map<string, string[]>();
  for (const queryId of evaluated) {
    const label = labelOf.get(queryId) ?? '(no label)';
    const members = groups.get(label);
    if (members) members.push(queryId);
    else groups.set(label, [queryId]);
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .map(([label, queryIds]) => ({
      label,
      queries: queryIds.length,
      metrics: report.models.map((model) =>
        Object.fromEntries(report.metricKeys.map((key) => [key, queryIds.reduce((s, q) => s + model.perQuery[key][q], 0) / queryIds.length])),
      ),
    }));
}

/** Every metric per label, with the note that says why there are no slices when there are none. */
export function sliceTable(dataset: Dataset, report: EvalReport): SliceTable {
  const byLabel = sliceByLabel(dataset, report);
  return { byLabel, note: slicesNote(dataset, byLabel) };
}

/**
 * Why the slices table is empty or says nothing a whole-set table does not, in a sentence the page and the
 * report print in its place; null when there are slices to compare.
 */
export function slicesNote(dataset: Dataset, slices: readonly Slice[]): string | null {
  if (slices.length === 0 || (slices.length === 1 && slices[0].label === '(no label)')) {
    const documentLabels = dataset.documents.hasLabels;
    return documentLabels
      ? 'No slices: the documents carry labels, but no evaluated query has a label of its own or a labelled relevant document to take one from.'
      : `No slices: neither the queries nor the documents carry a label. A column named label, class, category, domain, topic or intent (in a pairs file, or the corpus table) splits the results by it.`;
  }
  if (slices.length === 1) return `One slice only: every evaluated query has the label "${slices[0].label}", so it is the whole set.`;
  return null;
}
