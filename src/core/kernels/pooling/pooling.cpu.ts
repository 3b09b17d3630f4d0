import type { PoolingMode } from './poolingModes.ts';
import { normalizeRows } from '../../vectors/normalize.ts';
import { checkPoolingInput, type PoolingInput } from './pooling.types.ts';

/**
 * CPU twin of the WebGPU pooling kernel (`pooling.ts`): sentence-transformers pooling of one batch, then
 * optional L2 normalisation. The worker uses the GPU twin where token embeddings are already on the GPU;
 * everything else (WASM, the CLI's onnxruntime-node) uses this one.
 */
export async function poolTokensCpu(input: PoolingInput): Promise<Float32Array> {
  const { dim } = checkPoolingInput(input);
  const out = new Float32Array(input.batch * dim);
  poolBatch({ data: input.tokens, mask: input.mask, batch: input.batch, seqLen: input.seqLen, hidden: input.hidden }, input.modes, out);
  if (input.normalize) normalizeRows(out, dim);
  return out;
}

/** Token embeddings of one batch: `data` is `[batch × seqLen × hidden]`, `mask` is `[batch × seqLen]` (1 = token). */
export interface TokenEmbeddings {
  data: Float32Array;
  mask: Uint8Array;
  batch: number;
  seqLen: number;
  hidden: number;
}

/**
 * Pools each row of the batch into `out` at `out[row * dim …]`, where `dim = hidden × modes.length`.
 * Accumulates in float64 so the result does not depend on the order of summation beyond fp32 rounding of
 * the inputs (sentence-transformers sums in fp32 on GPU; float64 keeps us within 1e-7 of it).
 */
export function poolBatch(tokens: TokenEmbeddings, modes: readonly PoolingMode[], out: Float32Array): void {
  const { data, mask, batch, seqLen, hidden } = tokens;
  const dim = hidden * modes.length;
  if (out.length < batch * dim) throw new RangeError(`pooling output holds ${out.length} values, needs ${batch * dim}`);
  const acc = new Float64Array(hidden);
  for (let row = 0; row < batch; row++) {
    const tokenBase = row * seqLen;
    let count = 0;
    let last = -1;
    let first = -1;
    for (let t = 0; t < seqLen; t++) {
      if (mask[tokenBase + t]) {
        count++;
        last = t;
        if (first < 0) first = t;
      }
    }
    modes.forEach((mode, m) => {
      const outBase = row * dim + m * hidden;
      acc.fill(mode === 'max' ? -Infinity : 0);
      switch (mode) {
        case 'cls':
          // The first token the mask keeps (argmax of the mask, as sentence-transformers 6 takes it): token 0,
          // unless a prompt is excluded from pooling (include_prompt: false) — then the first text token.
          copyToken(data, (tokenBase + Math.max(first, 0)) * hidden, hidden, acc);
          break;
        case 'lasttoken':
          // sentence-transformers takes the last non-padding token; a fully masked row yields zeros.
          if (last >= 0) copyToken(data, (tokenBase + last) * hidden, hidden, acc);
          break;
        case 'max':
          for (let t = 0; t < seqLen; t++) {
            if (!mask[tokenBase + t]) continue;
            const base = (tokenBase + t) * hidden;
            for (let j = 0; j < hidden; j++) if (data[base + j] > acc[j]) acc[j] = data[base + j];
          }
          // Its max pooling sets masked positions to -1e9, so an all-masked row gives -1e9 per component.
          if (count === 0) acc.fill(-1e9);
          break;
        case 'weightedmean': {
          // Position weights 1…n over the whole padded sequence, as in sentence-transformers.
          let weightSum = 0;
          for (let t = 0; t < seqLen; t++) {
            if (!mask[tokenBase + t]) continue;
            const w = t + 1;
            weightSum += w;
            const base = (tokenBase + t) * hidden;
            for (let j = 0; j < hidden; j++) acc[j] += w * data[base + j];
          }
          scale(acc, 1 / Math.max(weightSum, 1e-9));
          break;
        }
        case 'mean':
        case 'mean_sqrt_len_tokens': {
          for (let t = 0; t < seqLen; t++) {
            if (!mask[tokenBase + t]) continue;
            const base = (tokenBase + t) * hidden;
            for (let j = 0; j < hidden; j++) acc[j] += data[base + j];
          }
          // Its clamp(min=1e-9) on the token count keeps an all-masked row at zero instead of NaN.
          scale(acc, 1 / (mode === 'mean' ? Math.max(count, 1e-9) : Math.sqrt(Math.max(count, 1e-9))));
          break;
        }
      }
      for (let j = 0; j < hidden; j++) out[outBase + j] = acc[j];
    });
  }
}

function copyToken(data: Float32Array, base: number, hidden: number, acc: Float64Array): void {
  for (let j = 0; j < hidden; j++) acc[j] = data[base + j];
}

function scale(acc: Float64Array, factor: number): void {
  for (let j = 0; j < acc.length; j++) acc[j] *= factor;
}
