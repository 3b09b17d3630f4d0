import { maxAbsDifference, rowCosines } from './rowCosines.ts';

/** How closely two backends' embeddings of the same texts agree (WebGPU against WASM). */
export interface BackendAgreement {
  /** Cosine between the two embeddings of each text, in text order. */
  cosines: number[];
  /** Largest absolute difference of any one component. */
  maxAbsDelta: number;
}

/**
 * The agreement of `a` and `b`, two row-major [texts × dim] embeddings of the same texts: known
 * onnxruntime-web and transformers.js bugs make fp16/int8 WebGPU drift from WASM, so the page shows this
 * before results are trusted.
 */
export function backendAgreement(a: Float32Array, b: Float32Array, dim: number): BackendAgreement {
  return { cosines: Array.from(rowCosines(a, b, dim)), maxAbsDelta: maxAbsDifference(a, b) };
}
