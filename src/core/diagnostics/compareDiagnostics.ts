import type { ModelDiagnostics } from './modelDiagnostics.ts';

/** How a diagnostic is read: which direction is better (if any) and what size of change is material. */
interface DiagnosticSpec {
  key: DiagnosticKey;
  title: string;
  /** null: descriptive only, neither direction is better in itself. */
  better: 'higher' | 'lower' | null;
  /** Smallest change called a change: absolute, or relative to the baseline value. */
  minChange: { absolute: number } | { relative: number };
  standardError?: (d: ModelDiagnostics) => number | null;
  /** How to read the value, in one line, where its scale misleads (printed beside it). */
  note?: string;
  /** The same reading cut to a clause, for a summary that quotes the value in passing. */
  brief?: string;
}

export type DiagnosticKey =
  | 'silhouette'
  | 'neighborCoherence@10'
  | 'separationRatio'
  | 'daviesBouldin'
  | 'alignment'
  | 'uniformity'
  | 'anisotropy'
  | 'effectiveRank'
  | 'scoreGap'
  | 'rocAuc'
  | 'hardNegativeRocAuc'
  | 'tripletAccuracy';

export const DIAGNOSTIC_SPECS: readonly DiagnosticSpec[] = [
  { key: 'silhouette', title: 'Silhouette (cosine)', better: 'higher', minChange: { absolute: 0.01 }, standardError: (d) => d.details.silhouette?.standardError ?? null },
  { key: 'neighborCoherence@10', title: 'Neighbour coherence NC@10', better: 'higher', minChange: { absolute: 0.01 }, standardError: (d) => d.details.neighborCoherence?.standardError ?? null },
  { key: 'separationRatio', title: 'Separation ratio (pairwise)', better: 'higher', minChange: { relative: 0.01 } },
  { key: 'daviesBouldin', title: 'Davies–Bouldin', better: 'lower', minChange: { relative: 0.02 } },
  { key: 'alignment', title: 'Alignment (query ↔ relevant)', better: 'lower', minChange: { relative: 0.02 } },
  { key: 'uniformity', title: 'Uniformity', better: null, minChange: { absolute: 0.02 } },
  { key: 'anisotropy', title: 'Anisotropy (mean pairwise cosine)', better: null, minChange: { absolute: 0.01 } },
  { key: 'effectiveRank', title: 'Effective rank', better: null, minChange: { relative: 0.02 } },
  { key: 'scoreGap', title: 'Score gap (relevant − all non-relevant)', better: 'higher', minChange: { absolute: 0.01 } },
  {
    key: 'rocAuc',
    title: 'ROC-AUC (relevant vs all non-relevant)',
    better: 'higher',
    minChange: { absolute: 0.005 },
    standardError: (d) => d.details.corpusScores?.standardError ?? null,
    note: 'share of (relevant, non-relevant) pairs of a query, over the whole corpus, that the relevant document wins: 0.5 is chance, 1 every relevant document above every other.',
  },
  {
    key: 'hardNegativeRocAuc',
    title: 'Hard-negative ROC-AUC (top 100)',
    better: 'higher',
    minChange: { absolute: 0.005 },
    note: "the chance that a relevant document outscores a non-relevant one from a query's top 100, all queries pooled: those negatives are the highest-scoring documents the model found, so under 0.5 is normal even for a good model — compare models on it, not with 0.5.",
    brief: 'under 0.5 is normal for it, its negatives being the highest-scoring documents of each query: compare models on it, not with 0.5',
  },
  { key: 'tripletAccuracy', title: 'Triplet accuracy', better: 'higher', minChange: { absolute: 0.005 } },
];

/**
 * The one-line reading of `key`, where its scale misleads (null where the value reads as it stands);
 * `brief`: the clause a summary puts beside a value it quotes.
 */
export function diagnosticNote(key: DiagnosticKey, form: 'full' | 'brief' = 'full'): string | null {
  const spec = DIAGNOSTIC_SPECS.find((s) => s.key === key);
  return (form === 'brief' ? spec?.brief : spec?.note) ?? null;
}

export type Movement = 'up' | 'down' | 'same' | 'within-noise' | 'n/a';

export interface DiagnosticDelta {
  key: DiagnosticKey;
  title: string;
  better: 'higher' | 'lower' | null;
  baseline: number | null;
  value: number | null;
  delta: number | null;
  movement: Movement;
  /** Whether the movement is an improvement, a regression, or neither (descriptive or unchanged). */
  verdict: 'better' | 'worse' | null;
}

/**
 * Each diagnostic of `model` against `baseline`. A change smaller than the diagnostic's material size is
 * `same`; a sampled diagnostic must also move by more than twice the standard error of the difference
 * (else `within-noise`).
 */
export function diagnosticDeltas(baseline: ModelDiagnostics, model: ModelDiagnostics): DiagnosticDelta[] {
  return DIAGNOSTIC_SPECS.map((spec) => {
    const a = baseline[spec.key];
    const b = model[spec.key];
    const base = { key: spec.key, title: spec.title, better: spec.better, baseline: a, value: b };
    if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) return { ...base, delta: null, movement: 'n/a' as const, verdict: null };
    const delta = b - a;
    const material = 'absolute' in spec.minChange ? spec.minChange.absolute : spec.minChange.relative * Math.abs(a);
    let movement: Movement = Math.abs(delta) < material ? 'same' : delta > 0 ? 'up' : 'down';
    const seA = spec.standardError?.(baseline) ?? null;
    const seB = spec.standardError?.(model) ?? null;
    if (movement !== 'same' && (seA !== null || seB !== null) && Math.abs(delta) <= 2 * Math.hypot(seA ?? 0, seB ?? 0)) movement = 'within-noise';
    const verdict =
      spec.better === null || (movement !== 'up' && movement !== 'down') ? null : (movement === 'up') === (spec.better === 'higher') ? 'better' : 'worse';
    return { ...base, delta, movement, verdict };
  });
}

/** Context from the retrieval comparison that the reading may cite. */
export interface RetrievalChange {
  metric: string;
  baseline: number;
  value: number;
  /** Holm-adjusted significance of the change. */
  significant: boolean;
}

/**
 * A short plain-language reading of `model` against `baseline`: one sentence per pattern the numbers show,
 * each quoting them. Nothing is said of a diagnostic that did not move beyond its material size and noise.
 */
export function readDiagnostics(
  baselineName: string,
  baseline: ModelDiagnostics,
  modelName: string,
  model: ModelDiagnostics,
  retrieval?: RetrievalChange,
): string[] {
  const deltas = new Map(diagnosticDeltas(baseline, model).map((d) => [d.key, d]));
  const moved = (key: DiagnosticKey) => {
    const m = deltas.get(key)!.movement;
    return m === 'up' || m === 'down' ? m : null;
  };
  const quote = (key: DiagnosticKey) => {
    const d = deltas.get(key)!;
    return `${format(d.baseline)} → ${format(d.value)}`;
  };
  const lines: string[] = [];

  const health = (d: ModelDiagnostics, name: string) => {
    const h = d.health;
    const problems = [
      h.nanComponents && `${h.nanComponents} NaN components`,
      h.infComponents && `${h.infComponents} infinite components`,
      h.zeroNormVectors && `${h.zeroNormVectors} zero vectors`,
    ].filter(Boolean);
    if (problems.length) lines.push(`${name} has ${problems.join(', ')} among its document embeddings: check them before trusting any metric.`);
  };
  health(baseline, baselineName);
  health(model, modelName);
  const [dupA, dupB] = [baseline.health.duplicateVectors, model.health.duplicateVectors];
  if (dupA || dupB) {
    lines.push(`Documents whose vector exactly repeats another's: ${dupA} for ${baselineName}, ${dupB} for ${modelName}; each still counts as its own point in the label diagnostics.`);
  }

  const coherence = moved('neighborCoherence@10');
  const separation = moved('separationRatio');
  if (coherence && separation) {
    const nc = `neighbour coherence ${coherence} (${quote('neighborCoherence@10')})`;
    const sep = `separation ratio ${separation} (${quote('separationRatio')})`;
    const meaning =
      coherence === 'up' && separation === 'down'
        ? 'tighter neighbourhoods, less distinct classes'
        : coherence === 'up'
          ? 'purer neighbourhoods and classes further apart'
          : separation === 'down'
            ? 'neighbourhoods mix labels more and classes sit closer together'
            : 'classes further apart on average, but nearest neighbours mix labels more';
    lines.push(`${capitalise(nc)}, ${sep}: ${meaning}.`);
  } else if (coherence) {
    lines.push(`Neighbour coherence ${coherence} (${quote('neighborCoherence@10')}): nearest neighbours share their label ${coherence === 'up' ? 'more' : 'less'} often; the separation ratio did not move materially.`);
  } else if (separation) {
    lines.push(`Separation ratio ${separation} (${quote('separationRatio')}): labels sit ${separation === 'up' ? 'further apart' : 'closer together'} relative to their spread; neighbour coherence did not move materially.`);
  }

  const silhouette = deltas.get('silhouette')!;
  if (silhouette.movement === 'within-noise') {
    lines.push(`Silhouette ${quote('silhouette')} is within the sampling error of its estimate: no change can be claimed.`);
  } else if (silhouette.movement === 'up' || silhouette.movement === 'down') {
    const improved = retrieval && retrieval.significant && retrieval.value > retrieval.baseline;
    if (silhouette.movement === 'down' && improved) {
      lines.push(
        `Retrieval improved (${retrieval.metric} ${format(retrieval.baseline)} → ${format(retrieval.value)}) while silhouette fell (${quote('silhouette')}): ${modelName} ranks relevant documents higher without making the label clusters more separated.`,
      );
    } else {
      lines.push(`Silhouette ${silhouette.movement} (${quote('silhouette')}): label clusters are ${silhouette.movement === 'up' ? 'more' : 'less'} cohesive relative to their nearest other label.`);
    }
  }

  const anisotropy = moved('anisotropy');
  if (anisotropy) {
    lines.push(
      `Mean pairwise cosine ${anisotropy} (${quote('anisotropy')}): the embeddings occupy a ${anisotropy === 'up' ? 'narrower cone, so raw cosine values run higher for everything' : 'wider part of the sphere'}.`,
    );
  }
  const rank = moved('effectiveRank');
  if (rank) lines.push(`Effective rank ${rank} (${quote('effectiveRank')}): the documents use ${rank === 'up' ? 'more' : 'fewer'} directions of the space.`);
  const aligned = moved('alignment');
  if (aligned) lines.push(`Alignment ${aligned} (${quote('alignment')}): queries sit ${aligned === 'down' ? 'closer to' : 'further from'} their relevant documents.`);
  const gap = moved('scoreGap');
  const auc = moved('rocAuc');
  if (gap || auc) {
    const parts = [gap && `score gap ${quote('scoreGap')}`, auc && `ROC-AUC ${quote('rocAuc')}`].filter(Boolean).join(', ');
    const better = (gap ?? auc) === 'up';
    lines.push(`Relevant documents score ${better ? 'further above' : 'closer to'} the rest of the corpus (${parts}).`);
  }
  const hard = moved('hardNegativeRocAuc');
  if (hard) {
    lines.push(`Against the non-relevant documents of each query's top 100 — the hardest competition — relevant documents win ${hard === 'up' ? 'more' : 'less'} often (${quote('hardNegativeRocAuc')}).`);
  }
  const triplets = moved('tripletAccuracy');
  if (triplets) lines.push(`Triplet accuracy ${triplets} (${quote('tripletAccuracy')}).`);

  if (baseline.details.labels?.kind === 'k-means' || model.details.labels?.kind === 'k-means') {
    lines.push('Labels are each model’s own k-means clusters: the label diagnostics compare how clusterable each embedding is, not agreement with any classes.');
  }
  if (lines.length === 0) lines.push(`No diagnostic moved beyond its material size between ${baselineName} and ${modelName}.`);
  return lines;
}

function format(value: number | null): string {
  if (value === null) return '–';
  return Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(3);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
