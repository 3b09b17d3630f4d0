// Runs each encoder in a fresh worker (thread count and backend are fixed per worker), on texts handed in
// from Node, and reports docs/s and the time to the first embedding (model load + one text).
import { proxy, wrap } from 'comlink';
import type { EncoderApi } from '../../src/worker/api.ts';
import type { WeightsFormat } from '../../src/core/model/modelFolder.ts';
import { cosineSummary, rowCosines } from '../../src/core/vectors/rowCosines.ts';
import type { PipelineWorkerApi } from './pipelineWorker.ts';

export interface EncodeRun {
  firstEmbeddingMs: number;
  docsPerSecond: number;
  seconds: number;
  backend: string;
  dim: number;
  /** The first text's embedding, for a sanity comparison across encoders. */
  first: number[];
  /** The lab's runs: which weights ran, e.g. `safetensors model.safetensors` or `onnx onnx/model.onnx`. */
  weights?: string;
}

async function lab(model: string, backend: 'wasm' | 'webgpu', threads: number, texts: string[], tokenBudget?: number, format?: WeightsFormat): Promise<EncodeRun> {
  const worker = new Worker(new URL('../../src/worker/index.ts', import.meta.url), { type: 'module', name: 'encoder' });
  const encoder = wrap<EncoderApi>(worker);
  try {
    await encoder.configureWasm(threads);
    const start = performance.now();
    const info = await encoder.loadModel('bench', { kind: 'served', name: model }, { backend, tokenBudget, format });
    await encoder.encode('bench', texts.slice(0, 1));
    const firstEmbeddingMs = performance.now() - start;
    const t0 = performance.now();
    const result = await encoder.encode('bench', texts);
    const seconds = (performance.now() - t0) / 1000;
    return {
      firstEmbeddingMs,
      seconds,
      docsPerSecond: texts.length / seconds,
      backend: info.backend.description,
      dim: result.dim,
      first: Array.from(result.vectors.subarray(0, result.dim)),
      weights: `${info.provenance.format} ${info.provenance.file}`,
    };
  } finally {
    worker.terminate();
  }
}

async function pipeline(model: string, device: 'wasm' | 'webgpu', threads: number, texts: string[], batchSize: number, maxLength: number | null = 256): Promise<EncodeRun> {
  const worker = new Worker(new URL('./pipelineWorker.ts', import.meta.url), { type: 'module', name: 'pipeline' });
  const extractor = wrap<PipelineWorkerApi>(worker);
  try {
    const start = performance.now();
    await extractor.load(model, device, threads, maxLength);
    await extractor.embed(texts.slice(0, 1), 1);
    const firstEmbeddingMs = performance.now() - start;
    const t0 = performance.now();
    const { vectors, dim } = await extractor.embed(texts, batchSize);
    const seconds = (performance.now() - t0) / 1000;
    return { firstEmbeddingMs, seconds, docsPerSecond: texts.length / seconds, backend: `Transformers.js ${device} · ${threads} thread(s)`, dim, first: vectors.slice(0, dim) };
  } finally {
    worker.terminate();
  }
}

/**
 * Main-thread long tasks (PerformanceObserver) while the lab's worker encodes `count` short texts with
 * progress reported to this page after every batch, as the app does.
 */
async function responsiveness(model: string, count: number): Promise<{ seconds: number; longTasks: number; longestMs: number }> {
  const tasks: number[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration)));
  observer.observe({ type: 'longtask' });
  const worker = new Worker(new URL('../../src/worker/index.ts', import.meta.url), { type: 'module', name: 'encoder' });
  const encoder = wrap<EncoderApi>(worker);
  try {
    await encoder.loadModel('bench', { kind: 'served', name: model }, { backend: 'wasm' });
    const texts = Array.from({ length: count }, (_, i) => `how do I change setting number ${i} on my account ${i % 97}`);
    let shown = 0;
    const start = performance.now();
    await encoder.encode('bench', texts, proxy(({ done }: { done: number }) => void (shown = done)));
    const seconds = (performance.now() - start) / 1000;
    if (shown !== count) throw new Error(`progress stopped at ${shown} of ${count}`);
    return { seconds, longTasks: tasks.length, longestMs: Math.max(0, ...tasks) };
  } finally {
    observer.disconnect();
    worker.terminate();
  }
}

/**
 * The same texts through the fp32 model and its int8 variant (the folder's, or made here by dynamic
 * quantization), each in a fresh worker on the same backend and threads: docs/s of both and the cosine of
 * every text's two embeddings.
 */
async function weightVariants(model: string, backend: 'wasm' | 'webgpu', threads: number, texts: string[]) {
  const run = async (variant: 'fp32' | 'quantized') => {
    const worker = new Worker(new URL('../../src/worker/index.ts', import.meta.url), { type: 'module', name: 'encoder' });
    const encoder = wrap<EncoderApi>(worker);
    try {
      await encoder.configureWasm(threads);
      const info = await encoder.loadModel('bench', { kind: 'served', name: model }, { backend, variant });
      await encoder.encode('bench', texts.slice(0, 1));
      const t0 = performance.now();
      const result = await encoder.encode('bench', texts);
      return { docsPerSecond: texts.length / ((performance.now() - t0) / 1000), vectors: result.vectors, dim: result.dim, notes: info.notes, backend: info.backend.description };
    } finally {
      worker.terminate();
    }
  };
  const fp32 = await run('fp32');
  const int8 = await run('quantized');
  return {
    fp32DocsPerSecond: fp32.docsPerSecond,
    int8DocsPerSecond: int8.docsPerSecond,
    cosine: cosineSummary(rowCosines(fp32.vectors, int8.vectors, fp32.dim)),
    int8Notes: int8.notes,
    backend: int8.backend,
  };
}

Object.assign(window, { benchLab: lab, benchPipeline: pipeline, benchResponsiveness: responsiveness, benchWeightVariants: weightVariants, benchReady: true });
