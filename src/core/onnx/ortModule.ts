import type { InferenceSession, Tensor } from 'onnxruntime-common';

/**
 * The parts of an onnxruntime package the lab uses: sessions over ONNX bytes, and the tensors its graphs take
 * (int64 token ids for a model, float32 rows and an int64 k for the top-k graph). `onnxruntime-web` (the
 * workers) and `onnxruntime-node` (the CLI) both satisfy it, so the model runner and the top-k kernel take
 * the package as a parameter instead of importing one.
 */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array | string, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: {
    new (type: 'float32', data: Float32Array, dims: readonly number[]): Tensor;
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): Tensor;
  };
}
