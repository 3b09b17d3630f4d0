/**
 * Sentence-transformers pooling modes, in the order its `Pooling` module concatenates them (cls, max, mean,
 * mean_sqrt_len_tokens, weightedmean, lasttoken). Source: sentence_transformers/models/Pooling.py. The
 * kernels own this list (the WGSL twin switches on a mode's index); model folders are parsed into it.
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
