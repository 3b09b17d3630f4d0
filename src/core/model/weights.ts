/**
 * The tensors of a checkpoint as the graph builders see them: names as transformers saves them, values as
 * float32 whatever the file stores (float16 and bfloat16 are widened; arithmetic is float32 everywhere).
 * `safetensorsWeights.ts` implements it over one file or a sharded set; tests implement it over a Map.
 */
export interface WeightTensor {
  /** PyTorch's shape: a Linear weight is `[out, in]`. */
  readonly dims: readonly number[];
  /** Row-major values: a view of the file's bytes where they are float32 and aligned, a copy otherwise. */
  readonly data: Float32Array;
}

export interface Weights {
  /** What the user calls the model; errors start with it. */
  readonly source: string;
  /** Every tensor name, in file order. */
  readonly names: readonly string[];
  has(name: string): boolean;
  /** The tensor's shape without reading its values; throws `ModelFolderError` naming file and tensor when absent. */
  dims(name: string): readonly number[];
  /** The tensor as float32; throws `ModelFolderError` naming file and tensor when absent. */
  float32(name: string): WeightTensor;
  /** The file that holds `name` (`model.safetensors`, `model-00001-of-00002.safetensors`), for messages. */
  fileOf(name: string): string;
  /** The dtype stored in the file (`F32`, `F16`, `BF16`, …). */
  dtypeOf(name: string): string;
  /** The files' bytes as read (one entry per shard), for their digests; absent for weights held in memory. */
  readonly files?: readonly { file: string; bytes: Uint8Array }[];
}
