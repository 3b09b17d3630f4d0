/**
 * The page's form of a graph built from safetensors: the model message and its weights as external data,
 * run by onnxruntime-web (here its WASM backend in Node) exactly as the single-file graph runs.
 */
import * as ortWeb from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { HAS_ST_ZOO, zooFolder } from '../../../tests/fixtures/stZoo.ts';
import { folderSource } from '../../../tests/fixtures/zooEncoder.ts';
import { needs } from '../../../tests/paths.ts';
import { modelFingerprint } from '../eval/embeddingCache.ts';
import { onnxSha256, readModelFolder, type ModelFolder } from './modelFolder.ts';

ortWeb.env.wasm.numThreads = 1;

async function lastHiddenState(folder: ModelFolder): Promise<Float32Array> {
  const session = await ortWeb.InferenceSession.create(folder.onnx, {
    executionProviders: ['wasm'],
    ...(folder.externalData ? { externalData: [folder.externalData] } : {}),
  });
  try {
    const ids = [101, 7592, 2088, 2003, 1037, 3231, 102, 0];
    const mask = ids.map((id) => (id === 0 ? 0 : 1));
    const tensor = (values: number[]) => new ortWeb.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
    const feeds: Record<string, ortWeb.Tensor> = { input_ids: tensor(ids), attention_mask: tensor(mask) };
    if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = tensor(ids.map(() => 0));
    const output = await session.run(feeds);
    return output[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe.skipIf(!HAS_ST_ZOO)(needs('../shared/models/st-zoo', 'a built graph with external weights'), () => {
  it('is a small message and its weights beside it, and runs as the single-file graph does', async () => {
    const source = folderSource(zooFolder('bert-mean'));
    const [split, whole] = [await readModelFolder(source, { externalWeights: true }), await readModelFolder(source)];
    expect(whole.externalData).toBeUndefined();
    expect(split.externalData?.path).toBe('model.onnx.data');
    expect(split.onnx.length).toBeLessThan(whole.onnx.length / 4);
    expect(split.externalData!.data.length).toBeGreaterThan(whole.onnx.length - split.onnx.length - 64 * 1024);
    expect(Array.from(await lastHiddenState(split))).toEqual(Array.from(await lastHiddenState(whole)));
  });

  it('has a digest that covers its weights: one changed weight byte changes the embedding cache key', async () => {
    const source = folderSource(zooFolder('bert-mean'));
    const [a, b] = [await readModelFolder(source, { externalWeights: true }), await readModelFolder(source, { externalWeights: true })];
    expect(await onnxSha256(a)).toBe(await onnxSha256(await readModelFolder(source, { externalWeights: true })));
    b.externalData!.data[b.externalData!.data.length - 1] ^= 1;
    expect(await modelFingerprint(b)).not.toBe(await modelFingerprint(a));
  });

  it('is never split where the bytes are needed whole: the int8 variant is quantized from them', async () => {
    const int8 = await readModelFolder(folderSource(zooFolder('bert-mean')), { variant: 'quantized', externalWeights: true });
    expect(int8.externalData).toBeUndefined();
    expect(int8.madeHere).toBe(true);
  });
});
