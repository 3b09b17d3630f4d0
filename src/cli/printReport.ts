import { headlineMetric, isSignificant, type EvalReport } from '../core/report/evalReport.ts';
import { formatBytes, sweepRows, weightsSentences } from '../core/report/sweepTable.ts';
import { paritySentence } from '../core/report/findings.ts';
import { disagreementFootnotes, disagreementNote, levelText } from '../core/report/intervals.ts';
import { comparisonVerdicts } from '../core/report/verdict.ts';
import { painter, terminalSafe, type Style } from './terminalText.ts';

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '—');
const signed = (v: number) => `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(4)}`;

/** How the terminal output is written: colour only where {@link wantsColour} said the stream takes it. */
export interface TerminalOptions {
  colour?: boolean;
}

const pText = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));

/**
 * The terminal output of `eval`: the verdict first (the Markdown's line), then metrics side by side and each
 * model against the first with Δ, the Holm-consistent interval, raw and Holm p and W/T/L, and what they are —
 * the significance legend only when something was compared. Text from the user's files is made
 * terminal-safe here, before colour is added.
 */
export function formatReportTable(report: EvalReport, { colour = false }: TerminalOptions = {}): string {
  const paint = painter(colour);
  const { models, comparisons, metricKeys } = report;
  const m = metricKeys.length;
  const baseline = comparisons.filter((c) => c.a === models[0]?.name);
  const header = ['metric', ...models.map((_, i) => String.fromCharCode(65 + i))];
  for (const c of baseline) {
    const letter = String.fromCharCode(65 + models.findIndex((model) => model.name === c.b));
    header.push(`Δ ${letter}−A`, 'CI(Holm)', 'p', 'p(Holm)', 'W/T/L');
  }
  const marked: { metric: string; pair: string; note: string }[] = [];
  // Each cell: its text and the style it is painted in once padded (escape codes have no width).
  const rows = metricKeys.map((key) => {
    const cells: [string, Style | null][] = [[terminalSafe(key), null], ...models.map((model): [string, null] => [fmt(model.metrics[key]), null])];
    for (const c of baseline) {
      const s = c.metrics[key];
      const significant = isSignificant(s);
      const note = disagreementNote(s, 'holm', m);
      if (note) marked.push({ metric: key, pair: `${c.b} − ${c.a}`, note });
      cells.push(
        [`${signed(s.delta)}${significant ? ' *' : '  '}`, significant ? (s.delta > 0 ? 'green' : 'red') : null],
        [`[${signed(s.ciHolm[0])}, ${signed(s.ciHolm[1])}]${note ? '†' : ' '}`, note ? 'yellow' : null],
        [pText(s.p), null],
        [pText(s.pHolm), null],
        [`${s.wins}/${s.ties}/${s.losses}`, null],
      );
    }
    return cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i][0].length)));
  const pad = (text: string, i: number) => (i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]));
  const line = (cells: [string, Style | null][]) => cells.map(([text, style], i) => (style ? paint(style, pad(text, i)) : pad(text, i))).join('  ');
  const legend = models.map((m, i) => `${String.fromCharCode(65 + i)} = ${m.name} (${m.kind === 'fusion' ? `a hybrid: ${m.fusion ? `${m.fusion.spec} of ${m.fusion.inputs.join(', ')}` : m.path}` : m.kind === 'ranking' ? (m.backend.startsWith('BM25') ? `BM25 ranked here (${m.path})` : `a ranking from a run file, ${m.depth} deep`) : m.kind === 'report' ? `stored in ${m.path}: ${m.backend}${m.dim ? `, dim ${m.dim}` : ''}` : `${m.backend}, dim ${m.dim}`})`);
  const { dataset, statistics } = report;
  const verdicts = comparisonVerdicts(report).map((v) => paint('bold', colourVerdict(terminalSafe(v), paint)));
  const significance = baseline.length
    ? [
        '',
        `* significant at 5 % after Holm over ${m} metrics (p(Holm) < 0.05); p: raw, paired randomization, ${statistics.permutations} permutations.`,
        `CI(Holm): bootstrap, ${statistics.resamples} resamples, at the level of the Holm step that decided the metric (${m > 1 ? `${levelText(1 - 0.05 / m)} to 95 %` : '95 %'}): ` +
          `it leaves 0 out when the metric is significant; --json has the unadjusted 95 % (ci95) and Bonferroni (ciBonferroni) intervals. seed ${statistics.seed}.`,
        ...disagreementFootnotes(marked),
      ].map((text, i) => (i === 0 ? text : paint('dim', terminalSafe(text))))
    : [];
  return [
    ...(verdicts.length ? [...verdicts, ''] : []),
    terminalSafe(`${dataset.name}: ${dataset.evaluatedQueries} queries, ${dataset.documents} documents, ${dataset.judgments} judgments · ${report.mode === 'trec' ? 'TREC mode' : 'sentence-transformers metrics'}`),
    ...legend.map(terminalSafe),
    '',
    paint('bold', line(header.map((h): [string, null] => [h, null]))),
    ...rows.map(line),
    ...significance,
    ...formatDiagnostics(report).map(terminalSafe),
    ...(report.parity.length ? ['', ...report.parity.map((p) => terminalSafe(paritySentence(p)))] : []),
  ].join('\n');
}

/** The verdict's "significantly better/worse" in green/red. */
function colourVerdict(verdict: string, paint: (style: Style, text: string) => string): string {
  return verdict.replace(/significantly (better|worse)/, (words, which) => paint(which === 'better' ? 'green' : 'red', words));
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
  const header = ['model', 'dims', 'precision', 'bytes/vec', 'index', 'ms/query', metric, 'Δ vs full float32', 'CI(Holm)', 'p', 'p(Holm)', ''];
  const rows = sweepRows(report.sweep, metric).map((row) => [
    row.cell.model,
    String(row.cell.dims),
    row.label,
    String(row.cell.bytesPerVector),
    formatBytes(row.cell.indexBytes),
    Number.isFinite(row.cell.queryMs) ? row.cell.queryMs.toFixed(2) : '—',
    fmt(row.value),
    `${signed(row.delta)}${row.pHolm < 0.05 ? ' *' : '  '}`,
    `[${signed(row.ciHolm[0])}, ${signed(row.ciHolm[1])}]`,
    pText(row.p),
    pText(row.pHolm),
    row.pareto ? '★' : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i <= 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [
    `Compression sweep (each model against itself at full size, float32; CPU scorers, one thread; ★ on the ${metric}/bytes Pareto front; CI and p(Holm) as in the table above):`,
    line(header),
    ...rows.map(line),
    ...weightsSentences(report.sweep),
  ].join('\n');
}
