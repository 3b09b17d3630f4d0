// The Transformers.js feature-extraction pipeline as a user would run it in a browser, in a worker.
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';
import { expose } from 'comlink';

let extractor: FeatureExtractionPipeline | null = null;

const api = {
  /** `maxLength` null keeps the pipeline's own limit (the tokenizer config's 512), as a user would run it. */
  async load(model: string, device: 'wasm' | 'webgpu', threads: number, maxLength: number | null = 256): Promise<void> {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = '/models/';
    if (env.backends.onnx.wasm) {
      env.backends.onnx.wasm.numThreads = threads;
      // Its own onnxruntime-web build, served from node_modules: by default it fetches the wasm from a CDN.
      env.backends.onnx.wasm.wasmPaths = '/node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist/';
    }
    extractor = await pipeline('feature-extraction', model, { device, dtype: 'fp32' });
    // The same 256-token limit as sentence-transformers and the lab (its tokenizer config says 512).
    // model_max_length is a getter over the tokenizer config; the pipeline has no option for it.
    if (maxLength !== null) (extractor.tokenizer as unknown as { _tokenizerConfig: { model_max_length: number } })._tokenizerConfig.model_max_length = maxLength;
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
