import { describe, expect, it } from 'vitest';
import { buildBatchInputs, planBatches } from './batching.ts';

describe('planBatches', () => {
  it('sorts longest first, keeps ties in input order and respects the token budget', () => {
    const lengths = [5, 9, 5, 2, 9, 3];
    const plans = planBatches(lengths, 18, 10);
    expect(plans).toEqual([
      { indices: [1, 4], seqLen: 9 },
      { indices: [0, 2, 5], seqLen: 5 },
      { indices: [3], seqLen: 2 },
    ]);
    expect(planBatches(lengths, 100, 10)).toEqual([
      { indices: [1, 4, 0, 2], seqLen: 9 },
      { indices: [5, 3], seqLen: 3 },
    ]);
    // Every text appears exactly once.
    expect(plans.flatMap((p) => p.indices).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const plan of plans) expect(plan.indices.length * plan.seqLen).toBeLessThanOrEqual(18);
  });
  it('caps the number of texts per batch', () => {
    const plans = planBatches([1, 1, 1, 1, 1], 1000, 2);
    expect(plans.map((p) => p.indices)).toEqual([[0, 1], [2, 3], [4]]);
  });
  it('does not pad a short text to a long one', () => {
    expect(planBatches([256, 12, 10, 9], 8192, 64)).toEqual([
      { indices: [0], seqLen: 256 },
      { indices: [1, 2, 3], seqLen: 12 },
    ]);
  });
  it('gives a text longer than the budget a batch of its own', () => {
    expect(planBatches([50, 3], 10, 8)).toEqual([
      { indices: [0], seqLen: 50 },
      { indices: [1], seqLen: 3 },
    ]);
  });
  it('plans nothing for no texts', () => {
    expect(planBatches([], 10, 8)).toEqual([]);
  });
});

describe('buildBatchInputs', () => {
  it('pads to the batch length with the pad id and masks padding', () => {
    const inputs = buildBatchInputs([[2, 7, 3], [2, 3]], { indices: [0, 1], seqLen: 3 }, 9);
    expect(Array.from(inputs.inputIds)).toEqual([2n, 7n, 3n, 2n, 3n, 9n]);
    expect(Array.from(inputs.attentionMask)).toEqual([1n, 1n, 1n, 1n, 1n, 0n]);
    expect(Array.from(inputs.mask)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(Array.from(inputs.tokenTypeIds)).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
  });
  it('leaves the prompt out of the pooling mask only, as Pooling does for include_prompt: false', () => {
    const inputs = buildBatchInputs([[2, 7, 8, 5, 3], [2, 7, 8, 3]], { indices: [0, 1], seqLen: 5 }, 0, 3);
    expect(Array.from(inputs.attentionMask)).toEqual([1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n]);
    expect(Array.from(inputs.mask)).toEqual([0, 0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(Array.from(inputs.inputIds)).toEqual([2n, 7n, 8n, 5n, 3n, 2n, 7n, 8n, 3n, 0n]);
  });
});
