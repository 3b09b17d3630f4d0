import { readFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { memorySource } from '../../../tests/fixtures/memorySource.ts';
import { FIXTURE_MODEL } from '../../../tests/paths.ts';
import { readModelFolder } from '../model/modelFolder.ts';
import { encodeModel, NodeProto, ONNX_FLOAT } from './onnxProto.ts';
import { quantizeDynamic, QuantizeError, quantizeWeight } from './quantizeDynamic.ts';

/** Top-level fields of a message: number → raw bytes of each occurrence. */
function fields(bytes: Uint8Array): Map<number, Uint8Array[]> {
  const reader = protobuf.Reader.create(bytes);
  const out = new Map<number, Uint8Array[]>();
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    reader.skipType(tag & 7);
    out.set(tag >>> 3, [...(out.get(tag >>> 3) ?? []), bytes.subarray(start, reader.pos)]);
  }
  return out;
}

function payload(field: Uint8Array): Uint8Array {
  const reader = protobuf.Reader.create(field);
  reader.uint32();
  return reader.bytes();
}

const fixtureOnnx = () => new Uint8Array(readFileSync(path.join(FIXTURE_MODEL, 'onnx/model.onnx')));

describe('dynamic int8 quantization of MatMul weights (onnxruntime quantize_dynamic, QInt8)', () => {
  it('quantizes a weight symmetrically per tensor, rounding half to even', () => {
    const { values, scale } = quantizeWeight(Float32Array.of(-1, 0.5, 0.25, 1, 0, -0.5), 2, 3);
    expect(scale).toBe(Math.fround(1 / 127));
    // 0.5 / (1/127) = 63.5 → 64 (even); 0.25 · 127 = 31.75 → 32; −63.5 → −64.
    expect(Array.from(values)).toEqual([-127, 64, 32, 127, 0, -64]);
  });

  it('rewrites every MatMul with a constant weight, keeps everything else of the model byte for byte', () => {
    const original = fixtureOnnx();
    const { model, quantizedNodes, skippedNodes, weightBytes } = quantizeDynamic(original);
    expect(quantizedNodes).toBeGreaterThan(0);
    expect(weightBytes.after * 4).toBe(weightBytes.before);
    const [before, after] = [fields(original), fields(model)];
    for (const [field, occurrences] of before) if (field !== 7) expect(after.get(field), `model field ${field}`).toEqual(occurrences);
    const nodes = (fields(payload(after.get(7)![0])).get(1) ?? []).map((n) => NodeProto.toObject(NodeProto.decode(payload(n))) as { opType: string });
    const ops = nodes.map((n) => n.opType);
    expect(ops.filter((op) => op === 'MatMulInteger')).toHaveLength(quantizedNodes);
    expect(ops.filter((op) => op === 'MatMul')).toHaveLength(skippedNodes);
    expect(ops).toContain('DynamicQuantizeLinear');
    // Q, K and V read the same hidden state: one DynamicQuantizeLinear serves all three.
    expect(ops.filter((op) => op === 'DynamicQuantizeLinear').length).toBeLessThan(quantizedNodes);
    expect(model.length).toBeLessThan(original.length);
  });

  it('is made on the fly when a folder has no int8 export, and says so', async () => {
    const files = new Map(
      readdirSync(FIXTURE_MODEL, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => [path.relative(FIXTURE_MODEL, path.join(e.parentPath, e.name)), new Uint8Array(readFileSync(path.join(e.parentPath, e.name)))] as const),
    );
    const folder = await readModelFolder(memorySource('tiny-bert', files), 'quantized');
    expect(folder.madeHere).toBe(true);
    expect(folder.spec.onnxFile).toBe('onnx/model_quantized.onnx');
    expect(folder.spec.notes.at(-1)).toMatch(/no int8 export in the folder: made here from onnx\/model\.onnx by dynamic int8 quantization \(\d+ MatMul\/Gemm weights/);
  });

  it('names what it cannot do: no weight to quantize, an opset without DynamicQuantizeLinear', () => {
    const graph = (opset: number) =>
      encodeModel({
        name: 'no-weights',
        nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
        initializers: [],
        inputs: [{ name: 'a', elemType: ONNX_FLOAT, shape: [2, 2] }, { name: 'b', elemType: ONNX_FLOAT, shape: [2, 2] }],
        outputs: [{ name: 'c', elemType: ONNX_FLOAT, shape: [2, 2] }],
        opset,
      });
    expect(() => quantizeDynamic(graph(13))).toThrow(QuantizeError);
    expect(() => quantizeDynamic(graph(13))).toThrow(/no MatMul or Gemm node has a constant 2-D float weight/);
    expect(() => quantizeDynamic(graph(10))).toThrow(/opset 10 .* needs 11 or later/);
  });

  it('names a file that is not an ONNX model: truncated, random bytes, text, a graph that cannot be decoded', () => {
    const model = fixtureOnnx();
    const problem = (bytes: Uint8Array) => {
      try {
        quantizeDynamic(bytes);
        return 'quantized';
      } catch (error) {
        expect(error).toBeInstanceOf(QuantizeError);
        return (error as Error).message;
      }
    };
    expect(problem(model.subarray(0, 5000))).toMatch(/^is not a valid ONNX model: it is cut short \(truncated\?\): the field at byte \d+ runs to byte \d+, the file ends at 5000$/);
    expect(problem(new TextEncoder().encode('<!doctype html><html><body>Not Found</body></html>'))).toBe('is not a valid ONNX model: it is text ("<!doctype html><html><body>Not Found</bo…"), not a binary ONNX protobuf');
    const random = Uint8Array.from({ length: 20_000 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 13) & 0xff);
    expect(problem(random)).toMatch(/^is not a valid ONNX model: (byte \d+ starts no|it is cut short)/);
    // A graph field whose bytes are no GraphProto: the decoder's words, inside a named error.
    expect(problem(Uint8Array.of(0x08, 0x07, 0x3a, 0x04, 0x0a, 0x7f, 0x00, 0x00, 0x42, 0x04, 0x0a, 0x00, 0x10, 0x0d))).toMatch(/^is not a valid ONNX model: its graph cannot be read \(.+\)$/);
  });
});
