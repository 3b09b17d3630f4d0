import { describe, expect, it } from 'vitest';
import { applyAfterPooling, splitAfterPooling } from './afterPooling.ts';
import type { DenseModule } from './denseLayer.ts';
import type { SentenceModule } from './stModules.ts';

const pooling: SentenceModule = { kind: 'pooling', path: '1_Pooling', modes: ['mean'], includePrompt: true, embeddingDimension: 2 };
const normalize: SentenceModule = { kind: 'normalize', path: '3_Normalize' };
/** 2 → 3: [x0, x1] ↦ [x0, x1, x0 + x1], no activation. */
const widen: DenseModule = {
  kind: 'dense', path: '2_Dense', inFeatures: 2, outFeatures: 3, activation: 'Identity',
  weight: Float32Array.from([1, 0, 0, 1, 1, 1]), bias: null, residual: null,
};

describe('the modules after Pooling', () => {
  it('a lone Normalize is left to the pooling step; anything else runs after it', () => {
    expect(splitAfterPooling([pooling, normalize])).toEqual({ normalizeInPooling: true, after: [] });
    expect(splitAfterPooling([pooling])).toEqual({ normalizeInPooling: false, after: [] });
    expect(splitAfterPooling([pooling, widen, normalize])).toEqual({ normalizeInPooling: false, after: [widen, normalize] });
  });

  it('Dense then Normalize, in order, and the dimension follows the Dense (hand-computed)', () => {
    // [3, 4] → [3, 4, 7] → / √(9 + 16 + 49) = √74;  [0, 0] → [0, 0, 0] stays zero (eps 1e-12).
    const out = applyAfterPooling({ vectors: Float32Array.from([3, 4, 0, 0]), dim: 2 }, 2, [widen, normalize]);
    expect(out.dim).toBe(3);
    expect(Array.from(out.vectors)).toEqual([3 / Math.sqrt(74), 4 / Math.sqrt(74), 7 / Math.sqrt(74), 0, 0, 0].map(Math.fround));
  });

  it('Normalize then Dense is not the same thing, and is kept in that order', () => {
    // [3, 4] → [0.6, 0.8] (stored as float32) → [0.6, 0.8, 0.6 + 0.8]
    const [a, b] = [Math.fround(0.6), Math.fround(0.8)];
    const out = applyAfterPooling({ vectors: Float32Array.from([3, 4]), dim: 2 }, 1, [normalize, widen]);
    expect(Array.from(out.vectors)).toEqual([a, b, Math.fround(a + b)]);
  });

  it('truncate_dim keeps the first values of each row after the last module, without renormalising', () => {
    const out = applyAfterPooling({ vectors: Float32Array.from([3, 4, 1, 2]), dim: 2 }, 2, [widen, normalize], 2);
    expect(out.dim).toBe(2);
    expect(Array.from(out.vectors)).toEqual([3 / Math.sqrt(74), 4 / Math.sqrt(74), 1 / Math.sqrt(14), 2 / Math.sqrt(14)].map(Math.fround));
  });
});
