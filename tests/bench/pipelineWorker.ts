// The Transformers.js feature-extraction pipeline as a user would run it in a browser, in a worker.
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { expose } from 'comlink';

let extractor: FeatureExtractionPipeline | null = null;

const api = {
  async load(model: string, device: 'wasm' | 'webgpu', threads: number): Promise<void> {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = '/models/';
    if (env.backends.onnx.wasm) env.backends.onnx.wasm.numThreads = threads;
    extractor = await pipeline('feature-extraction', model, { device, dtype: 'fp32' });
    // The same 256-token limit as sentence-transformers and the lab (its tokenizer config says 512).
    extractor.tokenizer.model_max_length = 256;
  },

  /** Fixed-size batches in input order: what a script around the pipeline does. */
  async embed(texts: string[], batchSize: number): Promise<{ vectors: number[]; dim: number }> {
    if (!extractor) throw new Error('load first');
    const vectors: number[] = [];
    let dim = 0;
    for (let i = 0; i < texts.length; i += batchSize) {
      const output = await extractor(texts.slice(i, i + batchSize), { pooling: 'mean', normalize: true });
      dim = output.dims[1];
      if (i === 0) vectors.push(...(output.data as Float32Array).subarray(0, dim));
    }
    return { vectors, dim };
  },
};

export type PipelineWorkerApi = typeof api;
expose(api);
