import { bootstrapMeanCI } from '../metrics/stats.ts';
import type { EvalReport } from './evalReport.ts';

/** What a CI gate asks: these metrics must not be worse than the baseline by more than the tolerance. */
export interface GateRule {
  metrics: readonly string[];
  /** A loss smaller than this is accepted (in the metric's units, e.g. 0.005 NDCG). */
  tolerance: number;
  /** Chance of failing a model that is in truth within tolerance, over all gated metrics together. */
  alpha?: number;
}

export interface GateVerdict {
  model: string;
  baseline: string;
  metric: string;
  delta: number;
  /** One-sided upper confidence bound of the mean per-query delta, at 1 − α / (gated metrics). */
  upperBound: number;
  /** The bound's confidence, e.g. 0.975 for two metrics at α = 0.05. */
  confidence: number;
  tolerance: number;
  failed: boolean;
  /** The verdict in one line, with its numbers and why. */
  line: string;
}

/**
 * The gate's rule: a later model fails on a metric when the data rule out a loss smaller than the
 * tolerance — the one-sided upper confidence bound of its mean per-query delta against the baseline (first
 * model) lies below −tolerance. The bound is the percentile bootstrap's (the report's resamples and seed) at
 * 1 − α/m for m gated metrics: Bonferroni, so that all of them together fail a model within tolerance with
 * chance at most α. A small sample whose interval straddles −tolerance passes: the data do not show the loss.
 */
export function gateVerdicts(report: EvalReport, rule: GateRule): GateVerdict[] {
  const alpha = rule.alpha ?? 0.05;
  const confidence = 1 - alpha / rule.metrics.length;
  const [base, ...others] = report.models;
  const verdicts: GateVerdict[] = [];
  for (const model of others) {
    for (const metric of rule.metrics) {
      const queries = Object.keys(base.perQuery[metric] ?? {});
      const diffs = Float64Array.from(queries, (q) => model.perQuery[metric][q] - base.perQuery[metric][q]);
      const delta = diffs.reduce((s, d) => s + d, 0) / Math.max(diffs.length, 1);
      // A two-sided interval at 1 − 2(1 − c) has its upper end at the one-sided c bound.
      const [, upperBound] = bootstrapMeanCI(diffs, report.statistics.resamples, report.statistics.seed, 1 - 2 * (1 - confidence));
      const failed = upperBound < -rule.tolerance;
      const bound = `${(100 * confidence).toFixed(1)} % upper bound ${signed(upperBound)}`;
      const line = failed
        ? `FAIL ${metric}: ${model.name} vs ${base.name}: Δ ${signed(delta)}, ${bound} < −${rule.tolerance}: the data rule out a loss smaller than the tolerance`
        : `PASS ${metric}: ${model.name} vs ${base.name}: Δ ${signed(delta)}, ${bound} ≥ −${rule.tolerance}: a loss beyond the tolerance is not shown`;
      verdicts.push({ model: model.name, baseline: base.name, metric, delta, upperBound, confidence, tolerance: rule.tolerance, failed, line });
    }
  }
  return verdicts;
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(4)}`;
}
