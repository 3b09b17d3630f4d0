import type { PairedComparison } from '../metrics/stats.ts';
import { isSignificant } from './evalReport.ts';

/**
 * Which interval of a metric's delta a view shows: `holm` agrees with p (Holm) by construction (see
 * `holmIntervalLevels`), `bonferroni` is simultaneous at 1 − α/m, `unadjusted` is the plain 95 % one.
 */
export type IntervalKind = 'holm' | 'bonferroni' | 'unadjusted';
export const INTERVAL_KINDS: readonly IntervalKind[] = ['holm', 'bonferroni', 'unadjusted'];

/** The interval of that kind and its confidence (`metrics`: how many were compared together). */
export function intervalOf(s: PairedComparison, kind: IntervalKind, metrics: number, alpha = 0.05): { interval: [number, number]; level: number } {
  if (kind === 'holm') return { interval: s.ciHolm, level: s.ciHolmLevel };
  if (kind === 'bonferroni') return { interval: s.ciBonferroni, level: 1 - alpha / Math.max(metrics, 1) };
  return { interval: s.ci95, level: 0.95 };
}

export const excludesZero = ([low, high]: [number, number]) => low > 0 || high < 0;

/** "99.7 %" — an interval's confidence as a header or tooltip states it. */
export function levelText(level: number): string {
  const percent = 100 * level;
  // One decimal tells 16 metrics' levels apart (99.7 %, 99.7 %, …, 97.5 %, 95 %); two once it passes 99.9 %.
  return `${Number(percent.toFixed(percent > 99.9 ? 2 : 1))} %`;
}

/** A column header naming the interval: "CI (Holm)", "99.7 % CI (Bonferroni)", "95 % CI (unadjusted)". */
export function intervalHeader(kind: IntervalKind, metrics: number, alpha = 0.05): string {
  if (kind === 'holm') return 'CI (Holm)';
  if (kind === 'bonferroni') return `${levelText(1 - alpha / Math.max(metrics, 1))} CI (Bonferroni)`;
  return '95 % CI (unadjusted)';
}

/**
 * The Holm-consistent interval and the Holm p-value disagree about this metric. Not because of the level
 * (it is the level the test used) but because the interval is a bootstrap and p a randomization test: two
 * methods, which can part at the margin (few queries, a p near α).
 */
export function intervalDisagreesWithTest(s: PairedComparison): boolean {
  return excludesZero(s.ciHolm) !== isSignificant(s);
}

/**
 * Why the interval shown and "significant" disagree in this row, in one sentence; null when they agree.
 * A view marks such a row (†) and shows this as its tooltip or footnote.
 */
export function disagreementNote(s: PairedComparison, kind: IntervalKind, metrics: number): string | null {
  const { interval, level } = intervalOf(s, kind, metrics);
  const significant = isSignificant(s);
  if (excludesZero(interval) === significant) return null;
  // No figures of the row in the sentence (its p is beside it): rows with the same reason share one note.
  if (intervalDisagreesWithTest(s)) {
    return `the bootstrap interval ${significant ? 'includes' : 'leaves out'} 0 while the randomization test ${significant ? 'finds' : 'does not find'} a change: two methods that part at the margin (mostly when few queries differ); significance follows the test`;
  }
  if (kind === 'unadjusted') {
    return `the unadjusted 95 % interval leaves 0 out, but after Holm over the ${metrics} metrics compared together the change is not significant; the Holm interval includes 0`;
  }
  return `the Bonferroni interval (${levelText(level)}, every metric at the first Holm step's level) includes 0, while Holm's later, less strict step finds the change significant`;
}

/**
 * Footnotes for the rows marked †, one per pair and reason: "† accuracy@3, recall@3 (B − A): the bootstrap …".
 */
export function disagreementFootnotes(marked: readonly { metric: string; pair: string; note: string }[]): string[] {
  const groups = new Map<string, { metrics: string[]; pair: string; note: string }>();
  for (const { metric, pair, note } of marked) {
    const key = `${pair}\u0000${note}`;
    const group = groups.get(key) ?? { metrics: [], pair, note };
    group.metrics.push(metric);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ metrics, pair, note }) => `† ${metrics.join(', ')} (${pair}): ${note}.`);
}
