import { comparisonOf, headlineMetric, isSignificant, type EvalReport } from './evalReport.ts';

const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;
const pText = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

/**
 * Each model against the baseline in one line, as a report leads with it (the Markdown's first line and
 * the terminal's): "tuned vs base: ndcg@10 +0.0057 (+2.1 %), not significant (p 0.210, p (Holm) 0.870);
 * 0 of 16 metrics significantly up, 0 down." Empty when there is nothing to compare.
 */
export function comparisonVerdicts(report: EvalReport, baseline: string | undefined = report.models[0]?.name): string[] {
  const base = report.models.find((m) => m.name === baseline);
  if (!base) return [];
  const headline = headlineMetric(report.metricKeys);
  return report.models.flatMap((model) => {
    const comparison = model === base ? null : comparisonOf(report, base.name, model.name);
    if (!comparison) return [];
    const s = comparison[headline];
    const relative = base.metrics[headline] > 0 ? ` (${s.delta >= 0 ? '+' : '−'}${Math.abs((100 * s.delta) / base.metrics[headline]).toFixed(1)} %)` : '';
    const word = isSignificant(s) ? (s.delta > 0 ? 'significantly better' : 'significantly worse') : 'not significant';
    const up = report.metricKeys.filter((k) => isSignificant(comparison[k]) && comparison[k].delta > 0).length;
    const down = report.metricKeys.filter((k) => isSignificant(comparison[k]) && comparison[k].delta < 0).length;
    return [
      `${model.name} vs ${base.name}: ${headline} ${signed(s.delta)}${relative}, ${word} (p ${pText(s.p)}, p (Holm) ${pText(s.pHolm)}); ` +
        `${up} of ${report.metricKeys.length} metrics significantly up, ${down} down.`,
    ];
  });
}
