import { describe, expect, it } from 'vitest';
import { diagnosticDeltas, readDiagnostics } from './compareDiagnostics.ts';
import type { ModelDiagnostics } from './modelDiagnostics.ts';

function diagnostics(overrides: Partial<ModelDiagnostics> = {}, standardError: number | null = null): ModelDiagnostics {
  return {
    silhouette: 0.2,
    silhouettePerLabel: { a: 0.2 },
    'neighborCoherence@10': 0.6,
    separationRatio: 1.3,
    daviesBouldin: 2,
    alignment: 0.8,
    uniformity: -2,
    anisotropy: 0.1,
    effectiveRank: 200,
    health: { count: 10, dim: 4, nanComponents: 0, infComponents: 0, zeroNormVectors: 0, duplicateVectors: 0, norm: { min: 1, mean: 1, max: 1 } },
    scoreGap: 0.2,
    rocAuc: 0.8,
    hardNegativeRocAuc: 0.6,
    tripletAccuracy: null,
    details: {
      backend: 'cpu',
      labels: { kind: 'column', column: 'Class', labels: 3, points: 10 },
      silhouette: { points: 10, standardError, sampleSeed: standardError === null ? null : 1 },
      neighborCoherence: null,
      separationRatio: null,
      anisotropy: { meanPairwiseCosine: 0.1, meanVectorNorm: 0.3 },
      uniformity: { points: 10, sampleSeed: null },
      effectiveRank: { points: 10, sampleSeed: null },
      queryHealth: null,
      corpusScores: null,
      hardNegatives: null,
    },
    ...overrides,
  };
}

describe('diagnostics side by side', () => {
  it('gives each delta a movement and, where a direction is better, a verdict', () => {
    const deltas = new Map(diagnosticDeltas(diagnostics(), diagnostics({ daviesBouldin: 1.5, anisotropy: 0.3, silhouette: 0.205, tripletAccuracy: 0.9 })).map((d) => [d.key, d]));
    expect(deltas.get('daviesBouldin')).toMatchObject({ movement: 'down', verdict: 'better', delta: -0.5 });
    expect(deltas.get('anisotropy')).toMatchObject({ movement: 'up', verdict: null });
    expect(deltas.get('silhouette')).toMatchObject({ movement: 'same', verdict: null });
    expect(deltas.get('tripletAccuracy')).toMatchObject({ movement: 'n/a', delta: null });
  });

  it('reads "coherence up, separation down" as tighter neighbourhoods, less distinct classes, quoting the numbers', () => {
    const lines = readDiagnostics('A', diagnostics(), 'B', diagnostics({ 'neighborCoherence@10': 0.68, separationRatio: 1.2 }));
    expect(lines).toEqual([
      'Neighbour coherence up (0.600 → 0.680), separation ratio down (1.300 → 1.200): tighter neighbourhoods, less distinct classes.',
    ]);
  });

  it('ties a falling silhouette to a significant retrieval gain only when both hold', () => {
    const fine = diagnostics({ silhouette: 0.15 });
    const withGain = readDiagnostics('A', diagnostics(), 'B', fine, { metric: 'ndcg@10', baseline: 0.268, value: 0.313, significant: true });
    expect(withGain[0]).toBe('Retrieval improved (ndcg@10 0.268 → 0.313) while silhouette fell (0.200 → 0.150): B ranks relevant documents higher without making the label clusters more separated.');
    const noGain = readDiagnostics('A', diagnostics(), 'B', fine, { metric: 'ndcg@10', baseline: 0.268, value: 0.27, significant: false });
    expect(noGain[0]).toMatch(/^Silhouette down \(0.200 → 0.150\)/);
  });

  it('claims nothing for a sampled silhouette that moved within twice its standard error', () => {
    const lines = readDiagnostics('A', diagnostics({}, 0.02), 'B', diagnostics({ silhouette: 0.24 }, 0.02));
    expect(lines).toEqual(['Silhouette 0.200 → 0.240 is within the sampling error of its estimate: no change can be claimed.']);
  });

  it('says when nothing moved, and flags broken embeddings first', () => {
    expect(readDiagnostics('A', diagnostics(), 'B', diagnostics())).toEqual(['No diagnostic moved beyond its material size between A and B.']);
    const broken = diagnostics();
    broken.health = { ...broken.health, nanComponents: 3, zeroNormVectors: 1, duplicateVectors: 2 };
    expect(readDiagnostics('A', diagnostics(), 'B', broken).slice(0, 2)).toEqual([
      'B has 3 NaN components, 1 zero vectors among its document embeddings: check them before trusting any metric.',
      'Documents whose vector exactly repeats another\'s: 0 for A, 2 for B; each still counts as its own point in the label diagnostics.',
    ]);
  });
});
