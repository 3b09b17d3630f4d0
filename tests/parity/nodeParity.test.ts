import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNodeEncoder } from '../../src/cli/nodeEncoder.ts';
import { HAS_SHARED_MODELS, needs, REAL_MODELS, SHARED_MODELS } from '../paths.ts';
import { maxAbsDelta, referenceValues } from '../referenceValues.ts';

/** Parity of tokenizer + onnxruntime-node + pooling + normalisation with sentence-transformers 6.0.1. */
describe.skipIf(!HAS_SHARED_MODELS)(needs(SHARED_MODELS, 'parity with sentence-transformers (onnxruntime-node)'), () => {
  it.each(REAL_MODELS)('%s: token ids equal, embeddings within 1e-4', async (name) => {
    const reference = referenceValues();
    const encoder = await loadNodeEncoder(path.join(SHARED_MODELS, name));
    try {
      const ids = reference.probe_sentences.map((text) => encoder.folder.tokenizer.encode(text));
      expect(ids).toEqual(reference.probe_token_ids);
      const { vectors, dim } = await encoder.encode(reference.probe_sentences);
      expect(dim).toBe(384);
      const delta = maxAbsDelta(vectors, dim, reference.models[name].probe_embeddings);
      console.log(`${name} on onnxruntime-node: max |Δ| vs sentence-transformers = ${delta.toExponential(2)}`);
      expect(delta).toBeLessThanOrEqual(1e-4);
    } finally {
      await encoder.release();
    }
  });
});
