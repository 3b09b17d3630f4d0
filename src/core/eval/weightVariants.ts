import type { Checkpoint, VectorCheckpoint } from './checkpoint.ts';

/** Weights of a model besides its float32 ones that the compression sweep can encode with. */
export type WeightVariant = 'fp16' | 'quantized';

/** What a variant is called where the report shows it: "int8 weights", "fp16 weights". */
export function weightsLabel(weights: WeightVariant): string {
  return `${weights === 'quantized' ? 'int8' : weights} weights`;
}

/** A checkpoint in the comparison's order, and for a weight variant the position of its float32 original. */
export interface PlacedCheckpoint {
  checkpoint: Checkpoint;
  variantOf?: { at: number; weights: WeightVariant };
}

/**
 * `checkpoints` with each model's weight variants right after it, named from it ("tuned · int8 weights"),
 * encoded once each (cached under their own fingerprint) and paired with it by position. Checkpoints that
 * offer no other weights (imported vectors, rankings) are left as they are.
 */
export function withWeightVariants(checkpoints: readonly Checkpoint[], weights: readonly WeightVariant[]): PlacedCheckpoint[] {
  const placed: PlacedCheckpoint[] = [];
  for (const checkpoint of checkpoints) {
    const at = placed.push({ checkpoint }) - 1;
    if (checkpoint.kind !== 'vectors' || !checkpoint.withWeights) continue;
    for (const variant of weights) {
      const made: VectorCheckpoint = { ...checkpoint.withWeights(variant), name: `${checkpoint.name} · ${weightsLabel(variant)}` };
      placed.push({ checkpoint: made, variantOf: { at, weights: variant } });
    }
  }
  return placed;
}
