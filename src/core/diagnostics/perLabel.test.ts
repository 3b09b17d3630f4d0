import { describe, expect, it } from 'vitest';
import { modelDiagnostics } from '../../../tests/fixtures/diagnosticsCase.ts';
import { perLabelRows } from './perLabel.ts';

describe('per-label diagnostics side by side', () => {
  it('lines each label’s silhouette and NC@10 up across models, null where a model lacks the label', () => {
    const a = modelDiagnostics({}, { silhouette: { cards: 0.3, loans: 0.1 }, coherence: { cards: 0.7, loans: 0.5 } });
    const b = modelDiagnostics({}, { silhouette: { cards: 0.35, fees: 0.2 }, coherence: { cards: 0.75, fees: 0.4 } });
    expect(perLabelRows([a, undefined, b])).toEqual([
      { label: 'cards', silhouette: [0.3, null, 0.35], coherence: [0.7, null, 0.75] },
      { label: 'loans', silhouette: [0.1, null, null], coherence: [0.5, null, null] },
      { label: 'fees', silhouette: [null, null, 0.2], coherence: [null, null, 0.4] },
    ]);
  });

  it('gives nothing for k-means clusters, which are each model’s own', () => {
    const clustered = modelDiagnostics();
    clustered.details = { ...clustered.details, labels: { kind: 'k-means', k: 2, seed: 1, iterations: 3, converged: true, points: 40, fittedOn: 40 } };
    expect(perLabelRows([clustered, modelDiagnostics()])).toEqual([]);
  });
});
