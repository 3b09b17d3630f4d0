import type { Dataset } from '../data/dataset.ts';
import { JudgmentsByQuery } from '../data/judgments.ts';
import { headlineMetric, type EvalReport } from './evalReport.ts';
import type { QueryExample } from './markdown.ts';

/**
 * The queries a written report shows in full: the second model's three biggest gains and three biggest
 * losses against the first on the headline metric, each with every model's top 3 (grade and label beside each).
 */
export function reportExamples(report: EvalReport, dataset: Dataset, perSide = 3): QueryExample[] {
  if (report.models.length < 2) return [];
  const metric = headlineMetric(report.metricKeys);
  const [a, b] = report.models;
  const deltas = Object.keys(a.perQuery[metric]).map((q) => ({ q, delta: b.perQuery[metric][q] - a.perQuery[metric][q] }));
  const gains = deltas.filter((d) => d.delta > 0).sort((x, y) => y.delta - x.delta).slice(0, perSide);
  const losses = deltas.filter((d) => d.delta < 0).sort((x, y) => x.delta - y.delta).slice(0, perSide);
  const { queries, documents } = dataset;
  const judged = new JudgmentsByQuery(dataset.judgments);
  const textOf = (table: typeof documents, id: string) => {
    const row = table.rowOf(id);
    return row >= 0 ? table.text(row) : '';
  };
  return [...gains, ...losses].map(({ q }) => ({
    queryId: q,
    query: textOf(queries, q),
    metric,
    values: report.models.map((m) => m.perQuery[metric][q]),
    top: report.models.map((m) =>
      (m.top[q] ?? []).slice(0, 3).map(([docId, score]) => {
        const row = documents.rowOf(docId);
        const label = row >= 0 ? documents.label(row) : undefined;
        const grade = row >= 0 ? judged.gradeOf(queries.rowOf(q), row) : undefined;
        return { docId, text: textOf(documents, docId), score, relevance: Math.max(0, grade ?? 0), ...(label !== undefined ? { label } : {}) };
      }),
    ),
  }));
}
