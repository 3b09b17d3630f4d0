/**
 * Every way a safetensors checkpoint can be wrong, through `readModelFolder` as the page and the CLI call
 * it: a real st-zoo folder read into memory, one thing broken at a time, and the exact message asserted —
 * each names the file and, where there is one, the tensor or config key at fault.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { rawSafetensors, writeSafetensors, type RawFixtureTensor } from '../../../tests/fixtures/safetensorsFile.ts';
import { HAS_ST_ZOO, ST_ZOO, zooFolder } from '../../../tests/fixtures/stZoo.ts';
import { needs } from '../../../tests/paths.ts';
import { readModelFolder, type ReadModelOptions } from './modelFolder.ts';
import { ModelFolderError } from './modelSource.ts';

const WEIGHTS = 'model.safetensors';
const INDEX = 'model.safetensors.index.json';
const FAMILIES = 'bert, roberta, xlm-roberta, camembert, distilbert, mpnet, modernbert';
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));

/** Every file of a folder, by its `/`-separated path inside it. */
function folderFiles(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (at: string) => {
    for (const entry of readdirSync(path.join(dir, at), { withFileTypes: true })) {
      const relative = at ? `${at}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relative);
      else files.set(relative, new Uint8Array(readFileSync(path.join(dir, relative))));
    }
  };
  walk('');
  return files;
}

const cache = new Map<string, Map<string, Uint8Array>>();
/** A fresh copy of a zoo folder's file map (the bytes are shared and never written to). */
function zoo(name: string): Map<string, Uint8Array> {
  if (!cache.has(name)) cache.set(name, folderFiles(zooFolder(name)));
  return new Map(cache.get(name));
}

interface Header {
  length: number;
  json: Record<string, unknown>;
  data: Uint8Array;
}

/** A safetensors file split into its parts, read independently of the code under test. */
function splitFile(bytes: Uint8Array): Header {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
  return { length, json, data: bytes.subarray(8 + length) };
}

/** The file's tensors in stored order, as fixtures `writeSafetensors` can write again. */
function tensorsOf(bytes: Uint8Array): Record<string, RawFixtureTensor> {
  const { json, data } = splitFile(bytes);
  const entries = Object.entries(json).filter(([name]) => name !== '__metadata__') as [string, { dtype: string; shape: number[]; data_offsets: [number, number] }][];
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  return Object.fromEntries(entries.map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, bytes: data.subarray(...t.data_offsets) }]));
}

type Entry = { dtype: string; shape: number[]; data_offsets: [number, number] };

/** The same data under a header changed by `change` (padded to 8 bytes as writers pad it). */
function withHeader(bytes: Uint8Array, change: (header: Record<string, Entry>) => void): Uint8Array {
  const { json, data } = splitFile(bytes);
  change(json as Record<string, Entry>);
  const text = JSON.stringify(json);
  return rawSafetensors(text + ' '.repeat((8 - (text.length % 8)) % 8), data);
}

function config(files: Map<string, Uint8Array>): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(files.get('config.json')!)) as Record<string, unknown>;
}

/** The ModelFolderError `readModelFolder` throws for these files, as [file, problem]. */
async function refusal(name: string, files: Map<string, Uint8Array>, options: ReadModelOptions = {}): Promise<[string, string]> {
  try {
    await readModelFolder(memorySource(name, files), options);
  } catch (error) {
    if (!(error instanceof ModelFolderError)) throw error;
    expect(error.source).toBe(name);
    expect(error.message).toBe(`${name}: ${error.file}: ${error.problem}`);
    return [error.file, error.problem];
  }
  throw new Error(`${name}: expected a ModelFolderError, but the folder was read`);
}

describe.skipIf(!HAS_ST_ZOO)(needs(ST_ZOO, 'readModelFolder: every bad safetensors checkpoint gets a precise ModelFolderError'), () => {
  it('reads the unbroken folders (the baseline every case below breaks one thing of)', async () => {
    for (const name of ['bert-mean', 'bert-max-bf16-sharded', 'distilbert-mean-fp16']) {
      const folder = await readModelFolder(memorySource(name, zoo(name)));
      expect(folder.provenance).toMatchObject({ format: 'safetensors', alternative: null });
    }
  });

  describe('the file itself', () => {
    it('a header length past the end of the file (a download cut short inside the header)', async () => {
      const files = zoo('bert-mean');
      const whole = files.get(WEIGHTS)!;
      const { length } = splitFile(whole);
      files.set(WEIGHTS, whole.subarray(0, 100));
      expect(await refusal('bert-mean', files)).toEqual([
        WEIGHTS,
        `declares a ${length}-byte header but only 92 bytes follow the length: the file is truncated or not safetensors`,
      ]);
    });

    it('a header length beyond what safetensors allows', async () => {
      const files = zoo('bert-mean');
      files.set(WEIGHTS, rawSafetensors('{}', new Uint8Array(), 1n << 40n));
      expect(await refusal('bert-mean', files)).toEqual([
        WEIGHTS,
        `declares a ${2 ** 40}-byte header, more than the 100000000 bytes safetensors allows: the file is damaged or not safetensors`,
      ]);
    });

    it('a file too short to hold the length', async () => {
      const files = zoo('bert-mean');
      files.set(WEIGHTS, new Uint8Array(5));
      expect(await refusal('bert-mean', files)).toEqual([WEIGHTS, 'is 5 bytes long: too short for the 8-byte header length a safetensors file starts with']);
    });

    it('an invalid JSON header', async () => {
      const files = zoo('bert-mean');
      const { data } = splitFile(files.get(WEIGHTS)!);
      files.set(WEIGHTS, rawSafetensors('{"embeddings.LayerNorm.bias": {"dtype": "F32",', data));
      const [file, problem] = await refusal('bert-mean', files);
      expect(file).toBe(WEIGHTS);
      expect(problem).toMatch(/^header is not valid JSON \(.+\)$/);
    });

    it('a header that is not a JSON object', async () => {
      const files = zoo('bert-mean');
      files.set(WEIGHTS, rawSafetensors('[1, 2]   '));
      expect(await refusal('bert-mean', files)).toEqual([WEIGHTS, 'header must be a JSON object starting with "{" (byte 0x7B); it starts with "["']);
    });

    it('overlapping offsets', async () => {
      const files = zoo('bert-mean');
      files.set(
        WEIGHTS,
        withHeader(files.get(WEIGHTS)!, (header) => {
          header['embeddings.LayerNorm.weight'].data_offsets = [64, 192];
        }),
      );
      expect(await refusal('bert-mean', files)).toEqual([
        WEIGHTS,
        'tensor "embeddings.LayerNorm.weight": data_offsets [64, 192] overlap tensor "embeddings.LayerNorm.bias" (data_offsets [0, 128])',
      ]);
    });

    it('out-of-range offsets (the data cut short)', async () => {
      const files = zoo('bert-mean');
      const whole = files.get(WEIGHTS)!;
      const { length } = splitFile(whole);
      files.set(WEIGHTS, whole.subarray(0, whole.length - 1000));
      const dataLength = whole.length - 8 - length - 1000;
      expect(await refusal('bert-mean', files)).toEqual([
        WEIGHTS,
        `tensor "pooler.dense.weight": data_offsets [3992448, 3996544] run past the end of the ${dataLength}-byte data section`,
      ]);
    });

    it('offsets that end before they begin', async () => {
      const files = zoo('bert-mean');
      files.set(WEIGHTS, withHeader(files.get(WEIGHTS)!, (header) => void (header['embeddings.LayerNorm.bias'].data_offsets = [128, 0])));
      expect(await refusal('bert-mean', files)).toEqual([WEIGHTS, 'tensor "embeddings.LayerNorm.bias": data_offsets [128, 0] end before they begin']);
    });

    it('a hole in the data section', async () => {
      const files = zoo('bert-mean');
      const whole = files.get(WEIGHTS)!;
      const { data } = splitFile(whole);
      const padded = new Uint8Array(whole.length + 8);
      padded.set(whole);
      files.set(WEIGHTS, padded);
      expect(await refusal('bert-mean', files)).toEqual([
        WEIGHTS,
        `bytes ${data.length}..${data.length + 8} of the ${data.length + 8}-byte data section belong to no tensor; safetensors requires the tensors to cover it without holes`,
      ]);
    });

    it('an unknown dtype', async () => {
      const files = zoo('bert-mean');
      files.set(WEIGHTS, withHeader(files.get(WEIGHTS)!, (header) => void (header['encoder.layer.0.attention.self.key.bias'].dtype = 'F24')));
      const [file, problem] = await refusal('bert-mean', files);
      expect(file).toBe(WEIGHTS);
      expect(problem).toBe(
        'tensor "encoder.layer.0.attention.self.key.bias": unknown dtype "F24"; safetensors defines ' +
          'F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, C64, F8_E4M3, F8_E5M2, F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ, F6_E2M3, F6_E3M2, F4',
      );
    });

    it('a known dtype that holds no floats, met when the graph reads the tensor', async () => {
      const files = zoo('bert-mean');
      files.set(WEIGHTS, withHeader(files.get(WEIGHTS)!, (header) => void (header['encoder.layer.1.output.dense.bias'].dtype = 'I32')));
      expect(await refusal('bert-mean', files)).toEqual([WEIGHTS, 'tensor "encoder.layer.1.output.dense.bias" is I32; only F32, F16, BF16, F64 tensors can be read as float32']);
    });

    it('shape × dtype not the byte span', async () => {
      const files = zoo('bert-mean');
      files.set(WEIGHTS, withHeader(files.get(WEIGHTS)!, (header) => void (header['embeddings.LayerNorm.bias'].shape = [31])));
      expect(await refusal('bert-mean', files)).toEqual([WEIGHTS, 'tensor "embeddings.LayerNorm.bias": shape [31] of F32 needs 124 bytes but data_offsets [0, 128] span 128']);
    });

    it('a tensor stored under one name twice', async () => {
      const files = zoo('bert-mean');
      const { data } = splitFile(files.get(WEIGHTS)!);
      const text = JSON.stringify(splitFile(files.get(WEIGHTS)!).json).replace(
        '"embeddings.LayerNorm.weight"',
        '"embeddings.LayerNorm.bias"',
      );
      files.set(WEIGHTS, rawSafetensors(text, data));
      expect(await refusal('bert-mean', files)).toEqual([WEIGHTS, 'header names "embeddings.LayerNorm.bias" twice']);
    });
  });

  describe('the tensors against the family and config.json', () => {
    it('tensors the family needs missing: the first five are listed, with the family', async () => {
      const files = zoo('bert-mean');
      const tensors = tensorsOf(files.get(WEIGHTS)!);
      const kept = Object.fromEntries(Object.entries(tensors).filter(([name]) => !name.startsWith('encoder.layer.1.')));
      files.set(WEIGHTS, writeSafetensors(kept, { format: 'pt' }));
      expect(await refusal('bert-mean', files)).toEqual([
        WEIGHTS,
        'lacks 16 tensors a bert model needs (encoder.layer.1.attention.self.query.weight, encoder.layer.1.attention.self.query.bias, ' +
          'encoder.layer.1.attention.self.key.weight, encoder.layer.1.attention.self.key.bias, encoder.layer.1.attention.self.value.weight, …); ' +
          'it holds 23 tensors, e.g. embeddings.LayerNorm.bias, embeddings.LayerNorm.weight, embeddings.position_embeddings.weight',
      ]);
    });

    it('one tensor missing: named alone, singular', async () => {
      const files = zoo('bert-mean');
      const { 'embeddings.token_type_embeddings.weight': _, ...kept } = tensorsOf(files.get(WEIGHTS)!);
      files.set(WEIGHTS, writeSafetensors(kept));
      expect(await refusal('bert-mean', files)).toEqual([
        WEIGHTS,
        'lacks 1 tensor a bert model needs (embeddings.token_type_embeddings.weight); ' +
          'it holds 38 tensors, e.g. embeddings.LayerNorm.bias, embeddings.LayerNorm.weight, embeddings.position_embeddings.weight',
      ]);
    });

    it('a checkpoint of another family under the config of this one (DistilBERT tensors, a BERT config)', async () => {
      const files = zoo('bert-mean');
      files.set(WEIGHTS, zoo('distilbert-mean-fp16').get(WEIGHTS)!);
      const [file, problem] = await refusal('bert-mean', files);
      expect(file).toBe(WEIGHTS);
      // DistilBERT shares BERT's embedding names but not its token types or layer names.
      expect(problem).toBe(
        'lacks 33 tensors a bert model needs (embeddings.token_type_embeddings.weight, encoder.layer.0.attention.self.query.weight, ' +
          'encoder.layer.0.attention.self.query.bias, encoder.layer.0.attention.self.key.weight, encoder.layer.0.attention.self.key.bias, …); ' +
          'it holds 36 tensors, e.g. embeddings.LayerNorm.bias, embeddings.LayerNorm.weight, embeddings.position_embeddings.weight',
      );
    });

    it('a task model\'s prefix (bert.…) is taken off: the same checkpoint saved under BertForMaskedLM names still builds', async () => {
      const files = zoo('bert-mean');
      const tensors = tensorsOf(files.get(WEIGHTS)!);
      files.set(WEIGHTS, writeSafetensors(Object.fromEntries(Object.entries(tensors).map(([name, t]) => [`bert.${name}`, t]))));
      const folder = await readModelFolder(memorySource('bert-mean', files));
      expect(folder.provenance.family).toBe('bert');
    });

    it('a shape that contradicts config.json', async () => {
      const files = zoo('bert-mean');
      files.set('config.json', encode({ ...config(files), intermediate_size: 128 }));
      expect(await refusal('bert-mean', files)).toEqual([WEIGHTS, 'tensor encoder.layer.0.intermediate.dense.weight has shape [64, 32] but config.json implies [128, 32]']);
    });

    it('a shape that contradicts config.json, in a shard', async () => {
      const files = zoo('bert-max-bf16-sharded');
      files.set('config.json', encode({ ...config(files), intermediate_size: 96 }));
      expect(await refusal('bert-max-bf16-sharded', files)).toEqual([
        'model-00002-of-00002.safetensors',
        'tensor encoder.layer.0.intermediate.dense.weight has shape [64, 32] but config.json implies [96, 32]',
      ]);
    });

    it('an index naming an absent shard', async () => {
      const files = zoo('bert-max-bf16-sharded');
      files.delete('model-00002-of-00002.safetensors');
      const [file, problem] = await refusal('bert-max-bf16-sharded', files);
      expect(file).toBe(INDEX);
      expect(problem).toMatch(
        /^names the shard model-00002-of-00002\.safetensors for \d+ tensor\(s\) \("embeddings\.LayerNorm\.bias" first\), but the folder has no such file$/,
      );
    });

    it('an index that maps a tensor to the wrong shard', async () => {
      const files = zoo('bert-max-bf16-sharded');
      const index = JSON.parse(new TextDecoder().decode(files.get(INDEX)!)) as { weight_map: Record<string, string> };
      index.weight_map['embeddings.LayerNorm.bias'] = 'model-00001-of-00002.safetensors';
      files.set(INDEX, encode(index));
      expect(await refusal('bert-max-bf16-sharded', files)).toEqual([
        INDEX,
        'maps tensor "embeddings.LayerNorm.bias" to model-00001-of-00002.safetensors, which does not contain it (it is in model-00002-of-00002.safetensors)',
      ]);
    });

    it('hidden_size not divisible by the head count (BERT and DistilBERT keys)', async () => {
      const bert = zoo('bert-mean');
      bert.set('config.json', encode({ ...config(bert), num_attention_heads: 5 }));
      expect(await refusal('bert-mean', bert)).toEqual(['config.json', 'hidden_size / num_attention_heads: 32 is not divisible by 5 heads']);
      const distilbert = zoo('distilbert-mean-fp16');
      distilbert.set('config.json', encode({ ...config(distilbert), n_heads: 3 }));
      expect(await refusal('distilbert-mean-fp16', distilbert)).toEqual(['config.json', 'dim / n_heads: 32 is not divisible by 3 heads']);
    });

    it('a model_type the lab does not build: the families are listed', async () => {
      const files = zoo('bert-mean');
      files.set('config.json', encode({ ...config(files), model_type: 'gpt2' }));
      expect(await refusal('bert-mean', files)).toEqual([
        'config.json',
        `model_type "gpt2" is not a family the lab can build from safetensors; it builds ${FAMILIES} (export this model to ONNX to run it here)`,
      ]);
    });

    it('no model_type at all', async () => {
      const files = zoo('bert-mean');
      const { model_type: _, ...rest } = config(files);
      files.set('config.json', encode(rest));
      expect(await refusal('bert-mean', files)).toEqual(['config.json', `has no model_type; the lab builds ${FAMILIES}`]);
    });

    it('config.json missing beside model.safetensors', async () => {
      const files = zoo('bert-mean');
      files.delete('config.json');
      expect(await refusal('bert-mean', files)).toEqual(['config.json', 'not found: the encoder graph is built from it and the safetensors weights']);
    });
  });

  describe('int8 from safetensors', () => {
    it('the notes say where the int8 came from and what a saved int8 file does (or does not) do', async () => {
      const files = zoo('bert-mean');
      const made = await readModelFolder(memorySource('bert-mean', files), { variant: 'quantized' });
      expect(made.madeHere).toBe(true);
      expect(made.provenance).toMatchObject({ format: 'safetensors', file: WEIGHTS });
      expect(made.spec.notes.at(-1)).toMatch(
        /^no int8 export in the folder: made here from model\.safetensors by dynamic int8 quantization \(\d+ MatMul\/Gemm weights, [\d.]+ → [\d.]+ MB\); saved as onnx\/model_quantized\.onnx, it is reused when the ONNX export is chosen instead of the safetensors$/,
      );
      // Saved as the note says: auto still builds from the safetensors, and says the saved file did not run…
      files.set('onnx/model_quantized.onnx', made.onnx);
      const again = await readModelFolder(memorySource('bert-mean', files), { variant: 'quantized' });
      expect(again.provenance).toMatchObject({ format: 'safetensors', alternative: 'onnx' });
      expect(again.spec.notes.at(-1)).toMatch(
        /^int8 made here from model\.safetensors by dynamic int8 quantization \(.*\); the folder's onnx\/model_quantized\.onnx did not run: it runs when the ONNX export is chosen instead of the safetensors$/,
      );
      expect(Buffer.from(again.onnx).equals(made.onnx), 'the same int8 graph made again').toBe(true); // (toEqual on 4 MB is slow)
      // …and the ONNX weights run the saved file itself.
      const saved = await readModelFolder(memorySource('bert-mean', files), { variant: 'quantized', format: 'onnx' });
      expect(saved.madeHere).toBeUndefined();
      expect(saved.provenance).toMatchObject({ format: 'onnx', file: 'onnx/model_quantized.onnx', alternative: 'safetensors' });
      expect(saved.onnx).toBe(made.onnx);
    });
  });

  describe('the format asked for', () => {
    it('safetensors asked of an ONNX-only folder', async () => {
      const files = zoo('bert-mean');
      files.delete(WEIGHTS);
      files.set('onnx/model.onnx', new Uint8Array(64));
      expect(await refusal('bert-mean', files, { format: 'safetensors' })).toEqual([
        WEIGHTS,
        'not found (nor model.safetensors.index.json): this folder has no safetensors weights',
      ]);
    });

    it('onnx asked of a safetensors-only folder', async () => {
      expect(await refusal('bert-mean', zoo('bert-mean'), { format: 'onnx' })).toEqual([
        'onnx/model.onnx',
        'not found (nor model.onnx at the top of the folder): no ONNX export to run',
      ]);
    });

    it('fp16 of a safetensors folder means an fp16 export', async () => {
      expect(await refusal('bert-mean', zoo('bert-mean'), { format: 'safetensors', variant: 'fp16' })).toEqual([
        WEIGHTS,
        "is run in float32 arithmetic here; fp16 means the folder's onnx/model_fp16.onnx export",
      ]);
    });

    it('a pickle only: refused, with the line that writes safetensors', async () => {
      const files = zoo('bert-mean');
      files.delete(WEIGHTS);
      files.set('pytorch_model.bin', new Uint8Array([0x80, 0x02]));
      const [file, problem] = await refusal('bert-mean', files);
      expect(file).toBe('pytorch_model.bin');
      expect(problem).toMatch(/^is a PyTorch pickle, and the lab does not open pickles: .* python -c "from sentence_transformers import SentenceTransformer; SentenceTransformer\('bert-mean'\)\.save\('bert-mean', safe_serialization=True\)"$/);
    });

    it('neither weights: what is missing is named', async () => {
      const files = zoo('bert-mean');
      files.delete(WEIGHTS);
      const [file, problem] = await refusal('bert-mean', files);
      expect(file).toBe('onnx/model.onnx');
      expect(problem).toBe(
        'not found (nor model.onnx at the top of the folder), and no model.safetensors (nor model.safetensors.index.json) either: the folder holds no weights to run',
      );
      // The int8 variant, which the lab would make from either, says the same.
      expect(await refusal('bert-mean', files, { variant: 'quantized' })).toEqual([file, problem]);
    });
  });
});
