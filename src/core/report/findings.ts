import { headlineMetric, isSignificant, type EvalReport } from './evalReport.ts';

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;

/**
 * What a fine-tuning write-up states, derived from the report alone: the headline change with its interval
 * and corrected p, how many metrics moved significantly each way, per-query wins and losses, metrics that
 * stay low for every model, and the diagnostics reading.
 */
export function findings(report: EvalReport): string[] {
  const lines: string[] = [];
  const [base] = report.models;
  if (!base) return lines;
  const headline = headlineMetric(report.metricKeys);
  for (const c of report.comparisons.filter((c) => c.a === base.name)) {
    const s = c.metrics[headline];
    const b = report.models.find((m) => m.name === c.b)!;
    const verdict = isSignificant(s) ? (s.delta > 0 ? 'significantly better' : 'significantly worse') : 'not significantly different';
    lines.push(
      `${c.b} vs ${c.a}: ${headline} ${base.metrics[headline].toFixed(4)} → ${b.metrics[headline].toFixed(4)} (Δ ${signed(s.delta)}, 95 % CI [${signed(s.ci95[0])}, ${signed(s.ci95[1])}], p(Holm) ${s.pHolm < 0.001 ? '< 0.001' : s.pHolm.toFixed(3)}): ${verdict}; better on ${s.wins} queries, worse on ${s.losses}, equal on ${s.ties}.`,
    );
    const up = report.metricKeys.filter((k) => isSignificant(c.metrics[k]) && c.metrics[k].delta > 0);
    const down = report.metricKeys.filter((k) => isSignificant(c.metrics[k]) && c.metrics[k].delta < 0);
    lines.push(
      `${c.b}: ${up.length} of ${report.metricKeys.length} metrics significantly up${up.length ? ` (${up.join(', ')})` : ''}, ${down.length} significantly down${down.length ? ` (${down.join(', ')})` : ''}.`,
    );
    for (const sentence of c.diagnostics?.reading ?? []) lines.push(`Diagnostics, ${c.b} vs ${c.a}: ${sentence}`);
  }
  lines.push(...againstBm25(report, headline));
  for (const p of report.parity ?? []) lines.push(paritySentence(p));
  for (const key of report.metricKeys.filter((k) => /^(recall|accuracy)@1$/.test(k))) {
    const best = Math.max(...report.models.map((m) => m.metrics[key]));
    if (best < 0.1) lines.push(`${key} stays under 10 % for every model (best ${pct(best)}).`);
  }
  return lines;
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
