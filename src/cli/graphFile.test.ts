import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { HAS_ST_ZOO, zooFolder } from '../../tests/fixtures/stZoo.ts';
import { needs } from '../../tests/paths.ts';
import { modelFingerprint } from '../core/eval/embeddingCache.ts';
import { readModelFolder } from '../core/model/modelFolder.ts';
import { GraphBuilder, modelBytes, type SerializedModel } from '../core/onnx/graphBuilder.ts';
import { ONNX_FLOAT } from '../core/onnx/onnxProto.ts';
import { cliModelSource } from './cliModelSource.ts';
import { writeGraphFileIn } from './graphFile.ts';
import { loadNodeEncoder, openNodeEncoder } from './nodeEncoder.ts';

/** A graph with a weight larger than the writer's staging buffer and many small pieces around it. */
function model(failAt?: string): SerializedModel {
  const g = new GraphBuilder('graph-file');
  let x = g.input({ name: 'x', elemType: ONNX_FLOAT, shape: ['n', 4] });
  const big = Float32Array.from({ length: 100_003 * 4 }, (_, i) => Math.sin(i));
  x = g.op('Add', [x, g.floatWeight('big', [100_003, 4], () => big)]);
  for (let i = 0; i < 50; i++) {
    const name = `w${i}`;
    x = g.op('Mul', [x, g.floatWeight(name, [4], () => {
      if (name === failAt) throw new Error(`${name}: the checkpoint's bytes could not be read`);
      return Float32Array.of(i, 1, 2, 3);
    })]);
  }
  g.output(x, { name: 'y', elemType: ONNX_FLOAT, shape: ['n', 4] });
  return g.serialized(17);
}

describe('writeGraphFile', () => {
  it('writes the model with its weights as external data, which onnxruntime runs as the model in memory', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'graph-file-test-'));
    const file = await writeGraphFileIn(parent, model());
    const inMemory = modelBytes(model());
    // The digest is the in-memory model's, so the embedding cache's key does not depend on how it was written.
    expect(file.sha256).toBe(createHash('sha256').update(inMemory).digest('hex'));
    expect(readdirSync(path.dirname(file.path)).sort()).toEqual(['model.onnx', 'model.onnx.data']);
    const data = readFileSync(path.join(path.dirname(file.path), 'model.onnx.data'));
    const { offsets, dataByteLength } = model().externalData('model.onnx.data');
    expect(data.length).toBe(dataByteLength);
    expect([...offsets.keys()], 'only tensors of 1 KiB or more go to the data file').toEqual(['big']);
    expect(offsets.get('big')! % 4096).toBe(0);
    const big = new Float32Array(data.buffer, data.byteOffset + offsets.get('big')!, 100_003 * 4);
    expect(big[12345]).toBe(Math.fround(Math.sin(12345)));
    expect(readFileSync(file.path).length).toBeLessThan(10_000);

    const x = new ort.Tensor('float32', Float32Array.from({ length: 100_003 * 4 }, (_, i) => i % 7), [100_003, 4]);
    const [fromFile, fromBytes] = [await ort.InferenceSession.create(file.path), await ort.InferenceSession.create(inMemory)];
    const [a, b] = [(await fromFile.run({ x })).y.data as Float32Array, (await fromBytes.run({ x })).y.data as Float32Array];
    expect(a.length).toBe(b.length);
    expect(Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer))).toBe(0);
    await Promise.all([fromFile.release(), fromBytes.release()]);
    file.remove();
    expect(readdirSync(parent)).toEqual([]);
  });

  it('leaves nothing behind when a tensor cannot be produced, and says which', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'graph-file-test-'));
    await expect(writeGraphFileIn(parent, model('w37'))).rejects.toThrow(/w37: the checkpoint's bytes could not be read/);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe.skipIf(!HAS_ST_ZOO)(needs('../shared/models/st-zoo', 'the CLI loads a safetensors folder through a graph file'), () => {
  it('makes the session from the file, deletes it, and encodes as the graph built in memory does', async () => {
    const folder = zooFolder('bert-mean');
    const texts = ['A safetensors checkpoint, as training wrote it.', 'Its graph went to a file.', ''];
    const fromFile = await loadNodeEncoder(folder);
    const inMemoryFolder = await readModelFolder(cliModelSource(folder));
    const fingerprint = await modelFingerprint(inMemoryFolder);
    const inMemory = await openNodeEncoder(inMemoryFolder);
    try {
      const graphFile = fromFile.folder.graphFile;
      expect(graphFile, 'the CLI wrote the built graph to a file').toBeDefined();
      expect(existsSync(path.dirname(graphFile!.path)), 'the graph file outlived the session').toBe(false);
      expect(inMemory.folder.graphFile).toBeUndefined();
      expect(await modelFingerprint(fromFile.folder)).toBe(fingerprint);
      const [a, b] = [await fromFile.encode(texts), await inMemory.encode(texts)];
      expect(a.count).toBe(texts.length);
      expect(Array.from(a.vectors)).toEqual(Array.from(b.vectors));
    } finally {
      await fromFile.release();
      await inMemory.release();
    }
  });
});
