/**
 * `embedlab` on checkpoints as training writes them (`model.safetensors`, the graph built here), run as a
 * user runs it: the real MiniLM checkpoints against sentence-transformers' numbers (fp32, sharded, fp16,
 * bf16, SciFact), a folder with both formats, int8, the st-zoo's prompts and dot similarity through eval,
 * and the folders the lab refuses.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../src/cli/diskEmbeddingStore.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { safetensorsCheckpoint, stCheckpointToolsMissing } from '../fixtures/stCheckpoint.ts';
import { HAS_ST_ZOO, ST_ZOO, zooFolder, zooReference } from '../fixtures/stZoo.ts';
import { HAS_SHARED_MODELS, REAL_MODELS, ROOT, SHARED, SHARED_MODELS, needs } from '../paths.ts';
import { maxAbsDelta, referenceValues } from '../referenceValues.ts';
import { embedlab } from './runCli.ts';

const HALF_REFERENCE = path.join(SHARED_MODELS, 'reference-values-half.json');
const SCIFACT = path.join(SHARED, 'data/scifact');
/** The CLI's default cache, as tests/cli/eval.test.ts uses it: only the first run on a machine encodes SciFact. */
const CACHE = defaultCacheDir();

const toolsMissing = HAS_SHARED_MODELS ? stCheckpointToolsMissing() : null;
const CAN_WRITE = HAS_SHARED_MODELS && toolsMissing === null;

/** The test's name, with why it skips where the checkpoints cannot be written here. */
function checkpoints(name: string): string {
  if (!HAS_SHARED_MODELS) return needs(SHARED_MODELS, name);
  return toolsMissing ? `${name} — skipped: ${toolsMissing}` : name;
}

/** The folder `safetensorsCheckpoint` writes (CAN_WRITE holds, so never null). */
function checkpoint(model: string, options: Parameters<typeof safetensorsCheckpoint>[1] = {}): string {
  const folder = safetensorsCheckpoint(model, options);
  if (!folder) throw new Error(`safetensorsCheckpoint(${model}) could not run: ${stCheckpointToolsMissing()}`);
  return folder;
}

const temp = (prefix: string) => mkdtempSync(path.join(tmpdir(), `embedlab-${prefix}-`));

/**
 * `embed --json` of every probe sentence, as tests/cli/embed.test.ts gives them: the empty probe cannot be
 * a line of a file (empty lines are skipped), so the first three go in with --text, the rest with --file.
 */
async function embedProbes(model: string, extra: string[] = []): Promise<{ dim: number; embeddings: number[][] }> {
  const probes = referenceValues().probe_sentences;
  const file = path.join(temp('probes'), 'probes.txt');
  const [first, second, empty, ...rest] = probes;
  writeFileSync(file, rest.join('\n'));
  const result = await embedlab(['embed', '--model', model, '--text', first, '--text', second, '--text', empty, '--file', file, '--json', ...extra]);
  expect(result.code, result.stderr).toBe(0);
  const output = JSON.parse(result.stdout) as { dim: number; embeddings: number[][] };
  expect(output.embeddings).toHaveLength(probes.length);
  return output;
}

/** The notes `embed` prints (without --json) for one text. */
async function notesOf(model: string, extra: string[] = []): Promise<string> {
  const result = await embedlab(['embed', '--model', model, '--text', 'hello', ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return result.stderr;
}

const maxDifference = (a: number[][], b: number[][]) => maxAbsDelta(a.flat(), a[0].length, b);

describe.skipIf(!CAN_WRITE)(checkpoints('embedlab embed on the real checkpoints saved as model.safetensors'), () => {
  it.each(REAL_MODELS)('%s: fp32 safetensors reproduces sentence-transformers within 1e-5, and 2 shards give the same output as 1 file', async (name) => {
    const single = checkpoint(name);
    const { dim, embeddings } = await embedProbes(single);
    const delta = maxAbsDelta(embeddings.flat(), dim, referenceValues().models[name].probe_embeddings);
    console.log(`${name} safetensors fp32: max |Δ| to sentence-transformers ${delta.toExponential(2)}`);
    expect(delta).toBeLessThanOrEqual(1e-5);
    const sharded = await embedProbes(checkpoint(name, { shards: 2 }));
    expect(sharded.embeddings).toEqual(embeddings);
  }, 240_000);

  it('says which weights ran: the built graph of one file or of shards', async () => {
    expect(await notesOf(checkpoint('lab-minilm-l6-base'))).toMatch(/^ {2}note: built here from model\.safetensors as a bert encoder$/m);
    expect(await notesOf(checkpoint('lab-minilm-l6-base', { shards: 2 }))).toMatch(/^ {2}note: built here from 2 safetensors shards as a bert encoder$/m);
  }, 60_000);

  it('a folder with both: --weights onnx runs onnx/model.onnx, --weights safetensors and auto the built graph, and the notes say which', async () => {
    const name = 'lab-minilm-l6-base';
    const safetensors = checkpoint(name);
    const both = path.join(temp('both'), name);
    mkdirSync(path.join(both, 'onnx'), { recursive: true });
    for (const entry of readdirSync(safetensors)) symlinkSync(path.join(safetensors, entry), path.join(both, entry));
    symlinkSync(path.join(SHARED_MODELS, name, 'onnx/model.onnx'), path.join(both, 'onnx/model.onnx'));

    expect(await notesOf(both, ['--weights', 'onnx'])).toMatch(/^ {2}note: runs onnx\/model\.onnx; the folder also has safetensors weights, which can be run instead$/m);
    const built = /^ {2}note: built here from model\.safetensors as a bert encoder; the folder also has an ONNX export, which can be run instead$/m;
    expect(await notesOf(both, ['--weights', 'safetensors'])).toMatch(built);
    expect(await notesOf(both)).toMatch(built);

    // The report says which file ran, by its digest: the shared export's bytes for onnx, model.safetensors' otherwise.
    const helpdesk = path.join(ROOT, 'public/samples/helpdesk-faq.csv');
    const runOf = async (extra: string[]) => {
      const out = path.join(temp('both-eval'), 'report.json');
      const result = await embedlab(['eval', helpdesk, '--model', both, '--no-cache', '--no-diagnostics', '--metrics', 'ndcg@10', '--json', out, ...extra]);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(readFileSync(out, 'utf8')) as EvalReport).models[0];
    };
    const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    const onnxRun = await runOf(['--weights', 'onnx']);
    expect(onnxRun.model).toMatchObject({ format: 'onnx', file: 'onnx/model.onnx' });
    expect(onnxRun.model!.digests).toEqual([{ file: 'onnx/model.onnx', sha256: sha256(path.join(SHARED_MODELS, name, 'onnx/model.onnx')) }]);
    const builtRun = await runOf([]);
    expect(builtRun.model).toMatchObject({ format: 'safetensors', file: 'model.safetensors', family: 'bert' });
    expect(builtRun.model!.digests).toEqual([{ file: 'model.safetensors', sha256: sha256(path.join(safetensors, 'model.safetensors')) }]);
    expect(builtRun.fingerprint).not.toBe(onnxRun.fingerprint); // two different graphs ran, not one twice

    // Each reproduces sentence-transformers as its own folder does.
    const reference = referenceValues().models[name].probe_embeddings;
    const [onnxHere, auto] = [await embedProbes(both, ['--weights', 'onnx']), await embedProbes(both)];
    const [onnxDelta, builtDelta] = [maxDifference(onnxHere.embeddings, reference), maxDifference(auto.embeddings, reference)];
    console.log(`${name} in a folder with both: ONNX export max |Δ| ${onnxDelta.toExponential(2)}, built graph ${builtDelta.toExponential(2)}, ` +
      `apart ${maxDifference(auto.embeddings, onnxHere.embeddings).toExponential(2)}`);
    expect(onnxDelta).toBeLessThanOrEqual(1e-4);
    expect(builtDelta).toBeLessThanOrEqual(1e-5);
  }, 300_000);
});

describe.skipIf(!CAN_WRITE || !existsSync(HALF_REFERENCE))(checkpoints(needs(HALF_REFERENCE, 'embedlab embed on half-precision safetensors')), () => {
  const model = 'lab-minilm-l6-scifact-ft';
  it.each(['fp16', 'bf16'] as const)(`${model} %s: the float32-arithmetic embeddings of the rounded weights within 1e-5`, async (dtype) => {
    const half = JSON.parse(readFileSync(HALF_REFERENCE, 'utf8')) as {
      probe_sentences: string[];
      models: Record<string, { probe_embeddings_fp32_arithmetic: number[][] }>;
    };
    expect(half.probe_sentences).toEqual(referenceValues().probe_sentences);
    const folder = checkpoint(model, { dtype });
    const { dim, embeddings } = await embedProbes(folder);
    const delta = maxAbsDelta(embeddings.flat(), dim, half.models[`${model}-${dtype}`].probe_embeddings_fp32_arithmetic);
    console.log(`${model} ${dtype}: max |Δ| to sentence-transformers (float32 arithmetic) ${delta.toExponential(2)}`);
    expect(delta).toBeLessThanOrEqual(1e-5);
    const stored = dtype === 'fp16' ? 'F16' : 'BF16';
    expect(await notesOf(folder)).toMatch(new RegExp(`^ {2}note: built here from model\\.safetensors as a bert encoder \\(${stored} weights, computed in float32\\)$`, 'm'));
  }, 240_000);
});

describe.skipIf(!CAN_WRITE || !existsSync(SCIFACT))(checkpoints(needs(SCIFACT, 'embedlab eval on SciFact: the safetensors checkpoint against its ONNX export')), () => {
  it('lab-minilm-l6-scifact-ft: every metric of the built graph equals the export\'s within 1e-6', async () => {
    const name = 'lab-minilm-l6-scifact-ft';
    const onnx = path.join(SHARED_MODELS, name);
    const safetensors = checkpoint(name);
    const out = path.join(temp('scifact'), 'report.json');
    const started = Date.now();
    const result = await embedlab(['eval', SCIFACT, '--split', 'test', '--model', onnx, '--model', safetensors, '--cache-dir', CACHE, '--no-diagnostics', '--json', out]);
    expect(result.code, result.stderr).toBe(0);
    console.log(`SciFact eval, ONNX + safetensors: ${((Date.now() - started) / 1000).toFixed(0)} s; ${result.stderr.match(/documents: \d+ encoded, \d+ from cache/g)?.join('; ')}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
    const [a, b] = report.models;
    expect(a.model).toMatchObject({ format: 'onnx', file: 'onnx/model.onnx', family: 'bert', similarity: 'cosine' });
    expect(b.model).toMatchObject({ format: 'safetensors', file: 'model.safetensors', family: 'bert', similarity: 'cosine' });
    expect(b.model!.digests.map((d) => d.file)).toEqual(['model.safetensors']);
    expect(Object.keys(b.metrics).sort()).toEqual(Object.keys(a.metrics).sort());
    let worst = 0;
    for (const [metric, value] of Object.entries(a.metrics)) {
      const delta = Math.abs(b.metrics[metric] - value);
      worst = Math.max(worst, delta);
      expect(delta, `${metric}: ${b.metrics[metric]} vs ${value}`).toBeLessThanOrEqual(1e-6);
    }
    console.log(`SciFact: largest metric difference safetensors vs ONNX ${worst.toExponential(2)} over ${Object.keys(a.metrics).length} metrics`);
    // And so both are sentence-transformers' own numbers (tests/cli/eval.test.ts holds the export to 1e-3 of them).
    for (const [key, value] of Object.entries(referenceValues().models[name].scifact_test.metrics)) {
      const metric = key.replace(/^scifact_cosine_/, '');
      expect(Math.abs(b.metrics[metric] - value), `${metric}: ${b.metrics[metric]} vs sentence-transformers ${value}`).toBeLessThanOrEqual(1e-3);
    }
    const comparison = report.comparisons.find((c) => c.a === a.name && c.b === b.name)!;
    expect(comparison, 'the comparison of the two').toBeDefined();
    const deltas = Object.entries(comparison.metrics);
    for (const [metric, paired] of deltas) expect(Math.abs(paired.delta), `Δ ${metric}`).toBeLessThanOrEqual(1e-6);
    console.log(`SciFact: comparison deltas ${deltas.every(([, paired]) => paired.delta === 0) ? 'all exactly 0' : 'not all exactly 0'}; ` +
      `top-10 lists identical for ${Object.keys(a.top).filter((q) => JSON.stringify(a.top[q]) === JSON.stringify(b.top[q])).length}/${Object.keys(a.top).length} queries`);
  }, 900_000);
});

describe.skipIf(!CAN_WRITE)(checkpoints('embedlab quantize on a safetensors checkpoint'), () => {
  it('builds the graph, quantizes it, writes onnx/model_quantized.onnx and measures it against fp32', async () => {
    const folder = path.join(temp('quantize'), 'base');
    cpSync(checkpoint('lab-minilm-l6-base'), folder, { recursive: true, dereference: true });
    const result = await embedlab(['quantize', folder]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/model_quantized\.onnx: 36 MatMul\/Gemm weights quantized to int8 .*12 MatMul left in float .*model \d+\.\d MB → \d+\.\d MB/);
    const [, min] = /cosine to fp32 on 8 texts: min (\d\.\d+)/.exec(result.stdout)!;
    expect(Number(min)).toBeGreaterThan(0.999);
    expect(existsSync(path.join(folder, 'onnx/model_quantized.onnx'))).toBe(true);
    const again = await embedlab(['quantize', folder]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/model_quantized\.onnx exists; --force replaces it/);
    // The file written is the int8 variant the lab makes from the safetensors: the ONNX weights run it, to the same vectors.
    expect(await notesOf(folder, ['--variant', 'quantized'])).toMatch(
      /^ {2}note: int8 made here from model\.safetensors by dynamic int8 quantization .*; the folder's onnx\/model_quantized\.onnx did not run: it runs when the ONNX export is chosen instead of the safetensors$/m,
    );
    const notes = await notesOf(folder, ['--variant', 'quantized', '--weights', 'onnx']);
    expect(notes).toMatch(/^ {2}note: runs onnx\/model_quantized\.onnx; the folder also has safetensors weights, which can be run instead$/m);
    expect(notes).not.toMatch(/made here/);
    const texts = ['hello world', 'Vitamin D deficiency is associated with lower bone mineral density.'].flatMap((text) => ['--text', text]);
    const [made, saved] = [
      await embedlab(['embed', '--model', folder, '--variant', 'quantized', '--json', ...texts]),
      await embedlab(['embed', '--model', folder, '--variant', 'quantized', '--weights', 'onnx', '--json', ...texts]),
    ];
    expect(JSON.parse(saved.stdout).embeddings).toEqual(JSON.parse(made.stdout).embeddings);
  }, 300_000);
});

interface ProbeDataset {
  dir: string;
  documents: { id: string; text: string }[];
  queries: { id: string; text: string; relevant: string }[];
}

/** Corpus, queries and qrels CSV (the three tables of README's Data section) from the zoo's probe texts. */
function probeDataset(probe: readonly string[]): ProbeDataset {
  const dir = temp('zoo-data');
  const documents = probe.filter((text) => text.trim() !== '').map((text, i) => ({ id: `d${i}`, text }));
  const find = (start: string) => documents.find((d) => d.text.includes(start))!.id;
  // Each query paraphrases the probe it judges relevant.
  const queries = [
    { id: 'q0', text: 'an example sentence', relevant: find('This is an example') },
    { id: 'q1', text: 'biomaterials without inductive properties', relevant: find('biomaterials') },
    { id: 'q2', text: 'register a mobile number for the IVR password', relevant: find('IVR') },
    { id: 'q3', text: 'hello world', relevant: find('Hello') },
  ];
  const csv = (rows: string[][]) => rows.map((row) => row.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',')).join('\n') + '\n';
  writeFileSync(path.join(dir, 'corpus.csv'), csv([['id', 'text'], ...documents.map((d) => [d.id, d.text])]));
  writeFileSync(path.join(dir, 'queries.csv'), csv([['id', 'text'], ...queries.map((q) => [q.id, q.text])]));
  writeFileSync(path.join(dir, 'qrels.csv'), csv([['query_id', 'doc_id', 'score'], ...queries.map((q) => [q.id, q.relevant, '1'])]));
  return { dir, documents, queries };
}

async function evalReport(data: string, model: string, extra: string[] = []): Promise<EvalReport> {
  const out = path.join(temp('zoo-eval'), 'report.json');
  const result = await embedlab(['eval', data, '--model', model, '--no-cache', '--no-diagnostics', '--json', out, ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
}

describe.skipIf(!HAS_ST_ZOO)(needs(ST_ZOO, 'embedlab eval with the st-zoo checkpoints: prompts and similarity'), () => {
  it('bert-prompts: the report records the model\'s prompts, and --query-prompt "" --document-prompt "" records none and changes the scores', async () => {
    const reference = zooReference('bert-prompts');
    const { dir: data } = probeDataset(reference.probe);
    const model = zooFolder('bert-prompts');
    const own = await evalReport(data, model);
    expect(own.models[0].model).toMatchObject({ format: 'safetensors', family: 'bert', prompts: { query: 'query: ', document: 'passage: ' } });
    const none = await evalReport(data, model, ['--query-prompt', '', '--document-prompt', '']);
    expect(none.models[0].model!.prompts).toEqual({ query: '', document: '' });
    const scores = (report: EvalReport) => Object.values(report.models[0].top).flatMap((list) => list.map(([, score]) => score));
    expect(scores(none)).toHaveLength(scores(own).length);
    expect(scores(none)).not.toEqual(scores(own));
  }, 180_000);

  it('bert-cls-dense-dot: ranked by dot product, and the top scores are the dot products of embed --as query and --as document', async () => {
    const reference = zooReference('bert-cls-dense-dot');
    expect(reference.similarity_fn_name).toBe('dot');
    const { dir: data, documents, queries } = probeDataset(reference.probe);
    const model = zooFolder('bert-cls-dense-dot');
    const report = await evalReport(data, model);
    const [run] = report.models;
    expect(run.model).toMatchObject({ format: 'safetensors', similarity: 'dot' });

    const embedAs = async (role: 'query' | 'document', texts: string[]) => {
      const result = await embedlab(['embed', '--model', model, '--as', role, '--json', ...texts.flatMap((text) => ['--text', text])]);
      expect(result.code, result.stderr).toBe(0);
      return (JSON.parse(result.stdout) as { embeddings: number[][] }).embeddings;
    };
    const queryVectors = await embedAs('query', queries.map((q) => q.text));
    const documentVectors = await embedAs('document', documents.map((d) => d.text));
    const norm = (v: number[]) => Math.hypot(...v);
    expect(Math.abs(norm(queryVectors[0]) - 1)).toBeGreaterThan(0.1); // not normalised: a dot product is not a cosine
    let compared = 0;
    let worst = 0;
    queries.forEach(({ id }, q) => {
      for (const [doc, score] of run.top[id]) {
        const d = documents.findIndex((document) => document.id === doc);
        const dot = queryVectors[q].reduce((sum, x, i) => sum + x * documentVectors[d][i], 0);
        const cosine = dot / (norm(queryVectors[q]) * norm(documentVectors[d]));
        worst = Math.max(worst, Math.abs(score - dot) / Math.max(1, Math.abs(dot)));
        expect(Math.abs(score - dot), `${id} ${doc}: ${score} vs dot ${dot}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(dot)));
        expect(Math.abs(score - cosine)).toBeGreaterThan(1e-3);
        compared++;
      }
    });
    console.log(`bert-cls-dense-dot: ${compared} top scores, largest |score − dot| / max(1, |dot|) ${worst.toExponential(2)}`);
    expect(compared).toBeGreaterThanOrEqual(queries.length);
  }, 180_000);
});

describe.skipIf(!HAS_ST_ZOO)(needs(ST_ZOO, 'embedlab refuses folders without weights it can open'), () => {
  it('pytorch_model.bin only: exit 2 with why pickles are refused and the python line that writes safetensors', async () => {
    const folder = path.join(temp('pickle'), 'bert-mean');
    cpSync(zooFolder('bert-mean'), folder, { recursive: true, dereference: true, filter: (source) => !source.endsWith('model.safetensors') });
    writeFileSync(path.join(folder, 'pytorch_model.bin'), new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]));
    const result = await embedlab(['embed', '--model', folder, '--text', 'hello']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${folder}: pytorch_model.bin: is a PyTorch pickle, and the lab does not open pickles: unpickling a file runs whatever code it holds.`);
    expect(result.stderr).toContain(`python -c "from sentence_transformers import SentenceTransformer; SentenceTransformer('${folder}').save('${folder}', safe_serialization=True)"`);
  });

  it('neither weights: exit 2 naming what is missing', async () => {
    const folder = path.join(temp('empty'), 'bert-mean');
    cpSync(zooFolder('bert-mean'), folder, { recursive: true, dereference: true, filter: (source) => !source.endsWith('model.safetensors') });
    const result = await embedlab(['embed', '--model', folder, '--text', 'hello']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${folder}: onnx/model.onnx: not found (nor model.onnx at the top of the folder), and no model.safetensors (nor model.safetensors.index.json) either: the folder holds no weights to run`,
    );
  });
});
