/** One forward pass: which inputs (original positions) go in, and the padded sequence length. */
export interface BatchPlan {
  indices: number[];
  seqLen: number;
}

/**
 * A text joins a batch only if it fills at least this share of the batch's longest row: attention costs
 * grow with the square of the padded length, so padding a 10-token text to 256 costs far more than a pass.
 */
const MIN_ROW_FILL = 0.5;

/**
 * Groups texts into batches of similar length so padding stays small: longest first (so the first batch
 * also tells early whether memory suffices), each batch at most `tokenBudget` padded tokens and
 * `maxBatch` texts, and no text shorter than {@link MIN_ROW_FILL} of its batch's longest. Ties keep input
 * order, so the plan is deterministic.
 */
export function planBatches(lengths: readonly number[], tokenBudget: number, maxBatch: number): BatchPlan[] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const plans: BatchPlan[] = [];
  let current: BatchPlan | null = null;
  for (const index of order) {
    if (
      current &&
      (current.indices.length + 1) * current.seqLen <= tokenBudget &&
      current.indices.length < maxBatch &&
      lengths[index] >= current.seqLen * MIN_ROW_FILL
    ) {
      current.indices.push(index);
    } else {
      current = { indices: [index], seqLen: lengths[index] };
      plans.push(current);
    }
  }
  return plans;
}

/** Padded model inputs for one batch, row-major `[batch × seqLen]`. */
export interface BatchInputs {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  /**
   * The tokens pooling reads, as bytes: the attention mask, less the leading `promptTokens` of each row
   * when the model pools without its prompt (`include_prompt: false`).
   */
  mask: Uint8Array;
  batch: number;
  seqLen: number;
}

/**
 * Rows padded on the right to `plan.seqLen`. `promptTokens` leading positions of every row are left out of
 * the pooling mask but not the attention mask, as sentence-transformers' Pooling does for
 * `include_prompt: false` (`_exclude_prompt_from_mask`: `attention_mask[:, :prompt_length] = 0` on a copy).
 */
export function buildBatchInputs(tokenIds: readonly (readonly number[])[], plan: BatchPlan, padId: number, promptTokens = 0): BatchInputs {
  const { indices, seqLen } = plan;
  const size = indices.length * seqLen;
  const inputIds = new BigInt64Array(size).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(size);
  const mask = new Uint8Array(size);
  indices.forEach((textIndex, row) => {
    const ids = tokenIds[textIndex];
    for (let t = 0; t < ids.length; t++) {
      inputIds[row * seqLen + t] = BigInt(ids[t]);
      attentionMask[row * seqLen + t] = 1n;
      mask[row * seqLen + t] = t < promptTokens ? 0 : 1;
    }
  });
  return { inputIds, attentionMask, tokenTypeIds: new BigInt64Array(size), mask, batch: indices.length, seqLen };
}
