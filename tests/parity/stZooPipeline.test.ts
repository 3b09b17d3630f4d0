/**
 * The sentence-transformers pipeline of every st-zoo folder as the lab reads it — tokenizer, max_seq_length,
 * similarity, prompts, modules — against what sentence-transformers 6.0.1 computed (`NAME.reference.json`),
 * and, end to end, the embeddings of encode / encode_query / encode_document through the built graph.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeTexts, type EncodeOptions } from '../../src/core/model/encoder.ts';
import { readModelSpec, type ModelSpec } from '../../src/core/model/modelSpec.ts';
import { OrtRunner } from '../../src/core/model/ortRunner.ts';
import { modelBytes } from '../../src/core/onnx/graphBuilder.ts';
import { promptFor, type PromptRole } from '../../src/core/model/prompts.ts';
import { readSafetensorsWeights } from '../../src/core/model/safetensorsWeights.ts';
import { TextTokenizer } from '../../src/core/model/textTokenizer.ts';
import { HAS_ST_ZOO, ST_ZOO, ZOO_MODELS, zooFolder, zooReference } from '../fixtures/stZoo.ts';
import { folderSource } from '../fixtures/zooEncoder.ts';
import { needs, REAL_MODELS, SHARED_MODELS } from '../paths.ts';

type ZooModel = (typeof ZOO_MODELS)[number];

async function zooSpec(name: string): Promise<{ spec: ModelSpec; tokenizer: TextTokenizer }> {
  const spec = await readModelSpec(folderSource(zooFolder(name)));
  return { spec, tokenizer: TextTokenizer.fromSpec(spec) };
}

/** The prompt each call of ST 6 prepends, written out: only two folders have prompts. */
const EXPECTED_PROMPTS: Record<ZooModel, Record<PromptRole, string>> = {
  'bert-mean': { query: '', document: '', plain: '' },
  'bert-cls-dense-dot': { query: '', document: '', plain: '' },
  // prompts {query: "query: ", document: "passage: "}
  'bert-prompts': { query: 'query: ', document: 'passage: ', plain: '' },
  'bert-max-bf16-sharded': { query: '', document: '', plain: '' },
  'roberta-mean': { query: '', document: '', plain: '' },
  // prompts {query: "query: ", document: "", passage: "passage: "}: the empty `document` wins over `passage`.
  'xlm-roberta-weightedmean': { query: 'query: ', document: '', plain: '' },
  'distilbert-mean-fp16': { query: '', document: '', plain: '' },
  'mpnet-mean': { query: '', document: '', plain: '' },
  'modernbert-mean': { query: '', document: '', plain: '' },
};

/**
 * Token ids of the probe texts with the prompt, and the prompt_length ST's Pooling uses, computed once with
 * sentence-transformers 6.0.1 / transformers 5.18 in Python:
 *   m = SentenceTransformer(folder); f = m.preprocess(reference["probe"], prompt=p)
 *   ids = [[t for t, a in zip(row, mask) if a] for row, mask in zip(f["input_ids"].tolist(), f["attention_mask"].tolist())]
 *   f["prompt_length"]
 * (bert-prompts: "query: " → [CLS] query : … and "passage: " → [CLS] passage : …, prompt_length 3 for both;
 * xlm-roberta-weightedmean: "query: ", prompt_length 6 — the prompt alone ends in a lone "▁" that merges
 * into the next word when a text follows, and ST counts it anyway.)
 */
const PROMPTED: { model: ZooModel; prompt: string; promptLength: number; ids: number[][] }[] = [
  {
    model: 'bert-prompts',
    prompt: 'query: ',
    promptLength: 3,
    ids: [
      [101, 23032, 1024, 2023, 2003, 2019, 2742, 6251, 102], [101, 23032, 1024, 2169, 6251, 2003, 4991, 102], [101, 23032, 1024, 102],
      [101, 23032, 1024, 7592, 1010, 2088, 999, 999, 102], [101, 23032, 1024, 7668, 15743, 13746, 1517, 2139, 3900, 24728, 102],
      [101, 23032, 1024, 1864, 1876, 1950, 1671, 30239, 30227, 30233, 30240, 102], [101, 23032, 1024, 7861, 29147, 2072, 100, 7596, 102],
      [101, 23032, 1024, ...Array<number>(44).fill(1037), 102],
      [101, 23032, 1024, 1014, 1011, 8789, 16012, 8585, 14482, 2015, 3768, 27427, 14194, 6024, 5144, 1012, 102],
      [101, 23032, 1024, 2129, 2079, 1045, 4236, 2026, 4684, 2193, 2005, 4921, 2099, 20786, 102],
      [101, 23032, 1024, 2054, 14402, 4277, 2442, 2022, 22665, 2043, 15696, 18440, 10581, 10074, 4275, 1997, 9685, 2152, 3177, 2948, 1012, 102],
    ],
  },
  {
    model: 'bert-prompts',
    prompt: 'passage: ',
    promptLength: 3,
    ids: [
      [101, 6019, 1024, 2023, 2003, 2019, 2742, 6251, 102], [101, 6019, 1024, 2169, 6251, 2003, 4991, 102], [101, 6019, 1024, 102],
      [101, 6019, 1024, 7592, 1010, 2088, 999, 999, 102], [101, 6019, 1024, 7668, 15743, 13746, 1517, 2139, 3900, 24728, 102],
      [101, 6019, 1024, 1864, 1876, 1950, 1671, 30239, 30227, 30233, 30240, 102], [101, 6019, 1024, 7861, 29147, 2072, 100, 7596, 102],
      [101, 6019, 1024, ...Array<number>(44).fill(1037), 102],
      [101, 6019, 1024, 1014, 1011, 8789, 16012, 8585, 14482, 2015, 3768, 27427, 14194, 6024, 5144, 1012, 102],
      [101, 6019, 1024, 2129, 2079, 1045, 4236, 2026, 4684, 2193, 2005, 4921, 2099, 20786, 102],
      [101, 6019, 1024, 2054, 14402, 4277, 2442, 2022, 22665, 2043, 15696, 18440, 10581, 10074, 4275, 1997, 9685, 2152, 3177, 2948, 1012, 102],
    ],
  },
  {
    model: 'xlm-roberta-weightedmean',
    prompt: 'query: ',
    promptLength: 6,
    ids: [
      [0, 5, 664, 324, 212, 290, 51, 92, 156, 159, 29, 68, 5, 6, 98, 273, 2],
      [0, 5, 664, 324, 212, 140, 23, 93, 5, 6, 98, 273, 51, 143, 64, 38, 22, 16, 2],
      [0, 5, 664, 324, 212, 5, 2],
      [0, 5, 664, 324, 212, 5, 5, 138, 638, 20, 7, 5, 5, 279, 403, 99, 58, 3, 5, 5, 2],
      [0, 5, 664, 324, 212, 78, 23, 30, 1454, 697, 1475, 204, 5, 18, 1454, 6, 198, 1454, 5, 1394, 5, 14, 1454, 249, 1490, 181, 31, 2],
      [0, 5, 664, 324, 212, 5, 1478, 1477, 1479, 1480, 1481, 1483, 1497, 1491, 2],
      [0, 5, 664, 324, 212, 5, 12, 32, 20, 249, 28, 5, 1493, 5, 146, 25, 88, 153, 2],
      [0, 5, 664, 324, 212, ...Array<number>(58).fill(17), 2],
      [0, 5, 664, 324, 212, 257, 1413, 471, 297, 163, 190, 6, 815, 13, 669, 101, 980, 9, 2],
      [0, 5, 664, 324, 212, 138, 20, 121, 293, 165, 69, 39, 209, 38, 97, 27, 83, 20, 35, 28, 68, 422, 43, 165, 194, 65, 85, 134, 6, 121, 46, 14, 2],
      [
        0, 5, 664, 324, 212, 291, 87, 111, 603, 152, 5, 166, 121, 6, 97, 31, 55, 79, 5, 20, 35, 12, 27, 16, 651, 1386, 19, 17, 38, 20, 12, 166, 6,
        113, 245, 6, 8, 5, 176, 214, 234, 260, 12, 16, 17, 104, 25, 1090, 5, 9, 2,
      ],
    ],
  },
];

describe.skipIf(!HAS_ST_ZOO)(needs(ST_ZOO, 'st-zoo: the saved pipeline as sentence-transformers 6 reads it'), () => {
  it.each(ZOO_MODELS)('%s: token ids, max_seq_length, similarity and prompts', async (name) => {
    const reference = zooReference(name);
    const { spec, tokenizer } = await zooSpec(name);
    expect(reference.probe.map((text) => tokenizer.encode(text))).toEqual(reference.token_ids);
    expect(spec.maxSeqLength).toBe(reference.max_seq_length);
    expect(spec.similarity).toBe(reference.similarity_fn_name);
    expect(spec.defaultPromptName).toBe(reference.default_prompt_name);
    expect(spec.prompts).toEqual({ query: '', document: '', ...reference.prompts });
    for (const role of ['query', 'document', 'plain'] as const) expect(promptFor(spec, role)).toBe(EXPECTED_PROMPTS[name][role]);
  });

  it.each(PROMPTED.map((c) => [c.model, JSON.stringify(c.prompt), c] as const))('%s: token ids with the prompt %s equal ST’s', async (name, _, expected) => {
    const reference = zooReference(name);
    const { tokenizer } = await zooSpec(name);
    expect(reference.probe.map((text) => tokenizer.encode(text, expected.prompt))).toEqual(expected.ids);
    expect(tokenizer.promptLength(expected.prompt)).toBe(expected.promptLength);
  });

  it('reads the modules of bert-cls-dense-dot (CLS → Dense 32 → 16, tanh) and bert-prompts (include_prompt: false)', async () => {
    const dense = (await zooSpec('bert-cls-dense-dot')).spec;
    expect(dense.modules.map((m) => m.kind)).toEqual(['pooling', 'dense']);
    expect(dense.modules[1]).toMatchObject({ inFeatures: 32, outFeatures: 16, activation: 'Tanh' });
    expect(dense).toMatchObject({ pooling: ['cls'], normalize: false, similarity: 'dot' });
    expect((await zooSpec('bert-prompts')).spec).toMatchObject({ includePrompt: false, pooling: ['mean'], normalize: true });
  });
});

describe.each(REAL_MODELS)('%s', (name) => {
  const folder = path.join(SHARED_MODELS, name);
  it.skipIf(!existsSync(folder))(needs(folder, 'max_seq_length 256 from tokenizer_config.json (the ≥ 5.4 layout)'), async () => {
    const spec = await readModelSpec(folderSource(folder));
    expect(spec.maxSeqLength).toBe(256);
    expect(spec.maxSeqLengthSource).toBe("tokenizer_config.json's model_max_length");
  });
});

/** The three calls of the reference, as encodeTexts options. */
const CALLS: { key: 'encode' | 'encode_query' | 'encode_document'; role: PromptRole }[] = [
  { key: 'encode', role: 'plain' },
  { key: 'encode_query', role: 'query' },
  { key: 'encode_document', role: 'document' },
];

/** Both ways of batching: the lab's plan (length-sorted, padded) and one text per forward pass. */
const BATCHING: { name: string; options: EncodeOptions }[] = [
  { name: 'planned batches', options: {} },
  { name: 'one text per batch', options: { maxBatch: 1 } },
];

describe.skipIf(!HAS_ST_ZOO)(needs(ST_ZOO, 'st-zoo end to end: spec + built graph + onnxruntime-node + pooling + modules'), () => {
  // `it.for`, not `it.each`: it hands the test context over, whose `skip` names why.
  it.for(ZOO_MODELS)('%s: encode, encode_query, encode_document and similarity within 1e-5', async (name, context) => {
    const reference = zooReference(name);
    const source = folderSource(zooFolder(name));
    const { spec, tokenizer } = await zooSpec(name);
    const onnx = await builtGraph(source, (reason) => context.skip(reason));
    const runner = await OrtRunner.create(ort, spec, onnx, { executionProviders: ['cpu'], graphOptimizationLevel: 'all' });
    try {
      const results: Record<string, number[][]> = {};
      for (const { name: batching, options } of BATCHING) {
        for (const { key, role } of CALLS) {
          const { vectors, dim } = await encodeTexts(reference.probe, tokenizer, runner, spec, { ...options, role });
          const rows = toRows(vectors, dim);
          const delta = maxAbsDelta(rows, reference[key]);
          console.log(`${name} ${key} (${batching}): max |Δ| = ${delta.toExponential(2)}`);
          expect(delta, `${key}, ${batching}`).toBeLessThanOrEqual(1e-5);
          results[key] = rows;
        }
      }
      const scores = similarityMatrix(spec.similarity, results.encode_query, results.encode_document);
      expect(maxAbsDelta(scores, reference.similarity_query_document)).toBeLessThanOrEqual(1e-5 * scale(reference.similarity_query_document));
    } finally {
      await runner.release();
    }
  });
});

/** The encoder graph from the folder's safetensors; skips (with why) while the builders are not there yet. */
async function builtGraph(source: ReturnType<typeof folderSource>, skip: (reason: string) => never): Promise<Uint8Array> {
  let buildEncoder: typeof import('../../src/core/model/encoders/buildEncoder.ts').buildEncoder;
  try {
    ({ buildEncoder } = await import('../../src/core/model/encoders/buildEncoder.ts'));
  } catch (error) {
    return skip(`buildEncoder cannot be imported yet (${(error as Error).message})`);
  }
  const config = JSON.parse(new TextDecoder().decode((await source.read('config.json'))!)) as Record<string, unknown>;
  const weights = await readSafetensorsWeights(source);
  if (!weights) throw new Error(`${source.name} has no safetensors weights`);
  try {
    return modelBytes(buildEncoder(config, weights).model);
  } catch (error) {
    if (/not yet/i.test((error as Error).message)) return skip(`buildEncoder: ${(error as Error).message}`);
    throw error;
  }
}

function toRows(vectors: Float32Array, dim: number): number[][] {
  return Array.from({ length: vectors.length / dim }, (_, row) => Array.from(vectors.subarray(row * dim, (row + 1) * dim)));
}

function maxAbsDelta(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[]): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((row, r) => {
    expect(row.length, `row ${r}`).toBe(expected[r].length);
    row.forEach((value, d) => (worst = Math.max(worst, Math.abs(value - expected[r][d]))));
  });
  return worst;
}

/** Scores grow with the vectors for dot, euclidean and manhattan: the tolerance follows their size. */
function scale(matrix: readonly (readonly number[])[]): number {
  return Math.max(1, ...matrix.flat().map(Math.abs));
}

/** `model.similarity(queries, documents)` in float64 (sentence_transformers/util/similarity.py). */
function similarityMatrix(similarity: ModelSpec['similarity'], queries: number[][], documents: number[][]): number[][] {
  const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);
  const norm = (a: number[]) => Math.sqrt(dot(a, a));
  const score = {
    cosine: (a: number[], b: number[]) => dot(a, b) / (Math.max(norm(a), 1e-8) * Math.max(norm(b), 1e-8)),
    dot,
    euclidean: (a: number[], b: number[]) => -Math.sqrt(a.reduce((sum, v, i) => sum + (v - b[i]) ** 2, 0)),
    manhattan: (a: number[], b: number[]) => -a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0),
  }[similarity];
  return queries.map((q) => documents.map((d) => score(q, d)));
}
