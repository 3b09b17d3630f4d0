import { headlineMetric, isSignificant, type EvalReport } from '../core/report/evalReport.ts';
import { formatBytes, sweepRows, weightsSentences } from '../core/report/sweepTable.ts';
import { paritySentence } from '../core/report/findings.ts';

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '—');
const signed = (v: number) => `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(4)}`;

/** The terminal table: metrics side by side, then each model against the first with CI, Holm p and W/T/L. */
export function formatReportTable(report: EvalReport): string {
  const { models, comparisons } = report;
  const baseline = comparisons.filter((c) => c.a === models[0]?.name);
  const header = ['metric', ...models.map((_, i) => String.fromCharCode(65 + i))];
  for (const c of baseline) {
    const letter = String.fromCharCode(65 + models.findIndex((m) => m.name === c.b));
    header.push(`Δ ${letter}−A`, '95% CI', 'p(Holm)', 'W/T/L');
  }
  const rows = report.metricKeys.map((key) => {
    const cells = [key, ...models.map((m) => fmt(m.metrics[key]))];
    for (const c of baseline) {
      const s = c.metrics[key];
      cells.push(`${signed(s.delta)}${isSignificant(s) ? ' *' : '  '}`, `[${signed(s.ci95[0])}, ${signed(s.ci95[1])}]`, s.pHolm < 0.001 ? '<0.001' : s.pHolm.toFixed(3), `${s.wins}/${s.ties}/${s.losses}`);
    }
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const legend = models.map((m, i) => `${String.fromCharCode(65 + i)} = ${m.name} (${m.kind === 'fusion' ? `a hybrid: ${m.fusion ? `${m.fusion.spec} of ${m.fusion.inputs.join(', ')}` : m.path}` : m.kind === 'ranking' ? (m.backend.startsWith('BM25') ? `BM25 ranked here (${m.path})` : `a ranking from a run file, ${m.depth} deep`) : m.kind === 'report' ? `stored in ${m.path}: ${m.backend}${m.dim ? `, dim ${m.dim}` : ''}` : `${m.backend}, dim ${m.dim}`})`);
  const { dataset, statistics } = report;
  return [
    `${dataset.name}: ${dataset.evaluatedQueries} queries, ${dataset.documents} documents, ${dataset.judgments} judgments · ${report.mode === 'trec' ? 'TREC mode' : 'sentence-transformers metrics'}`,
    ...legend,
    '',
    line(header),
    ...rows.map(line),
    '',
    `* significant at 5 % (Holm). p: paired randomization, ${statistics.permutations} permutations; CI: bootstrap, ${statistics.resamples} resamples; seed ${statistics.seed}.`,
    ...formatDiagnostics(report),
    ...(report.parity.length ? ['', ...report.parity.map(paritySentence)] : []),
  ].join('\n');
}

/** Diagnostics of each model side by side, then each reading against A. */
function formatDiagnostics({ models, comparisons }: EvalReport): string[] {
  const against = comparisons.filter((c) => c.a === models[0]?.name && c.diagnostics);
  if (against.length === 0) return [];
  const rows = against[0].diagnostics!.deltas.map((d) => [d.title, ...models.map((m) => fmt(m.diagnostics?.[d.key] ?? NaN))]);
  const header = ['diagnostic', ...models.map((_, i) => String.fromCharCode(65 + i))];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const readings = against.flatMap((c) => [`${c.b} against ${c.a}:`, ...c.diagnostics!.reading.map((s) => `  - ${s}`)]);
  return ['', line(header), ...rows.map(line), '', ...readings];
}

/** The compression sweep on the headline metric: one row per cell, ★ on the Pareto front. */
export function formatSweepTable(report: EvalReport): string {
  if (!report.sweep?.length) return '';
  const metric = headlineMetric(report.metricKeys);
  const header = ['model', 'dims', 'precision', 'bytes/vec', 'index', 'ms/query', metric, 'Δ vs full float32', '95% CI', 'p(Holm)', ''];
  const rows = sweepRows(report.sweep, metric).map((row) => [
    row.cell.model,
    String(row.cell.dims),
    row.label,
    String(row.cell.bytesPerVector),
    formatBytes(row.cell.indexBytes),
    Number.isFinite(row.cell.queryMs) ? row.cell.queryMs.toFixed(2) : '—',
    fmt(row.value),
    `${signed(row.delta)}${row.pHolm < 0.05 ? ' *' : '  '}`,
    `[${signed(row.ci95[0])}, ${signed(row.ci95[1])}]`,
    row.pHolm < 0.001 ? '<0.001' : row.pHolm.toFixed(3),
    row.pareto ? '★' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i <= 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [
    `Compression sweep (each model against itself at full size, float32; CPU scorers, one thread; ★ on the ${metric}/bytes Pareto front):`,
    line(header),
    ...rows.map(line),
    ...weightsSentences(report.sweep),
  ].join('\n');
}
