import { headlineMetric, isSignificant, type EvalReport } from './evalReport.ts';
import { formatBytes, sweepRows, weightsSentences } from './sweepTable.ts';
import { findings } from './findings.ts';
import { disagreementFootnotes, disagreementNote, intervalHeader, levelText } from './intervals.ts';
import { comparisonVerdicts } from './verdict.ts';
import type { GateVerdict } from './gate.ts';
import { DIAGNOSTIC_SPECS, diagnosticNote } from '../diagnostics/compareDiagnostics.ts';
import { perLabelRows } from '../diagnostics/perLabel.ts';

/** A query shown in the report with each model's top results (texts come from the dataset). */
export interface QueryExample {
  queryId: string;
  query: string;
  /** The metric the example was chosen on, and each model's value of it. */
  metric: string;
  values: number[];
  /** Per model (report order): its top results, each with its judged grade (0: not relevant) and label, if any. */
  top: { docId: string; text: string; score: number; relevance: number; label?: string }[][];
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : '—');
const signed = (v: number) => (v > 0 ? '+' : v < 0 ? '−' : '±') + Math.abs(v).toFixed(4);
const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
const relative = (delta: number, base: number) => (base > 0 ? ` (${delta >= 0 ? '+' : '−'}${Math.abs((100 * delta) / base).toFixed(1)} %)` : '');

/**
 * The report in the shape fine-tuning write-ups use: what was compared, the metric table with deltas,
 * intervals and corrected p-values, and how to reproduce the statistics.
 */
/** Which score ranked: cosine unless a model was saved with another `similarity_fn_name`. */
function similarityText(models: EvalReport['models']): string {
  const others = models.filter((m) => m.model && m.model.similarity !== 'cosine');
  if (!others.length) return 'cosine';
  return `cosine; ${others.map((m) => `${m.name} by its ${m.model!.similarity} similarity`).join(', ')}`;
}

/** What a model encoded here ran, in one clause: the file and how it ran, its modules and its prompts. */
function modelRunText(model: NonNullable<EvalReport['models'][number]['model']>): string {
  const how = model.format === 'safetensors' ? `${model.file}, graph built here as ${model.family}` : `${model.file} (ONNX export)`;
  const digest = model.digests[0] ? `, sha256 ${model.digests[0].sha256.slice(0, 12)}…` : '';
  const prompt = (text: string) => (text === '' ? 'none' : `"${text}"`);
  return `${how}${digest}; ${model.modules.join(' → ')}; prompts: queries ${prompt(model.prompts.query)}, documents ${prompt(model.prompts.document)}`;
}

export function renderMarkdown(report: EvalReport, examples: readonly QueryExample[] = [], verdicts: readonly GateVerdict[] = []): string {
  const { dataset, models } = report;
  const lines: string[] = [];
  lines.push(`# Embedding Lab report: ${dataset.name}`, '');
  // As a pull-request comment: the gate's verdict and the summary first, everything else folded.
  if (verdicts.length) {
    const failed = verdicts.filter((v) => v.failed);
    lines.push(`**${failed.length ? `❌ Gate failed (${failed.length} of ${verdicts.length})` : `✅ Gate passed (${verdicts.length} checks)`}** — tolerance ${verdicts[0].tolerance}, one-sided bootstrap bound, Bonferroni over the gated metrics.`, '');
    for (const v of verdicts) lines.push(`- ${v.line}`);
    lines.push('');
  }
  // The verdict leads, as in the terminal: one line per model against the first.
  for (const verdict of comparisonVerdicts(report)) lines.push(`**${verdict}**`, '');
  lines.push(
    `${dataset.format}: ${dataset.evaluatedQueries} queries with judgments (of ${dataset.queries}), ${dataset.documents} documents, ` +
      `${dataset.judgments} judgments. Metrics: ${report.mode === 'trec' ? 'trec_eval semantics' : 'sentence-transformers InformationRetrievalEvaluator'} (${similarityText(models)}).`,
    '',
  );
  const ran = models.flatMap((m) => (m.model ? [`${m.name}: ${modelRunText(m.model)}`] : []));
  if (ran.length) lines.push(`Models — ${ran.join('; ')}.`, '');
  // Each reason after a dash, not in brackets: backends and reasons carry brackets of their own.
  const backends = models.map((m) => `${m.name}: ${m.backend}${m.backendChoice ? ` — ${m.backendChoice.reason}${calibrationText(m.backendChoice.calibration)}` : ''}`);
  if (report.kernels) backends.push(`similarity, top-k and diagnostics: ${report.kernels.backend === 'webgpu' ? 'WebGPU' : 'CPU'} — ${report.kernels.reason}${calibrationText(report.kernels.calibration)}`);
  lines.push(`Ran on — ${backends.join('; ')}.`, '');
  for (const warning of dataset.warnings) lines.push(`> ${warning.file}: ${warning.message}`);
  if (dataset.warnings.length) lines.push('');
  const summary = findings(report);
  if (summary.length) lines.push('## Summary', '', ...summary.map((f) => `- ${f}`), '');
  if (verdicts.length) lines.push('<details><summary>Metrics, diagnostics and examples</summary>', '');

  lines.push(...metricsSection(report));
  lines.push(...slicesSection(report));
  lines.push(...diagnosticsSection(report));
  lines.push(...sweepSection(report));
  lines.push(...examplesSection(report, examples));
  for (const model of models) for (const note of model.notes) lines.push('', `Note (${model.name}): ${note}`);
  if (verdicts.length) lines.push('', '</details>');
  return `${lines.join('\n')}\n`;
}

/**
 * The metric table: each model's values, then each against the first with Δ, the Holm-consistent interval,
 * the raw and the Holm p and W/T/L; a row where interval and significance still part is marked † and said why.
 */
function metricsSection({ models, comparisons, metricKeys, statistics }: EvalReport): string[] {
  const lines = ['## Metrics', ''];
  const header = ['metric', ...models.map((m) => m.name)];
  const baseline = comparisons.filter((c) => c.a === models[0]?.name);
  for (const c of baseline) header.push(`Δ ${c.b} − ${c.a}`, intervalHeader('holm', metricKeys.length), 'p', 'p (Holm)', 'W/T/L');
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`);
  const marked: { metric: string; pair: string; note: string }[] = [];
  for (const key of metricKeys) {
    const cells = [key, ...models.map((m) => fmt(m.metrics[key]))];
    for (const c of baseline) {
      const s = c.metrics[key];
      const base = models[0].metrics[key];
      const note = disagreementNote(s, 'holm', metricKeys.length);
      if (note) marked.push({ metric: key, pair: `${c.b} − ${c.a}`, note });
      cells.push(
        `${isSignificant(s) ? '**' : ''}${signed(s.delta)}${relative(s.delta, base)}${isSignificant(s) ? '**' : ''}`,
        `[${signed(s.ciHolm[0])}, ${signed(s.ciHolm[1])}]${note ? ' †' : ''}`,
        pValue(s.p),
        pValue(s.pHolm),
        `${s.wins}/${s.ties}/${s.losses}`,
      );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
  if (baseline.length === 0) {
    lines.push('One model: nothing to compare, so no deltas, intervals or p-values.');
    return lines;
  }
  const m = metricKeys.length;
  lines.push(
    `Bold: significant at 5 % after ${statistics.correction} (p (Holm) < 0.05; p is the raw value). Test: ${statistics.test}, ${statistics.permutations} permutations. ` +
      `CI (Holm): percentile bootstrap (${statistics.resamples} resamples) at the level of the Holm step that decided the metric — ` +
      `${m > 1 ? `from ${levelText(1 - 0.05 / m)} for the smallest p of ${m} to 95 % for the last, ` : ''}a metric not significant at the step where Holm stopped — ` +
      `so it leaves 0 out when the metric is significant; the unadjusted 95 % and the Bonferroni intervals are in the JSON report (ci95, ciBonferroni); seed ${statistics.seed}. ` +
      `W/T/L: queries where the later model is higher / equal / lower.`,
  );
  if (marked.length) lines.push('', ...disagreementFootnotes(marked));
  return lines;
}

/** The compression sweep on the headline metric, Pareto-front cells marked. Empty without a sweep. */
function sweepSection(report: EvalReport): string[] {
  if (!report.sweep?.length) return [];
  const metric = headlineMetric(report.metricKeys);
  const lines = ['', '## Compression sweep', '', `Each model against itself at full size and float32, on ${metric}; CPU scorers, one thread; CI and p (Holm) as in the metric table. ★: on the ${metric}/bytes Pareto front.`, ''];
  lines.push(`| model | dims | precision | bytes/vector | index | ms/query | ${metric} | Δ | CI (Holm) | p | p (Holm) | |`, '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |');
  for (const row of sweepRows(report.sweep, metric)) {
    const bold = row.pHolm < 0.05 ? '**' : '';
    lines.push(
      `| ${row.cell.model} | ${row.cell.dims} | ${row.label} | ${row.cell.bytesPerVector} | ${formatBytes(row.cell.indexBytes)} | ${Number.isFinite(row.cell.queryMs) ? row.cell.queryMs.toFixed(2) : '—'} | ${fmt(row.value)} | ` +
        `${bold}${signed(row.delta)}${bold} | [${signed(row.ciHolm[0])}, ${signed(row.ciHolm[1])}] | ${pValue(row.p)} | ${pValue(row.pHolm)} | ${row.pareto ? '★' : ''} |`,
    );
  }
  const weights = weightsSentences(report.sweep);
  if (weights.length) lines.push('', ...weights.map((s) => `- ${s}`));
  return lines;
}

/**
 * Each model's diagnostics side by side, each later model's Δ against the first where both have them, the
 * per-label table and each pair's reading. Empty when no model has diagnostics; a model without them (a
 * ranking) is named with the reason.
 */
function diagnosticsSection({ models, comparisons }: EvalReport): string[] {
  const diagnosed = models.filter((m) => m.diagnostics);
  if (diagnosed.length === 0) return [];
  const withDiagnostics = comparisons.filter((c) => c.a === models[0]?.name && c.diagnostics);
  const lines = ['', '## Diagnostics', ''];
  const labels = diagnosed[0].diagnostics!.details.labels;
  if (labels?.kind === 'column') lines.push(`Labels: column "${labels.column ?? 'label'}", ${labels.labels} labels over ${labels.points} documents.`, '');
  if (labels?.kind === 'k-means') lines.push(`Labels: each model's spherical k-means clusters, k = ${labels.k}, seed ${labels.seed}.`, '');
  for (const m of models) if (!m.diagnostics && m.diagnosticsNote) lines.push(`${m.name}: diagnostics ${m.diagnosticsNote}.`, '');
  const header = ['diagnostic', ...diagnosed.map((m) => m.name), ...withDiagnostics.map((c) => `Δ ${c.b} − ${c.a}`)];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`);
  // A value whose scale misleads gets a numbered reading under the table, its number beside the value's name.
  const notes: string[] = [];
  for (const spec of DIAGNOSTIC_SPECS) {
    const note = diagnosticNote(spec.key);
    if (note) notes.push(`${NOTE_MARKS[notes.length]} ${spec.title}: ${note}`);
    const cells = [note ? `${spec.title} ${NOTE_MARKS[notes.length - 1]}` : spec.title, ...diagnosed.map((m) => fmt(m.diagnostics![spec.key] ?? NaN))];
    for (const c of withDiagnostics) {
      const d = c.diagnostics!.deltas.find((x) => x.key === spec.key);
      // Words, not arrows: ▲ beside a fall where lower is better read as the direction of the change.
      const mark = d?.verdict === 'better' ? ' better' : d?.verdict === 'worse' ? ' worse' : d?.movement === 'within-noise' ? ' (noise)' : '';
      cells.push(!d || d.delta === null ? '—' : `${signed(d.delta)}${mark}`);
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (withDiagnostics.length) lines.push('', '"better" and "worse" only beyond the diagnostic\'s material size (and twice its standard error when sampled).');
  for (const note of notes) lines.push('', note);
  lines.push(...perLabelSection(diagnosed));
  for (const c of withDiagnostics) {
    lines.push('', `**${c.b} against ${c.a}:**`, '');
    for (const sentence of c.diagnostics!.reading) lines.push(`- ${sentence}`);
  }
  return lines;
}

/** Markdown-safe single line: table pipes escaped, whitespace collapsed, long texts cut. */
function cell(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return cut.replace(/([\\|*_`<>[\]])/g, '\\$1');
}

function examplesSection({ models }: EvalReport, examples: readonly QueryExample[]): string[] {
  if (examples.length === 0) return [];
  // Grades beside ✔ only when the judgments are graded: with binary ones each would say 1.
  const graded = examples.some((e) => e.top.some((list) => list.some((d) => d.relevance > 1)));
  const lines = ['', '## Per-query examples', ''];
  for (const example of examples) {
    const values = models.map((m, i) => `${m.name} ${fmt(example.values[i])}`).join(', ');
    lines.push(`**${cell(example.queryId, 40)}**: ${cell(example.query, 300)} (${example.metric}: ${values})`, '');
    const header = ['rank', ...models.map((m) => m.name)];
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`);
    const depth = Math.max(...example.top.map((t) => t.length));
    for (let r = 0; r < depth; r++) {
      const cells = [String(r + 1), ...example.top.map((t) => (t[r] ? `${relevanceMark(t[r].relevance, graded)}${cell(t[r].text)}${t[r].label !== undefined ? ` \\[${cell(t[r].label!, 40)}\\]` : ''} (${t[r].score.toFixed(3)})` : ''))];
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  const labelled = examples.some((e) => e.top.some((list) => list.some((d) => d.label !== undefined)));
  lines.push(`✔ relevant (judged)${graded ? ', followed by its grade' : ''}.${labelled ? ' [label]: the document\'s label.' : ''} Scores are cosine similarities.`);
  return lines;
}

/** Marks of the diagnostics' readings under their table. */
const NOTE_MARKS = ['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

/** "✔ " for a relevant document, "✔2 " with its grade when the judgments are graded, "" otherwise. */
function relevanceMark(relevance: number, graded: boolean): string {
  if (relevance <= 0) return '';
  return graded ? `✔${relevance} ` : '✔ ';
}

/**
 * Per-label silhouette and NC@10 of the models with diagnostics (`diagnosed`, the first being the baseline),
 * each later one's Δ against the first. Empty for k-means clusters (each model's own) and when no label has values.
 */
function perLabelSection(diagnosed: EvalReport['models']): string[] {
  const rows = perLabelRows(diagnosed.map((m) => m.diagnostics));
  if (!rows.length) return [];
  const lines = ['', '### Per label', '', 'Silhouette (cosine) and neighbour coherence NC@10 of each label\'s documents.', ''];
  const later = diagnosed.slice(1).map((m, j) => ({ m, column: j + 1 }));
  const group = (name: string) => [...diagnosed.map((m) => `${name} ${m.name}`), ...later.map(({ m }) => `Δ ${m.name} − ${diagnosed[0].name}`)];
  const header = ['label', ...group('silhouette'), ...group('NC@10')];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`);
  const values = (v: (number | null)[]) => [...v.map((x) => (x === null ? '—' : x.toFixed(3))), ...later.map(({ column }) => (v[column] === null || v[0] === null ? '—' : signed(v[column]! - v[0]!)))];
  for (const row of rows) lines.push(`| ${[cell(row.label, 60), ...values(row.silhouette), ...values(row.coherence)].join(' | ')} |`);
  return lines;
}

/**
 * Each label's queries on the headline metric, every model and each later one's Δ against the first; or the
 * sentence that says why there are no slices. Empty for a report without slices (an older one).
 */
function slicesSection({ slices, models, metricKeys }: EvalReport): string[] {
  if (!slices) return [];
  const lines = ['', '## Slices by label', ''];
  if (slices.note) lines.push(slices.note, '');
  const comparable = slices.byLabel.length > 0 && !(slices.byLabel.length === 1 && slices.byLabel[0].label === '(no label)');
  if (!comparable) return lines;
  const metric = headlineMetric(metricKeys);
  const header = ['label', 'queries', ...models.map((m) => m.name), ...models.slice(1).map((m) => `Δ ${m.name} − ${models[0].name}`)];
  lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`);
  for (const slice of slices.byLabel) {
    const values = slice.metrics.map((m) => m[metric]);
    lines.push(`| ${[cell(slice.label, 60), String(slice.queries), ...values.map(fmt), ...values.slice(1).map((v) => signed(v - values[0]))].join(' | ')} |`);
  }
  lines.push('', `${metric} averaged over each label's queries; a query's label is its own, else the most frequent label of its relevant documents. Slice means carry no significance test; small slices move a lot. Every metric per slice is in the JSON report (slices).`);
  return lines;
}

/** ", measured: webgpuSeconds 0.12, wasmSeconds 1.01, speedup 8.4" — the calibration behind an auto choice. */
function calibrationText(calibration: Record<string, number | null> | null): string {
  if (!calibration) return '';
  const parts = Object.entries(calibration).filter(([, v]) => v !== null).map(([k, v]) => `${k} ${Number(v).toPrecision(3)}`);
  return parts.length ? `; measured ${parts.join(', ')}` : '';
}
