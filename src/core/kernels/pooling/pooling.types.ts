import { POOLING_MODES, type PoolingMode } from './poolingModes.ts';

/**
 * One padded batch of token embeddings to pool into sentence embeddings. Both twins (`pooling.cpu.ts`,
 * `pooling.ts` on WebGPU) take this and return `[batch × hidden·modes.length]`, rows in batch order. The
 * WebGPU twin also takes `tokens` as a GPU buffer: the model's output where it already lives.
 */
export interface PoolingInput<Tokens = Float32Array> {
  /** `[batch × seqLen × hidden]` token embeddings, row-major. */
  tokens: Tokens;
  /** `[batch × seqLen]`: 1 where a real token is, 0 for padding. */
  mask: Uint8Array;
  batch: number;
  seqLen: number;
  hidden: number;
  /** Concatenated in this order (sentence-transformers' order). */
  modes: readonly PoolingMode[];
  /** L2-normalise each pooled row (eps 1e-12, as torch's `normalize`). */
  normalize: boolean;
}

/** One implementation of the kernel: the CPU twin, or the WebGPU one bound to a device. */
export type PoolingKernel<Tokens = Float32Array> = (input: PoolingInput<Tokens>) => Promise<Float32Array>;

/** Mode codes the WGSL kernel switches on: the index in {@link POOLING_MODES}. */
export function poolingModeCode(mode: PoolingMode): number {
  return POOLING_MODES.indexOf(mode);
}

export function checkPoolingInput(input: PoolingInput<unknown>): { dim: number } {
  const { batch, seqLen, hidden, modes, mask, tokens } = input;
  for (const [name, value] of [['batch', batch], ['seqLen', seqLen], ['hidden', hidden]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`pooling: ${name} must be a non-negative integer, got ${value}`);
  }
  if (modes.length === 0) throw new RangeError('pooling: at least one mode is needed');
  const unknown = modes.find((m) => !POOLING_MODES.includes(m));
  if (unknown) throw new RangeError(`pooling: unknown mode ${unknown}`);
  if (mask.length !== batch * seqLen) throw new RangeError(`pooling: the mask holds ${mask.length} values, expected ${batch} × ${seqLen}`);
  if (tokens instanceof Float32Array && tokens.length !== batch * seqLen * hidden) {
    throw new RangeError(`pooling: ${tokens.length} token values, expected ${batch} × ${seqLen} × ${hidden}`);
  }
  return { dim: hidden * modes.length };
}
