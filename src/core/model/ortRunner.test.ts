import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel, ONNX_FLOAT, ONNX_INT64 } from '../onnx/onnxProto.ts';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { makeTinyBertFolder } from '../../../tests/fixtures/tinyBertFolder.ts';
import { readModelFolder } from './modelFolder.ts';
import { ModelFolderError } from './modelSource.ts';
import { OrtRunner } from './ortRunner.ts';

const tokens = (name: string) => ({ name, elemType: ONNX_INT64, shape: ['batch_size', 'sequence_length'] });

/** The fixture folder with its ONNX file replaced, loaded through the real path up to the session. */
async function sessionError(onnx: Uint8Array): Promise<ModelFolderError> {
  const files = new Map(makeTinyBertFolder().files);
  files.set('onnx/model.onnx', onnx);
  const folder = await readModelFolder(memorySource('broken-model', files));
  const error = await OrtRunner.create(ort, folder.spec, folder.onnx, {}).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelFolderError);
  return error as ModelFolderError;
}

describe('ONNX files that are not a usable embedding model get a specific error', () => {
  it('names an output other than last_hidden_state', async () => {
    const error = await sessionError(graphWithAxes({ inputs: ['input_ids', 'attention_mask'], output: 'sentence_embedding', width: 32 }));
    expect(error.message).toBe(
      'broken-model: onnx/model.onnx: has outputs [sentence_embedding]; expected last_hidden_state (token embeddings [batch, seq, hidden])',
    );
  });

  it('names a missing attention_mask input', async () => {
    const error = await sessionError(graphWithAxes({ inputs: ['input_ids'], output: 'last_hidden_state', width: 32 }));
    expect(error.message).toMatch(/onnx\/model\.onnx: has inputs \[input_ids\]; .*\(missing attention_mask\)/);
  });

  it('names a hidden size that differs from config.json', async () => {
    const error = await sessionError(graphWithAxes({ inputs: ['input_ids', 'attention_mask'], output: 'last_hidden_state', width: 5 }));
    expect(error.message).toBe('broken-model: onnx/model.onnx: last_hidden_state has size 5 per token but config.json says hidden_size 32');
  });

  it('says when onnxruntime cannot load the file at all', async () => {
    // Top-level fields of a ModelProto (ir_version, a graph), but the graph's bytes are no GraphProto.
    const error = await sessionError(Uint8Array.of(0x08, 0x07, 0x3a, 0x10, ...new Array(16).fill(0xff)));
    expect(error.message).toMatch(/^broken-model: onnx\/model\.onnx: cannot be loaded by onnxruntime/);
  });

  it('names a file that is not an ONNX model at all before onnxruntime reads it: text, a truncated file, random bytes, an LFS pointer', async () => {
    const model = graphWithAxes({ inputs: ['input_ids', 'attention_mask'], output: 'last_hidden_state', width: 4 });
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    const cases: [Uint8Array, string][] = [
      [new TextEncoder().encode('this is not protobuf at all, just text'), 'it is text ("this is not protobuf at all, just text…"), not a binary ONNX protobuf'],
      [new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 90000000\n'), "it is a Git LFS pointer, not the model itself (run git lfs pull in the model's repository)"],
      [model.subarray(0, model.length - 7), `it is cut short (truncated?): the field at byte `],
    ];
    for (const [bytes, problem] of cases) {
      const error = await sessionError(bytes);
      expect(error).toBeInstanceOf(ModelFolderError);
      expect(error.message).toContain(`broken-model: onnx/model.onnx: is not a valid ONNX model: ${problem}`);
    }
    expect((await sessionError(random)).message).toMatch(/^broken-model: onnx\/model\.onnx: is not a valid ONNX model: (byte \d+ starts no|it is cut short)/);
  });
});

/** A graph from input_ids to a float tensor [batch, seq, width] named `output` (Unsqueeze takes axes as an input since opset 13). */
function graphWithAxes(options: { inputs: string[]; output: string; width: number }): Uint8Array {
  return encodeModel({
    name: 'broken',
    opset: 17,
    inputs: options.inputs.map(tokens),
    outputs: [{ name: options.output, elemType: ONNX_FLOAT, shape: ['batch_size', 'sequence_length', options.width] }],
    initializers: [
      { name: 'ones', dims: [options.width], data: new Float32Array(options.width).fill(1) },
      { name: 'axis_2', dims: [1], data: BigInt64Array.of(2n) },
    ],
    nodes: [
      { op: 'Cast', inputs: ['input_ids'], outputs: ['ids_float'], attributes: { to: ONNX_FLOAT } },
      { op: 'Unsqueeze', inputs: ['ids_float', 'axis_2'], outputs: ['ids_3d'] },
      { op: 'Mul', inputs: ['ids_3d', 'ones'], outputs: [options.output] },
    ],
  });
}
