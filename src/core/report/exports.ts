import Papa from 'papaparse';
import type { EvalReport } from './evalReport.ts';

/**
 * One row per evaluated query: its text and label, each model's value of every metric and each later
 * model's delta against the first. Cells a spreadsheet would run as a formula (= + - @ tab CR at the start)
 * are escaped by papaparse's `escapeFormulae`.
 */
export function perQueryCsv(report: EvalReport, queries: ReadonlyMap<string, { text: string; label?: string }>): string {
  const [base, ...others] = report.models;
  const fields = ['query_id', 'query', 'label'];
  for (const model of report.models) for (const key of report.metricKeys) fields.push(`${model.name} ${key}`);
  for (const model of others) for (const key of report.metricKeys) fields.push(`Δ ${model.name} − ${base.name} ${key}`);
  const queryIds = Object.keys(base?.perQuery[report.metricKeys[0]] ?? {});
  const data = queryIds.map((q) => {
    const query = queries.get(q);
    const row: (string | number)[] = [q, query?.text ?? '', query?.label ?? ''];
    for (const model of report.models) for (const key of report.metricKeys) row.push(model.perQuery[key][q]);
    for (const model of others) for (const key of report.metricKeys) row.push(model.perQuery[key][q] - base.perQuery[key][q]);
    return row;
  });
  return Papa.unparse({ fields, data }, { escapeFormulae: true, newline: '\r\n' });
}

/**
 * A TREC run file (`qid Q0 docid rank score tag`, ranks from 1), the input trec_eval reads: every query's
 * ranked list as the lab retrieved it.
 */
export function trecRun(run: ReadonlyMap<string, { docIds: readonly string[]; scores: ArrayLike<number> }>, tag: string): string {
  const safeTag = tag.replace(/\s+/g, '_') || 'run';
  const lines: string[] = [];
  for (const [queryId, list] of run) {
    list.docIds.forEach((docId, r) => lines.push(`${queryId} Q0 ${docId} ${r + 1} ${list.scores[r].toFixed(6)} ${safeTag}`));
  }
  return `${lines.join('\n')}\n`;
}
