/**
 * Sentence-transformers pooling modes, in the order its `Pooling` module concatenates them (cls, max, mean,
 * mean_sqrt_len_tokens, weightedmean, lasttoken). Source: sentence_transformers/models/Pooling.py. The
 * kernels that pool live in `core/kernels/pooling`.
 */
export type PoolingMode = 'cls' | 'max' | 'mean' | 'mean_sqrt_len_tokens' | 'weightedmean' | 'lasttoken';

export const POOLING_MODES: readonly PoolingMode[] = [
  'cls',
  'max',
  'mean',
  'mean_sqrt_len_tokens',
  'weightedmean',
  'lasttoken',
];
