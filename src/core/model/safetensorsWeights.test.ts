import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { rawSafetensors, writeSafetensors } from '../../../tests/fixtures/safetensorsFile.ts';
import { SHARED_MODELS, needs } from '../../../tests/paths.ts';
import { ModelFolderError, type ModelSource } from './modelSource.ts';
import { pickleProblem, readSafetensorsWeights, refusePickle } from './safetensorsWeights.ts';

const INDEX = 'model.safetensors.index.json';
const SHARD_1 = 'model-00001-of-00002.safetensors';
const SHARD_2 = 'model-00002-of-00002.safetensors';
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const EMBEDDINGS = Float32Array.from({ length: 12 }, (_, i) => i / 4 - 1);
const BIAS = Float32Array.of(0.5, -0.25, 2);

/** A source over files, counting each read so that tests can say every file is read once. */
function countingSource(files: Record<string, Uint8Array>): ModelSource & { reads: Map<string, number> } {
  const inner = memorySource('folder', new Map(Object.entries(files)));
  const reads = new Map<string, number>();
  return {
    name: inner.name,
    reads,
    read: (file) => {
      reads.set(file, (reads.get(file) ?? 0) + 1);
      return inner.read(file);
    },
  };
}

/** Two shards (F32 and BF16) and the index naming them, as transformers writes a sharded checkpoint. */
function shardedFiles(): Record<string, Uint8Array> {
  return {
    [SHARD_1]: writeSafetensors({ 'embeddings.weight': { dtype: 'F32', shape: [4, 3], data: EMBEDDINGS } }, { format: 'pt' }),
    [SHARD_2]: writeSafetensors({ 'dense.bias': { dtype: 'BF16', shape: [3], data: BIAS }, 'dense.weight': { dtype: 'F16', shape: [1, 1], data: Float32Array.of(3) } }),
    [INDEX]: json({ metadata: { total_size: 62 }, weight_map: { 'dense.bias': SHARD_2, 'dense.weight': SHARD_2, 'embeddings.weight': SHARD_1 } }),
  };
}

async function problemOf(run: () => Promise<unknown>): Promise<[string, string]> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFolderError);
    const { source, file, problem } = error as ModelFolderError;
    expect(source).toBe('folder');
    return [file, problem];
  }
  throw new Error('expected a ModelFolderError');
}

describe('readSafetensorsWeights: one file', () => {
  const file = writeSafetensors({
    'embeddings.weight': { dtype: 'F32', shape: [4, 3], data: EMBEDDINGS },
    'dense.bias': { dtype: 'F16', shape: [3], data: BIAS },
  });

  it('answers names, shapes, dtypes and files, and float32 on demand as a view of the bytes read', async () => {
    const source = countingSource({ 'model.safetensors': file });
    const weights = (await readSafetensorsWeights(source))!;
    expect(weights.source).toBe('folder');
    expect(weights.names).toEqual(['embeddings.weight', 'dense.bias']);
    expect([weights.has('dense.bias'), weights.has('nope')]).toEqual([true, false]);
    expect(weights.dims('embeddings.weight')).toEqual([4, 3]);
    expect([weights.dtypeOf('dense.bias'), weights.fileOf('dense.bias')]).toEqual(['F16', 'model.safetensors']);
    const embeddings = weights.float32('embeddings.weight');
    expect(embeddings.dims).toEqual([4, 3]);
    expect([...embeddings.data]).toEqual([...EMBEDDINGS]);
    expect(embeddings.data.buffer).toBe(file.buffer); // held once: the tensor is the file's own bytes
    expect([...weights.float32('dense.bias').data]).toEqual([0.5, -0.25, 2]);
    expect([...source.reads]).toEqual([['model.safetensors', 1]]);
  });

  it('names the file and tensor when a tensor is absent', async () => {
    const weights = (await readSafetensorsWeights(memorySource('folder', new Map([['model.safetensors', file]]))))!;
    for (const ask of [() => weights.dims('pooler.weight'), () => weights.float32('pooler.weight'), () => weights.fileOf('pooler.weight'), () => weights.dtypeOf('pooler.weight')]) {
      expect(ask).toThrow(new ModelFolderError('folder', 'model.safetensors', 'has no tensor "pooler.weight" (it has 2 tensors)'));
    }
  });

  it('is null when the folder has neither model.safetensors nor its index', async () => {
    expect(await readSafetensorsWeights(memorySource('folder', new Map([['config.json', json({})]])))).toBeNull();
  });

  it('prefers model.safetensors to an index, as transformers does, and never reads the index then', async () => {
    const source = countingSource({ ...shardedFiles(), 'model.safetensors': file });
    expect((await readSafetensorsWeights(source))!.names).toEqual(['embeddings.weight', 'dense.bias']);
    expect([...source.reads.keys()]).toEqual(['model.safetensors']);
  });

  it('passes the parse error through, naming the file', async () => {
    const source = memorySource('folder', new Map([['model.safetensors', rawSafetensors('{}', new Uint8Array(2))]]));
    expect(await problemOf(() => readSafetensorsWeights(source))).toEqual([
      'model.safetensors',
      'bytes 0..2 of the 2-byte data section belong to no tensor; safetensors requires the tensors to cover it without holes',
    ]);
  });
});

describe('readSafetensorsWeights: shards and their index', () => {
  it('reads every shard once, in shard order, each tensor from its own shard', async () => {
    const files = shardedFiles();
    const source = countingSource(files);
    const weights = (await readSafetensorsWeights(source))!;
    expect(weights.names).toEqual(['embeddings.weight', 'dense.bias', 'dense.weight']);
    expect(weights.names.map((name) => [weights.fileOf(name), weights.dtypeOf(name)])).toEqual([
      [SHARD_1, 'F32'],
      [SHARD_2, 'BF16'],
      [SHARD_2, 'F16'],
    ]);
    expect(weights.float32('embeddings.weight').data.buffer).toBe(files[SHARD_1].buffer);
    expect([...weights.float32('dense.bias').data]).toEqual([0.5, -0.25, 2]);
    expect([...weights.float32('dense.weight').data]).toEqual([3]);
    expect(() => weights.dims('x')).toThrow(new ModelFolderError('folder', INDEX, 'has no tensor "x" (it has 3 tensors)'));
    expect(new Map(source.reads)).toEqual(new Map([['model.safetensors', 1], [INDEX, 1], [SHARD_1, 1], [SHARD_2, 1]]));
  });

  it('counts a tensor a shard holds beyond the index: transformers loads every tensor of every shard', async () => {
    const files = shardedFiles();
    files[INDEX] = json({ weight_map: { 'dense.bias': SHARD_2, 'embeddings.weight': SHARD_1 } });
    expect((await readSafetensorsWeights(memorySource('folder', new Map(Object.entries(files)))))!.has('dense.weight')).toBe(true);
  });

  const broken: [string, (files: Record<string, Uint8Array>) => void, string, string][] = [
    ['invalid index JSON', (f) => (f[INDEX] = new TextEncoder().encode('{"weight_map": ')), INDEX, `is not valid JSON (${jsonError('{"weight_map": ')})`],
    ['index not an object', (f) => (f[INDEX] = json([SHARD_1])), INDEX, 'must hold a JSON object'],
    ['no weight_map', (f) => (f[INDEX] = json({ metadata: {} })), INDEX, 'has no "weight_map" object mapping tensor names to shard files'],
    ['empty weight_map', (f) => (f[INDEX] = json({ weight_map: {} })), INDEX, 'has an empty "weight_map": it names no shard'],
    ['shard not a string', (f) => (f[INDEX] = json({ weight_map: { a: 1 } })), INDEX, '"weight_map" maps "a" to 1, not to a shard file name'],
    ['shard outside the folder', (f) => (f[INDEX] = json({ weight_map: { a: '../other/model.safetensors' } })), INDEX, '"weight_map" names the shard "../other/model.safetensors", outside the model folder'],
    [
      'a shard the index names is absent',
      (f) => delete f[SHARD_2],
      INDEX,
      `names the shard ${SHARD_2} for 2 tensor(s) ("dense.bias" first), but the folder has no such file`,
    ],
    [
      'a tensor mapped to a shard that lacks it',
      (f) => (f[INDEX] = json({ weight_map: { 'dense.bias': SHARD_1, 'dense.weight': SHARD_2, 'embeddings.weight': SHARD_1 } })),
      INDEX,
      `maps tensor "dense.bias" to ${SHARD_1}, which does not contain it (it is in ${SHARD_2})`,
    ],
    [
      'a tensor the index names that no shard holds',
      (f) => (f[INDEX] = json({ weight_map: { 'dense.bias': SHARD_2, 'pooler.weight': SHARD_2, 'embeddings.weight': SHARD_1 } })),
      INDEX,
      `maps tensor "pooler.weight" to ${SHARD_2}, which does not contain it`,
    ],
    [
      'a tensor in two shards',
      (f) => (f[SHARD_2] = writeSafetensors({ 'dense.bias': { dtype: 'F32', shape: [3], data: BIAS }, 'embeddings.weight': { dtype: 'F32', shape: [1], data: BIAS.subarray(0, 1) } })),
      SHARD_2,
      `holds tensor "embeddings.weight", which ${SHARD_1} holds too; a tensor must be stored once`,
    ],
    ['a broken shard', (f) => (f[SHARD_1] = new Uint8Array(3)), SHARD_1, 'is 3 bytes long: too short for the 8-byte header length a safetensors file starts with'],
  ];
  for (const [name, breakIt, file, problem] of broken) {
    it(`refuses ${name}`, async () => {
      const files = shardedFiles();
      breakIt(files);
      expect(await problemOf(() => readSafetensorsWeights(memorySource('folder', new Map(Object.entries(files)))))).toEqual([file, problem]);
    });
  }
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return 'parsed';
}

describe('refusePickle', () => {
  const PROBLEM =
    'is a PyTorch pickle, and the lab does not open pickles: unpickling a file runs whatever code it holds. ' +
    'Write model.safetensors beside it (sentence-transformers saves safetensors; run this only on a checkpoint you trust, as it loads the pickle): ' +
    `python -c "from sentence_transformers import SentenceTransformer; SentenceTransformer('folder').save('folder', safe_serialization=True)"`;

  it('refuses pytorch_model.bin, explaining why and giving the line that writes model.safetensors', async () => {
    const source = memorySource('folder', new Map([['pytorch_model.bin', new Uint8Array([0x80, 0x02])]]));
    expect(await problemOf(() => refusePickle(source))).toEqual(['pytorch_model.bin', PROBLEM]);
  });

  it('refuses a sharded pickle by its index, and asks a source that can tell existence instead of reading', async () => {
    const read = async () => {
      throw new Error('read a pickle');
    };
    const source = { name: 'folder', read, has: async (file: string) => file === 'pytorch_model.bin.index.json' };
    expect(await problemOf(() => refusePickle(source))).toEqual(['pytorch_model.bin.index.json', PROBLEM]);
  });

  it('lets a folder with neither through, and quotes folder names for Python', async () => {
    await expect(refusePickle(memorySource('folder', new Map()))).resolves.toBeUndefined();
    expect(pickleProblem("C:\\models\\bob's")).toContain(`SentenceTransformer('C:\\\\models\\\\bob\\'s').save('C:\\\\models\\\\bob\\'s', safe_serialization=True)`);
  });
});

const ZOO = path.join(SHARED_MODELS, 'st-zoo');
const SHARDED = path.join(ZOO, 'bert-max-bf16-sharded');

/** A model folder on disk, for the real checkpoints (core tests do not import the CLI's file source). */
function folderSource(folder: string): ModelSource {
  return { name: path.basename(folder), read: async (file) => (existsSync(path.join(folder, file)) ? new Uint8Array(readFileSync(path.join(folder, file))) : null) };
}

describe('the st-zoo checkpoints', () => {
  it.skipIf(!existsSync(ZOO))(needs(ZOO, 'every model folder has weights, and no pickle'), async () => {
    const folders = readdirSync(ZOO).filter((name) => existsSync(path.join(ZOO, name, 'config.json')));
    expect(folders.length).toBeGreaterThanOrEqual(9);
    for (const folder of folders) {
      const weights = await readSafetensorsWeights(folderSource(path.join(ZOO, folder)));
      expect(weights?.names.length, folder).toBeGreaterThan(0);
      await refusePickle(folderSource(path.join(ZOO, folder)));
    }
  });

  it.skipIf(!existsSync(SHARDED))(needs(SHARDED, 'bert-max-bf16-sharded: both BF16 shards, every tensor where the index says'), async () => {
    const index = JSON.parse(readFileSync(path.join(SHARDED, INDEX), 'utf8')) as { weight_map: Record<string, string> };
    const weights = (await readSafetensorsWeights(folderSource(SHARDED)))!;
    expect([...weights.names].sort()).toEqual(Object.keys(index.weight_map).sort());
    for (const name of weights.names) {
      expect([weights.fileOf(name), weights.dtypeOf(name)], name).toEqual([index.weight_map[name], 'BF16']);
      expect(weights.float32(name).data.length).toBe(weights.dims(name).reduce((a, b) => a * b, 1));
    }
  });
});
