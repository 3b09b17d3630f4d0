import { checkLabelDistanceInput, type LabelDistanceInput, type LabelDistanceSums } from './labelDistances.types.ts';

/** Rows scored together against each column row: their four dot products share the column's loads. */
const ROW_BLOCK = 4;

/**
 * CPU twin of `GpuLabelDistances`. Each unordered pair is scored once (dot product in float64 over the
 * float32 components) and added to both points' sums.
 */
export async function labelDistanceSumsCpu(input: LabelDistanceInput): Promise<LabelDistanceSums> {
  const count = checkLabelDistanceInput(input);
  const { vectors: v, dim, labelOf, labelCount } = input;
  const sums = new Float64Array(count * labelCount);
  const dots = new Float64Array(ROW_BLOCK);
  for (let p0 = 0; p0 < count; p0 += ROW_BLOCK) {
    const rows = Math.min(ROW_BLOCK, count - p0);
    const a0 = p0 * dim;
    const a1 = (p0 + Math.min(1, rows - 1)) * dim;
    const a2 = (p0 + Math.min(2, rows - 1)) * dim;
    const a3 = (p0 + Math.min(3, rows - 1)) * dim;
    for (let q = p0 + 1; q < count; q++) {
      const b = q * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let j = 0; j < dim; j++) {
        const x = v[b + j];
        s0 += v[a0 + j] * x;
        s1 += v[a1 + j] * x;
        s2 += v[a2 + j] * x;
        s3 += v[a3 + j] * x;
      }
      dots[0] = s0;
      dots[1] = s1;
      dots[2] = s2;
      dots[3] = s3;
      const lq = labelOf[q];
      // Only pairs p < q: within the block, rows at or after q are scored when q's turn comes.
      for (let t = 0; t < rows && p0 + t < q; t++) {
        const p = p0 + t;
        const distance = 1 - dots[t];
        sums[p * labelCount + lq] += distance;
        sums[q * labelCount + labelOf[p]] += distance;
      }
    }
  }
  return { count, labelCount, sums };
}
