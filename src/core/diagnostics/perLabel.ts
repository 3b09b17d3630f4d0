import type { ModelDiagnostics } from './modelDiagnostics.ts';

/** One label's silhouette and neighbour coherence, per model (report order; null where a model has none). */
export interface PerLabelRow {
  label: string;
  silhouette: (number | null)[];
  coherence: (number | null)[];
}

/**
 * Per-label silhouette and NC@10 side by side, labels in the order the first model holding them lists them
 * (the data's order). Empty when no model has per-label values, and when the labels are k-means clusters:
 * each model's clusters are its own, so "cluster 3" of one is not "cluster 3" of another.
 */
export function perLabelRows(models: readonly (ModelDiagnostics | null | undefined)[]): PerLabelRow[] {
  if (models.some((d) => d?.details.labels?.kind === 'k-means')) return [];
  const labels = new Set<string>();
  for (const d of models) {
    for (const label of Object.keys(d?.silhouettePerLabel ?? {})) labels.add(label);
    for (const label of Object.keys(d?.details.neighborCoherence?.perLabel ?? {})) labels.add(label);
  }
  return [...labels].map((label) => ({
    label,
    silhouette: models.map((d) => d?.silhouettePerLabel?.[label] ?? null),
    coherence: models.map((d) => d?.details.neighborCoherence?.perLabel[label] ?? null),
  }));
}
