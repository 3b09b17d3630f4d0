import { diagnosticDeltas, diagnosticNote, type DiagnosticDelta } from '../diagnostics/compareDiagnostics.ts';
import type { ModelDiagnostics } from '../diagnostics/modelDiagnostics.ts';
import { parseMetricKey } from '../metrics/registry.ts';
import { comparisonOf, headlineMetric, isSignificant, type EvalReport } from './evalReport.ts';

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
/** A change to 4 decimals with its sign; one that rounds to nothing is a plain 0, not "+0.0000". */
const signed = (v: number) => (Math.abs(v) < 0.00005 ? '0' : `${v > 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`);
const diagnosticValue = (v: number | null) => (v === null ? '–' : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));

/** A ceiling under this is stated: more than 1 % of the metric's scale is out of reach on these judgments. */
const BINDING_CEILING = 0.99;

/**
 * What a fine-tuning write-up states, derived from the report alone, against the model at index `baseline`
 * (the page's chosen baseline; the first model by default): the headline change with its interval and
 * corrected p, how many metrics moved significantly each way, per-query wins and losses, where the
 * embedding diagnostics moved, the ceilings the judgments put on metrics, and metrics that stay low.
 */
export function findings(report: EvalReport, baseline = 0): string[] {
  const lines: string[] = [];
  const base = report.models[Math.min(Math.max(0, baseline), report.models.length - 1)];
  if (!base) return lines;
  const headline = headlineMetric(report.metricKeys);
  lines.push(...healthWarnings(report));
  for (const model of report.models) {
    if (model === base) continue;
    const comparison = comparisonOf(report, base.name, model.name);
    if (!comparison) continue;
    const s = comparison[headline];
    const verdict = isSignificant(s) ? (s.delta > 0 ? 'significantly better' : 'significantly worse') : 'not significantly different';
    lines.push(
      `${model.name} vs ${base.name}: ${headline} ${base.metrics[headline].toFixed(4)} → ${model.metrics[headline].toFixed(4)} (Δ ${signed(s.delta)}, CI (Holm) [${signed(s.ciHolm[0])}, ${signed(s.ciHolm[1])}], p ${s.p < 0.001 ? '< 0.001' : s.p.toFixed(3)}, p(Holm) ${s.pHolm < 0.001 ? '< 0.001' : s.pHolm.toFixed(3)}): ${verdict}; better on ${s.wins} queries, worse on ${s.losses}, equal on ${s.ties}.`,
    );
    const up = report.metricKeys.filter((k) => isSignificant(comparison[k]) && comparison[k].delta > 0);
    const down = report.metricKeys.filter((k) => isSignificant(comparison[k]) && comparison[k].delta < 0);
    lines.push(
      `${model.name} against ${base.name}: ${up.length} of ${report.metricKeys.length} metrics significantly up${up.length ? ` (${up.join(', ')})` : ''}, ${down.length} significantly down${down.length ? ` (${down.join(', ')})` : ''}.`,
    );
    if (base.diagnostics && model.diagnostics) lines.push(diagnosticsSummary(base.name, base.diagnostics, model.name, model.diagnostics));
  }
  lines.push(...againstBm25(report, headline));
  for (const p of report.parity ?? []) lines.push(paritySentence(p));
  lines.push(...ceilingFindings(report));
  return lines;
}

/** A diagnostic's title as it reads inside a sentence: "neighbour coherence NC@10", but "ROC-AUC …" kept. */
function inProse(title: string): string {
  return /^[A-Z][a-z]/.test(title) && !title.includes('–') ? title.charAt(0).toLowerCase() + title.slice(1) : title;
}

/**
 * One sentence on where `model`'s embeddings moved against `baseline`'s, by verdict: which diagnostics got
 * better, which worse, which moved without a better direction. The diagnostics section reads each in full.
 */
function diagnosticsSummary(baselineName: string, baseline: ModelDiagnostics, modelName: string, model: ModelDiagnostics): string {
  const deltas = diagnosticDeltas(baseline, model);
  // A value whose scale misleads (the hard-negative AUC under 0.5) gets its reading beside it.
  const quoted = (d: DiagnosticDelta) => {
    const brief = diagnosticNote(d.key, 'brief');
    return `${inProse(d.title)} ${diagnosticValue(d.baseline)} → ${diagnosticValue(d.value)}${brief ? ` (${brief})` : ''}`;
  };
  const list = (items: DiagnosticDelta[]) => items.map(quoted).join(', ');
  const better = deltas.filter((d) => d.verdict === 'better');
  const worse = deltas.filter((d) => d.verdict === 'worse');
  const moved = deltas.filter((d) => d.verdict === null && (d.movement === 'up' || d.movement === 'down'));
  const parts = [better.length && `better on ${list(better)}`, worse.length && `worse on ${list(worse)}`, moved.length && `changed, neither better nor worse, on ${list(moved)}`].filter(Boolean);
  const labels = baseline.details.labels?.kind === 'k-means' || model.details.labels?.kind === 'k-means' ? ' (labels: each model’s k-means clusters)' : '';
  if (!parts.length) return `No embedding diagnostic moved beyond its material size from ${baselineName} to ${modelName}${labels}.`;
  return `Against ${baselineName}'s embeddings${labels}, ${modelName}'s are ${parts.join('; ')}.`;
}

/** Embeddings with NaN, infinite or zero vectors, said first: every other figure rests on them. */
function healthWarnings(report: EvalReport): string[] {
  return report.models.flatMap((m) => {
    const h = m.diagnostics?.health;
    if (!h) return [];
    const problems = [h.nanComponents && `${h.nanComponents} NaN components`, h.infComponents && `${h.infComponents} infinite components`, h.zeroNormVectors && `${h.zeroNormVectors} zero vectors`].filter(Boolean);
    return problems.length ? [`Check ${m.name}'s document embeddings before reading its results: ${problems.join(', ')}.`] : [];
  });
}

/** Why a metric family's ceiling is below 1, for the sentence that states it. */
function ceilingReason(name: string, mode: EvalReport['mode']): string {
  if (name === 'recall') return 'recall@k cannot exceed k/|R| when a query has more than k relevant documents';
  if (name === 'precision') return 'precision@k cannot exceed |R|/k when a query has fewer than k relevant documents';
  if (name === 'map' && mode === 'trec') return 'map@k as trec_eval divides by |R|, so it cannot exceed k/|R| when a query has more than k relevant documents';
  return `${name} cannot reach 1 on these judgments`;
}

/**
 * Each metric whose ceiling binds (below {@link BINDING_CEILING}), stated with the best model's value
 * against it — "recall@1 0.0900 of a possible 0.172" — one sentence per metric family; then recall@1 and
 * accuracy@1 where every model stays under 10 % of what the judgments allow.
 */
function ceilingFindings(report: EvalReport): string[] {
  const lines: string[] = [];
  const ceilings = report.ceilings;
  const best = (key: string) => report.models.reduce((top, m) => (m.metrics[key] > top.metrics[key] ? m : top), report.models[0]);
  const ceilingOf = (key: string) => ceilings?.metrics[key]?.mean ?? 1;
  const binding = report.metricKeys.filter((key) => Number.isFinite(ceilingOf(key)) && ceilingOf(key) < BINDING_CEILING);
  const families = [...new Set(binding.map((key) => parseMetricKey(key).name))];
  for (const family of families) {
    const keys = binding.filter((key) => parseMetricKey(key).name === family);
    const r = ceilings!.relevantPerQuery;
    const stated = keys.map((key) => {
      const top = best(key);
      const ceiling = ceilingOf(key);
      return `${key} ${top.metrics[key].toFixed(4)} of a possible ${ceiling.toFixed(3)} (${top.name})`;
    });
    lines.push(`${capitalise(ceilingReason(family, report.mode))} (|R| is ${r.mean.toFixed(1)} on average, ${r.min} to ${r.max}): at best ${stated.join(', ')}.`);
  }
  for (const key of report.metricKeys.filter((k) => /^(recall|accuracy)@1$/.test(k))) {
    const top = best(key);
    const ceiling = ceilingOf(key);
    if (!(top.metrics[key] < 0.1 * ceiling)) continue;
    lines.push(
      ceiling < BINDING_CEILING
        ? `${key} stays under 10 % of its ceiling for every model (best ${top.metrics[key].toFixed(4)} of a possible ${ceiling.toFixed(3)}).`
        : `${key} stays under 10 % for every model (best ${pct(top.metrics[key])}).`,
    );
  }
  return lines;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "base-npy reproduces lab-minilm-l6-base to 1e-4: …" — or where it does not. */
export function paritySentence(p: EvalReport['parity'][number]): string {
  const figures = `per-text cosine min ${p.cosine.min.toFixed(6)}, mean ${p.cosine.mean.toFixed(6)}; max |Δ| ${p.maxAbsDelta.toExponential(1)}; top-10 overlap ${pct(p.top10Overlap)} over ${p.rows} texts`;
  return p.reproduces
    ? `${p.a}, encoded in this lab, reproduces the imported vectors ${p.b} to 1e-4 (${figures}).`
    : `${p.a}, encoded in this lab, does NOT reproduce the imported vectors ${p.b} to 1e-4 (${figures}): check the model version, pooling, normalisation and max_seq_length they were written with.`;
}

/** BM25 built in by the lab (or a run named bm25): the baseline a fine-tune must beat. */
function isBm25(model: EvalReport['models'][number]): boolean {
  return model.kind === 'ranking' && (model.backend.startsWith('BM25') || /^bm25\b/i.test(model.name));
}

/**
 * Where each model stands against BM25 when one is in the run, and what each hybrid reaches: "tuned stays
 * 0.1200 below bm25 (p < 0.001); the hybrid rrf@60 of bm25 and tuned reaches 0.7012 (+0.0150 on bm25, …)".
 */
function againstBm25(report: EvalReport, headline: string): string[] {
  const bm25 = report.models.find(isBm25);
  if (!bm25) return [];
  const pairOf = (a: string, b: string) => {
    const direct = report.comparisons.find((c) => c.a === a && c.b === b);
    if (direct) return { delta: direct.metrics[headline].delta, stats: direct.metrics[headline] };
    const reverse = report.comparisons.find((c) => c.a === b && c.b === a);
    return reverse ? { delta: -reverse.metrics[headline].delta, stats: reverse.metrics[headline] } : null;
  };
  const p = (v: number) => (v < 0.001 ? 'p < 0.001' : `p(Holm) ${v.toFixed(3)}`);
  const lines: string[] = [];
  for (const model of report.models) {
    if (model === bm25) continue;
    const pair = pairOf(bm25.name, model.name);
    if (!pair) continue;
    const where = isSignificant(pair.stats) ? (pair.delta > 0 ? 'above' : 'below') : 'not significantly different from';
    const fused = model.kind === 'fusion' && model.fusion ? `the hybrid ${model.fusion.spec} of ${model.fusion.inputs.join(' and ')}` : model.name;
    lines.push(
      `${fused} ${model.kind === 'fusion' ? 'reaches' : 'scores'} ${headline} ${model.metrics[headline].toFixed(4)} against ${bm25.metrics[headline].toFixed(4)} for ${bm25.name}: ${signed(pair.delta)}, ${where === 'not significantly different from' ? where : `${where} BM25`} (${p(pair.stats.pHolm)}).`,
    );
  }
  return lines;
}
