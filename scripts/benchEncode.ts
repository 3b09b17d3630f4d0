/**
 * `npm run bench:encode`: encode throughput of the lab against the Transformers.js feature-extraction
 * pipeline on the same model, backend and texts, in the same process: the first 1000 SciFact documents
 * (title + " " + text, 256 tokens) with ../shared/models/lab-minilm-l6-base. Node first (the CLI's
 * onnxruntime-node against the pipeline's), then headless Chromium (WASM 1 thread, WASM all threads, WebGPU
 * where an adapter exists). Prints docs/s, the ratio lab / pipeline and the time to the first embedding.
 * Then the same model as training writes it (`model.safetensors`, made by tests/fixtures/stCheckpoint.ts)
 * against its ONNX export: the load (files, `buildEncoder`, session; peak memory against the weights' size,
 * each load in a fresh child process, scripts/benchEncodeLoad.ts) and encoding with the graph built here
 * against the exported one, alternated, on onnxruntime-node and on Chromium's WASM.
 * `npm run bench:encode -- 200` uses fewer documents; `npm run bench:encode -- 200 formats` runs only the
 * built-against-exported sections (load, Node, Chromium WASM).
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { writeExportFile } from '../src/cli/graphFile.ts';
import { loadNodeEncoder, openNodeEncoder, readNodeModelFolder, type NodeEncoder } from '../src/cli/nodeEncoder.ts';
import type { GraphFile } from '../src/core/model/modelFolder.ts';
import { cosineSummary, rowCosines } from '../src/core/vectors/rowCosines.ts';
import { startBrowserSession } from '../tests/browser/browser.ts';
import type { EncodeRun } from '../tests/bench/encodeBench.ts';
import { safetensorsCheckpoint, stCheckpointToolsMissing } from '../tests/fixtures/stCheckpoint.ts';
import { HAS_SHARED_MODELS, ROOT, SHARED, SHARED_MODELS } from '../tests/paths.ts';
import type { LoadFigures } from './benchEncodeLoad.ts';

const MODEL = 'lab-minilm-l6-base';
const COUNT = Number(process.argv[2] ?? 1000);
/** `formats`: only the safetensors-against-export sections, for re-measuring them without the rest. */
const ONLY_FORMATS = process.argv[3] === 'formats';
/** The pipeline's batch: what scripts around it use with all-MiniLM-L6-v2. */
const PIPELINE_BATCH = 32;
/** WebGPU on a software adapter (SwiftShader) runs ≈ 0.1 docs/s: measure it on a handful only. */
const SOFTWARE_GPU_COUNT = 8;
/** Texts of the responsiveness run (the issue's 20 000-document encode, short texts). */
const RESPONSIVENESS_TEXTS = Number(process.env.RESPONSIVENESS_TEXTS ?? 20_000);
/** Where the dev server serves the safetensors folder from while the bench runs (models/ is git-ignored). */
const BUILT_SERVED = `${MODEL}-safetensors`;
/** Runs of each format, alternated (exported, built, exported, built …), so neither gets the warm-up. */
const FORMAT_ROUNDS = 2;

if (!HAS_SHARED_MODELS) {
  console.log('bench:encode needs ../shared/models and ../shared/data/scifact');
  process.exit(0);
}
const texts = readFileSync(path.join(SHARED, 'data/scifact/corpus.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, COUNT)
  .map((line) => {
    const doc = JSON.parse(line) as { title?: string; text: string };
    return `${doc.title ?? ''} ${doc.text}`.trim();
  });

const row = (label: string, run: Pick<EncodeRun, 'docsPerSecond' | 'firstEmbeddingMs'>, count = texts.length) =>
  console.log(`${label.padEnd(46)} ${(run.docsPerSecond < 1 ? run.docsPerSecond.toFixed(3) : run.docsPerSecond.toFixed(1)).padStart(7)} docs/s  (${count} docs; first embedding after ${(run.firstEmbeddingMs / 1000).toFixed(2)} s)`);
const ratio = (label: string, lab: EncodeRun, pipeline: EncodeRun) => {
  const cosine = lab.first.reduce((s, v, j) => s + v * pipeline.first[j], 0);
  console.log(`  ratio lab / pipeline ${label}: ${(lab.docsPerSecond / pipeline.docsPerSecond).toFixed(2)}×  (first document's embeddings agree to cosine ${cosine.toFixed(6)})`);
};

console.log(`encode ${texts.length} SciFact documents with ${MODEL}, 256 tokens`);

/** fp32 against int8 weights: docs/s of both, the ratio, and the cosine of each text's two embeddings. */
function weightsRow(label: string, fp32: number, int8: number, stats: { min: number; mean: number }) {
  console.log(
    `  int8 weights vs fp32, ${label}: ${int8.toFixed(1)} vs ${fp32.toFixed(1)} docs/s = ${(int8 / fp32).toFixed(2)}×; cosine to fp32 min ${stats.min.toFixed(5)}, mean ${stats.mean.toFixed(5)}`,
  );
}

// Node: the CLI's encoder against the pipeline on onnxruntime-node, both on all cores.
if (!ONLY_FORMATS) {
  const start = performance.now();
  const encoder = await loadNodeEncoder(path.join(SHARED_MODELS, MODEL));
  const first = await encoder.encode(texts.slice(0, 1));
  const firstEmbeddingMs = performance.now() - start;
  const t0 = performance.now();
  await encoder.encode(texts);
  const seconds = (performance.now() - t0) / 1000;
  await encoder.release();
  const lab: EncodeRun = { firstEmbeddingMs, seconds, docsPerSecond: texts.length / seconds, backend: encoder.backend, dim: first.dim, first: Array.from(first.vectors) };
  row(`lab, Node (${encoder.backend}, ${cpus().length} threads)`, lab);

  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = `${SHARED_MODELS}/`;
  const p0 = performance.now();
  const extractor = await pipeline('feature-extraction', MODEL, { device: 'cpu', dtype: 'fp32' });
  // model_max_length is a getter over the tokenizer config (512 here); the pipeline has no option for it.
  (extractor.tokenizer as unknown as { _tokenizerConfig: { model_max_length: number } })._tokenizerConfig.model_max_length = 256;
  const firstOut = await extractor(texts.slice(0, 1), { pooling: 'mean', normalize: true });
  const pipelineFirstMs = performance.now() - p0;
  const p1 = performance.now();
  for (let i = 0; i < texts.length; i += PIPELINE_BATCH) await extractor(texts.slice(i, i + PIPELINE_BATCH), { pooling: 'mean', normalize: true });
  const pipelineSeconds = (performance.now() - p1) / 1000;
  await extractor.dispose();
  const reference: EncodeRun = {
    firstEmbeddingMs: pipelineFirstMs,
    seconds: pipelineSeconds,
    docsPerSecond: texts.length / pipelineSeconds,
    backend: 'Transformers.js cpu',
    dim: firstOut.dims[1],
    first: Array.from(firstOut.data as Float32Array),
  };
  row(`Transformers.js pipeline, Node (cpu, batch ${PIPELINE_BATCH})`, reference);
  ratio('(Node)', lab, reference);

  // int8 weights (the folder's, or made here by dynamic quantization) against fp32, same texts and threads.
  const int8 = await loadNodeEncoder(path.join(SHARED_MODELS, MODEL), 'quantized');
  await int8.encode(texts.slice(0, 1));
  const q0 = performance.now();
  const quantized = await int8.encode(texts);
  const int8Seconds = (performance.now() - q0) / 1000;
  await int8.release();
  const full = await loadNodeEncoder(path.join(SHARED_MODELS, MODEL));
  const fp32 = await full.encode(texts);
  await full.release();
  weightsRow(`Node (${int8.backend})`, texts.length / seconds, texts.length / int8Seconds, cosineSummary(rowCosines(fp32.vectors, quantized.vectors, fp32.dim)));
}


// The graph built from safetensors against the exported ONNX of the same weights.
const checkpoint = safetensorsCheckpoint(MODEL, { dtype: 'fp32' });
const exportedFolder = path.join(SHARED_MODELS, MODEL);
if (!checkpoint) console.log(`\nbuilt graph vs exported ONNX: skipped, the safetensors checkpoint cannot be written here (${stCheckpointToolsMissing()})`);
else {
  const weightsBytes = statSync(path.join(checkpoint, 'model.safetensors')).size;
  console.log(
    `\nbuilt graph (from model.safetensors, ${mb(weightsBytes)}) vs exported ONNX (onnx/model.onnx, ${mb(statSync(path.join(exportedFolder, 'onnx/model.onnx')).size)}), same model`,
  );
  await loadSection(checkpoint, weightsBytes);
  await nodeFormatsSection(checkpoint);
}

// Chromium: each encoder in a fresh worker, so thread counts and backends do not leak between runs.
const session = await startBrowserSession().catch((error: Error) => {
  console.error(`\nbench:encode: the browser part cannot run: ${error.message}`);
  process.exit(1);
});
if (session) {
  // The tree is edited while the bench runs (other work in this checkout): without this, the dev server's
  // HMR reloads the page on the next saved file and the page.evaluate in flight fails mid-measurement.
  await session.server.watcher.close();
  try {
    const { page } = await session.newPage();
    await page.goto(`${session.baseUrl}/tests/bench/encodeBench.html`);
    await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
    const threads = await page.evaluate(() => (globalThis.crossOriginIsolated ? Math.min(navigator.hardwareConcurrency, 8) : 1));
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? { name: `${a.info.vendor} ${a.info.architecture}`.trim(), software: a.info.vendor === 'google' && a.info.architecture === 'swiftshader' } : null;
    });
    type Bench = (model: string, backend: string, threads: number, texts: string[], batch?: number, maxLength?: number | null) => Promise<EncodeRun>;
    const lab = (backend: string, n: number, docs: string[]) =>
      page.evaluate(([b, n, docs]) => (window as unknown as { benchLab: Bench }).benchLab('lab-minilm-l6-base', b as string, n as number, docs as string[]), [backend, n, docs] as const);
    const pipe = (backend: string, n: number, docs: string[], maxLength: number | null = 256) =>
      page.evaluate(
        ([b, n, docs, batch, max]) =>
          (window as unknown as { benchPipeline: Bench }).benchPipeline('lab-minilm-l6-base', b as string, n as number, docs as string[], batch as number, max as number | null),
        [backend, n, docs, PIPELINE_BATCH, maxLength] as const,
      );
    type Variants = { fp32DocsPerSecond: number; int8DocsPerSecond: number; cosine: { min: number; mean: number } };
    const weightVariants = (backend: string, n: number, docs: string[]) =>
      page.evaluate(
        ([b, n, docs]) =>
          (window as unknown as { benchWeightVariants: (m: string, b: string, n: number, t: string[]) => Promise<Variants> }).benchWeightVariants('lab-minilm-l6-base', b as string, n as number, docs as string[]),
        [backend, n, docs] as const,
      );
    console.log(`\nheadless Chromium (cross-origin isolated: ${threads > 1}; WebGPU adapter: ${adapter?.name ?? 'none'})`);
    // Without numThreads set, ORT runs WASM on min(4, ⌈cores / 2⌉) threads: the pipeline as a user runs it.
    const ortDefaultThreads = threads > 1 ? Math.min(4, Math.ceil(threads / 2)) : 1;
    const pipelineRuns = new Map<number, EncodeRun>();
    for (const n of ONLY_FORMATS ? [] : [...new Set([1, threads])]) {
      const a = await lab('wasm', n, texts);
      row(`lab, WASM ${n} thread${n === 1 ? '' : 's'}`, a);
      const b = await pipe('wasm', n, texts);
      pipelineRuns.set(n, b);
      row(`Transformers.js pipeline, WASM ${n} thread${n === 1 ? '' : 's'}`, b);
      ratio(`(WASM ${n} thread${n === 1 ? '' : 's'}, same 256 tokens)`, a, b);
      if (n === threads && threads > 1) {
        const atDefault = pipelineRuns.get(ortDefaultThreads) ?? (await pipe('wasm', ortDefaultThreads, texts));
        if (!pipelineRuns.has(ortDefaultThreads)) row(`Transformers.js pipeline, WASM ${ortDefaultThreads} threads (ORT's default)`, atDefault);
        ratio(`(lab on ${n} threads, pipeline on ORT's default ${ortDefaultThreads}, same 256 tokens)`, a, atDefault);
      }
      if (n === threads) {
        // As a user runs it: the tokenizer config's 512 tokens (and a different embedding for long texts).
        const c = await pipe('wasm', n, texts, null);
        row(`Transformers.js pipeline as shipped (512 tokens)`, c);
        ratio(`(WASM ${n} thread${n === 1 ? '' : 's'}, pipeline at its default 512 tokens)`, a, c);
      }
    }
    if (!ONLY_FORMATS) {
      const variants = await weightVariants('wasm', threads, texts);
      weightsRow(`WASM ${threads} thread${threads === 1 ? '' : 's'}`, variants.fp32DocsPerSecond, variants.int8DocsPerSecond, variants.cosine);
    }
    if (checkpoint) {
      const labFormat = (model: string, format: 'onnx' | 'safetensors') =>
        page.evaluate(
          ([m, n, docs, f]) =>
            (window as unknown as { benchLab: (...args: unknown[]) => Promise<EncodeRun> }).benchLab(m, 'wasm', n, docs, undefined, f),
          [model, threads, texts, format] as const,
        );
      await withServed(checkpoint, async () => {
        console.log(`built graph vs exported ONNX, WASM ${threads} thread${threads === 1 ? '' : 's'} (each run in a fresh worker; first embedding = load, build and one text):`);
        const runs = { onnx: [] as EncodeRun[], safetensors: [] as EncodeRun[] };
        for (let round = 0; round < FORMAT_ROUNDS; round++) {
          for (const format of ['onnx', 'safetensors'] as const) {
            const run = await labFormat(format === 'onnx' ? MODEL : BUILT_SERVED, format);
            runs[format].push(run);
            row(`  ${format === 'onnx' ? 'exported' : 'built'} #${round + 1} (${run.weights})`, run);
          }
        }
        formatRatio(`WASM ${threads} thread${threads === 1 ? '' : 's'}`, runs.onnx, runs.safetensors);
      });
    }
    if (!ONLY_FORMATS) {
      const responsive = await page.evaluate(
        (n) => (window as unknown as { benchResponsiveness: (m: string, n: number) => Promise<{ seconds: number; longTasks: number; longestMs: number }> }).benchResponsiveness('lab-minilm-l6-base', n),
        RESPONSIVENESS_TEXTS,
      );
      console.log(
        `responsiveness: ${RESPONSIVENESS_TEXTS} short texts encoded on WASM in ${responsive.seconds.toFixed(1)} s; main-thread tasks over 50 ms meanwhile: ${responsive.longTasks} (longest ${responsive.longestMs.toFixed(0)} ms)`,
      );
      if (adapter) {
        const docs = adapter.software ? texts.slice(0, SOFTWARE_GPU_COUNT) : texts;
        if (adapter.software) console.log(`  (software adapter: WebGPU measured on the first ${docs.length} documents only)`);
        const a = await lab('webgpu', threads, docs);
        row('lab, WebGPU', a, docs.length);
        const b = await pipe('webgpu', threads, docs);
        row('Transformers.js pipeline, WebGPU', b, docs.length);
        ratio('(WebGPU)', a, b);
        // onnxruntime-web's WebGPU EP has no DynamicQuantizeLinear or MatMulInteger kernel (its
        // docs/webgpu-operators.md lists neither): those nodes run on the WASM EP, with copies in between.
        const gpuVariants = await weightVariants('webgpu', threads, docs);
        weightsRow(`WebGPU (${docs.length} docs; integer ops fall back to WASM)`, gpuVariants.fp32DocsPerSecond, gpuVariants.int8DocsPerSecond, gpuVariants.cosine);
      }
    }
  } finally {
    await session.close();
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function ms(value: number | undefined): string {
  return `${(value ?? NaN).toFixed(0)} ms`;
}

/** One load in a fresh Node process (scripts/benchEncodeLoad.ts), so that its peak memory is the load's alone. */
async function childLoad(...args: ['load' | 'phases', string, 'onnx' | 'safetensors'] | ['session', string] | ['graph', string, string]): Promise<LoadFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/benchEncodeLoad.ts'), ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop() || 'null') as LoadFigures;
}

/**
 * onnxruntime-node's own share of a load's peak: a session made from the model file's path in a fresh
 * process, nothing of the lab's beside it (the lowest of FORMAT_ROUNDS). The built graph is written to a
 * temporary file first, by a process of its own.
 */
async function sessionAlone(format: 'onnx' | 'safetensors', folder: string): Promise<{ peak: number; resident: number }> {
  // The file the CLI makes its session from: the model with its weights as external data.
  let scratch: string | null = null;
  let file: string;
  let exportFile: GraphFile | null = null;
  if (format === 'safetensors') {
    scratch = mkdtempSync(path.join(tmpdir(), 'bench-graph-'));
    file = path.join(scratch, 'model.onnx');
    await childLoad('graph', folder, file);
  } else {
    exportFile = writeExportFile(new Uint8Array(readFileSync(path.join(folder, 'onnx/model.onnx'))));
    file = exportFile.path;
  }
  try {
    const runs: LoadFigures[] = [];
    for (let round = 0; round < FORMAT_ROUNDS; round++) runs.push(await childLoad('session', file));
    return { peak: Math.min(...runs.map((f) => f.peak - f.rssBefore)), resident: Math.min(...runs.map((f) => f.rssCollected - f.rssBefore)) };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    exportFile?.remove();
  }
}

/**
 * Load time and peak memory of both formats into onnxruntime-node, alternated, each in a fresh process; then
 * one step-by-step load of each (where readModelFolder's time goes, buildEncoder's own among it).
 */
async function loadSection(checkpoint: string, weightsBytes: number): Promise<void> {
  const folderOf = (format: 'onnx' | 'safetensors') => (format === 'onnx' ? exportedFolder : checkpoint);
  const label = (format: 'onnx' | 'safetensors') => (format === 'onnx' ? 'exported ONNX' : 'built from safetensors');
  console.log(`load into onnxruntime-node (readModelFolder + session creation, as the CLI does it), each in a fresh process, ratios against the ${mb(weightsBytes)} of model.safetensors:`);
  const loads = { onnx: [] as LoadFigures[], safetensors: [] as LoadFigures[] };
  for (let round = 0; round < FORMAT_ROUNDS; round++) {
    for (const format of ['onnx', 'safetensors'] as const) {
      const f = await childLoad('load', folderOf(format), format);
      loads[format].push(f);
      const added = f.peak - f.rssBefore;
      console.log(
        `  ${`${label(format)} #${round + 1}`.padEnd(27)} readModelFolder ${ms(f.steps.readModelFolder)} + session ${ms(f.steps.session)}; ` +
          `peak RSS ${mb(f.peak)} = ${(f.peak / weightsBytes).toFixed(2)}× the weights, ${mb(added)} over the ${mb(f.rssBefore)} before the load = ${(added / weightsBytes).toFixed(2)}× ` +
          `(peak by then: after readModelFolder ${((f.peakRead! - f.rssBefore) / weightsBytes).toFixed(2)}×; rss() sampled every 1 ms: ${((f.sampledPeak - f.rssBefore) / weightsBytes).toFixed(2)}×)`,
      );
    }
  }
  const best = (format: 'onnx' | 'safetensors') => Math.min(...loads[format].map((f) => f.peak - f.rssBefore));
  console.log(
    `  peak over the process before / weights: built ${(best('safetensors') / weightsBytes).toFixed(2)}×, exported ${(best('onnx') / weightsBytes).toFixed(2)}× ` +
      `(lowest of ${FORMAT_ROUNDS}); built / exported ${(best('safetensors') / best('onnx')).toFixed(2)}×`,
  );
  // What the loader holds beside the session: the load's peak less what onnxruntime needs by itself.
  for (const format of ['onnx', 'safetensors'] as const) {
    const { peak: alone, resident: aloneResident } = await sessionAlone(format, folderOf(format));
    const kept = Math.min(...loads[format].map((f) => f.rssCollected - f.rssBefore));
    console.log(
      `  ${label(format)}: onnxruntime-node's session alone (made from the path of the file the CLI writes, weights as external data; nothing of the lab's) peaks at ${(alone / weightsBytes).toFixed(2)}× the weights; ` +
        `the loader's share beside it (load peak − that) ${((best(format) - alone) / weightsBytes).toFixed(2)}×; ` +
        `resident with the session open, after a full collection (what is still referenced: the session, the tokenizer, the encoder), ${(kept / weightsBytes).toFixed(2)}× ` +
        `(the session alone: ${(aloneResident / weightsBytes).toFixed(2)}×)`,
    );
  }
  for (const format of ['onnx', 'safetensors'] as const) {
    const f = await childLoad('phases', folderOf(format), format);
    const total = Object.values(f.steps).reduce((a, b) => a + b, 0);
    const compared = Object.entries(f.comparison ?? {}).map(([step, t]) => `; ${step} ${ms(t)}`).join('');
    console.log(`  ${label(format)}, step by step: ${Object.entries(f.steps).map(([step, t]) => `${step} ${ms(t)}`).join(', ')} (total ${ms(total)})${compared}`);
    if (format === 'safetensors') {
      const building = f.steps.buildEncoder + f.steps['write graph file + its SHA-256'];
      console.log(`  building the graph (buildEncoder, then written to its file with every tensor produced): ${ms(building)} (the issue's bound: under 1 s)`);
    }
  }
}

/** docs/s of each run, the means and built / exported. */
function formatRatio(label: string, exported: readonly Pick<EncodeRun, 'docsPerSecond' | 'first'>[], built: readonly Pick<EncodeRun, 'docsPerSecond' | 'first'>[]): void {
  const mean = (runs: readonly { docsPerSecond: number }[]) => runs.reduce((s, r) => s + r.docsPerSecond, 0) / runs.length;
  const best = (runs: readonly { docsPerSecond: number }[]) => Math.max(...runs.map((r) => r.docsPerSecond));
  const cosine = built[0].first.reduce((s, v, j) => s + v * exported[0].first[j], 0);
  console.log(
    `  ratio built / exported ${label}: ${(mean(built) / mean(exported)).toFixed(3)}× of the means (${mean(built).toFixed(2)} vs ${mean(exported).toFixed(2)} docs/s over ${built.length} runs each), ` +
      `${(best(built) / best(exported)).toFixed(3)}× of the best runs; the issue's bound: ≥ 0.95×; first document's embeddings agree to cosine ${cosine.toFixed(6)}`,
  );
}

/**
 * Encoding on onnxruntime-node with the graph built from safetensors and with the export, both sessions
 * open, the same texts and batches, runs alternated (exported, built, exported, built).
 */
async function nodeFormatsSection(checkpoint: string): Promise<void> {
  // As the CLI loads them (a built graph from its file, with external data).
  const open = async (folder: string, format: 'onnx' | 'safetensors') => openNodeEncoder(await readNodeModelFolder(folder, { format }));
  const encoders: Record<'onnx' | 'safetensors', NodeEncoder> = { onnx: await open(exportedFolder, 'onnx'), safetensors: await open(checkpoint, 'safetensors') };
  try {
    console.log(`encode on Node (${encoders.onnx.backend}, ${cpus().length} threads), both sessions open, runs alternated:`);
    for (const encoder of Object.values(encoders)) await encoder.encode(texts.slice(0, 8));
    const runs = { onnx: [] as EncodeRun[], safetensors: [] as EncodeRun[] };
    const last: Partial<Record<'onnx' | 'safetensors', Float32Array>> = {};
    for (let round = 0; round < FORMAT_ROUNDS; round++) {
      for (const format of ['onnx', 'safetensors'] as const) {
        const t0 = performance.now();
        const out = await encoders[format].encode(texts);
        const seconds = (performance.now() - t0) / 1000;
        last[format] = out.vectors;
        const run: EncodeRun = { firstEmbeddingMs: NaN, seconds, docsPerSecond: texts.length / seconds, backend: encoders[format].backend, dim: out.dim, first: Array.from(out.vectors.subarray(0, out.dim)) };
        runs[format].push(run);
        console.log(`  ${`${format === 'onnx' ? 'exported' : 'built'} #${round + 1} (${encoders[format].folder.provenance.file})`.padEnd(44)} ${run.docsPerSecond.toFixed(1).padStart(7)} docs/s  (${texts.length} docs in ${seconds.toFixed(2)} s)`);
      }
    }
    formatRatio('(Node)', runs.onnx, runs.safetensors);
    const agreement = cosineSummary(rowCosines(last.onnx!, last.safetensors!, runs.onnx[0].dim));
    console.log(`  every document, built vs exported embedding: cosine min ${agreement.min.toFixed(7)}, mean ${agreement.mean.toFixed(7)}`);
  } finally {
    await Promise.all(Object.values(encoders).map((encoder) => encoder.release()));
  }
}

/**
 * Serves the safetensors folder as models/BUILT_SERVED while `work` runs: a symlink made here is removed
 * afterwards; one that was already there is kept as found.
 */
async function withServed(folder: string, work: () => Promise<void>): Promise<void> {
  const link = path.join(ROOT, 'models', BUILT_SERVED);
  const made = !existsSync(link) && !isLink(link);
  if (made) symlinkSync(folder, link);
  try {
    await work();
  } finally {
    if (made) unlinkSync(link);
  }
}

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
