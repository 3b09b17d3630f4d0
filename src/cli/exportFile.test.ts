import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { FIXTURE_MODEL } from '../../tests/paths.ts';
import { folderDigests } from '../core/model/modelFolder.ts';
import { splitExportExternalData } from '../core/onnx/exportExternalData.ts';
import { writeExportFile } from './graphFile.ts';
import { loadNodeEncoder, readNodeModelFolder } from './nodeEncoder.ts';
import { createHash } from 'node:crypto';

const EXPORT = path.join(FIXTURE_MODEL, 'onnx/model.onnx');

async function lastHiddenState(session: ort.InferenceSession): Promise<Float32Array> {
  const ids = [2, 9, 14, 7, 3, 0];
  const tensor = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
  const feeds: Record<string, ort.Tensor> = { input_ids: tensor(ids), attention_mask: tensor(ids.map((id) => Number(id !== 0))) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = tensor(ids.map(() => 0));
  return (await session.run(feeds))[session.outputNames[0]].data as Float32Array;
}

describe('an ONNX export split into a message and external data', () => {
  it('keeps every field but the moved raw data, and runs as the export does', async () => {
    const bytes = new Uint8Array(readFileSync(EXPORT));
    const split = splitExportExternalData(bytes, 'model.onnx.data');
    expect(split.tensors.length).toBeGreaterThan(0);
    expect(split.tensors.every((t) => t.offset % 4096 === 0 && t.bytes.length >= 1024)).toBe(true);
    const moved = split.tensors.reduce((n, t) => n + t.bytes.length, 0);
    // What left the message is the raw data and nothing else, less the external-data entries added.
    expect(bytes.length - split.model.length).toBeGreaterThan(moved - split.tensors.length * 128);
    expect(bytes.length - split.model.length).toBeLessThan(moved);

    const file = writeExportFile(bytes);
    try {
      expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(readdirSync(path.dirname(file.path)).sort()).toEqual(['model.onnx', 'model.onnx.data']);
      const [fromFile, fromBytes] = [await ort.InferenceSession.create(file.path), await ort.InferenceSession.create(bytes)];
      expect(fromFile.inputNames).toEqual(fromBytes.inputNames);
      expect(fromFile.outputNames).toEqual(fromBytes.outputNames);
      expect(Array.from(await lastHiddenState(fromFile))).toEqual(Array.from(await lastHiddenState(fromBytes)));
      await Promise.all([fromFile.release(), fromBytes.release()]);
    } finally {
      file.remove();
    }
  });

  it('is how the CLI loads an export: the digest the report records is the file\'s, and the file is gone once the session is made', async () => {
    const folder = await readNodeModelFolder(FIXTURE_MODEL);
    expect(folder.graphFile).toBeDefined();
    expect(() => folder.onnx).toThrow(/was written to a file for onnxruntime to read/);
    const sha256 = createHash('sha256').update(readFileSync(EXPORT)).digest('hex');
    expect((await folderDigests(folder))[0]).toEqual({ file: 'onnx/model.onnx', sha256 });
    const encoder = await loadNodeEncoder(FIXTURE_MODEL);
    try {
      expect(existsSync(path.dirname(encoder.folder.graphFile!.path)), 'the model file outlived the session').toBe(false);
    } finally {
      await encoder.release();
      folder.graphFile!.remove();
    }
  });
});
