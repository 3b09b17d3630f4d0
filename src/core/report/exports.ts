import Papa from 'papaparse';
import type { RankingOrder } from '../metrics/rankings.ts';
import type { EvalReport } from './evalReport.ts';

/**
 * Excel opens a CSV as UTF-8 only when it starts with a byte-order mark; without one "Δ" and every
 * non-Latin query text turn to mojibake. pandas, papaparse and Python's `utf-8-sig` strip it.
 */
const UTF8_BOM = '\uFEFF';

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
  return UTF8_BOM + Papa.unparse({ fields, data }, { escapeFormulae: true, newline: '\r\n' });
}

/**
 * A TREC run file (`qid Q0 docid rank score tag`, ranks from 1), the input trec_eval reads: each query's
 * ranked list as the checkpoint ranked it, in the order of `order`'s mode, ids at this edge only. Scores
 * keep every float32 digit, so trec_eval, which re-sorts by score, sees the same order.
 */
export function trecRun(order: RankingOrder, queryId: (row: number) => string, docId: (row: number) => string, tag: string): string {
  const safeTag = tag.replace(/\s+/g, '_') || 'run';
  const lines: string[] = [];
  for (let q = 0; q + 1 < order.rankings.offsets.length; q++) {
    const id = queryId(q);
    for (let rank = 0; rank < order.length(q); rank++) lines.push(`${id} Q0 ${docId(order.docAt(q, rank))} ${rank + 1} ${scoreText(order.scoreAt(q, rank))} ${safeTag}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Nine significant digits round-trip a float32: no two different scores print alike and tie under trec_eval. */
function scoreText(score: number): string {
  return String(Number(score.toPrecision(9)));
}
