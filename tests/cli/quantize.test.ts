import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileModelSource } from '../../src/cli/fileModelSource.ts';
import { openNodeEncoder } from '../../src/cli/nodeEncoder.ts';
import { readModelFolder } from '../../src/core/model/modelFolder.ts';
import { quantizeDynamic } from '../../src/core/onnx/quantizeDynamic.ts';
import { rowCosines } from '../../src/core/vectors/rowCosines.ts';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, needs, SHARED_MODELS } from '../paths.ts';
import { embedlab } from './runCli.ts';

describe('the int8 variant the lab makes', () => {
  it('runs in onnxruntime-node and embeds within cosine 0.999 of the float model', async () => {
    const fp32 = await readModelFolder(fileModelSource(FIXTURE_MODEL), 'fp32');
    const texts = ['hello world', 'a bank loan for a small business', 'how do I reset my card PIN', 'the weather is nice today'];
    const a = await openNodeEncoder(fp32);
    const b = await openNodeEncoder({ ...fp32, onnx: quantizeDynamic(fp32.onnx).model });
    const [ea, eb] = [await a.encode(texts), await b.encode(texts)];
    await Promise.all([a.release(), b.release()]);
    for (const cosine of rowCosines(ea.vectors, eb.vectors, ea.dim)) expect(cosine).toBeGreaterThan(0.999);
  });

  it.skipIf(!HAS_SHARED_MODELS)(needs(SHARED_MODELS, 'embedlab quantize writes onnx/model_quantized.onnx for the real base model and reports its cost'), async () => {
    const folder = path.join(mkdtempSync(path.join(tmpdir(), 'embedlab-quantize-')), 'base');
    cpSync(path.join(SHARED_MODELS, 'lab-minilm-l6-base'), folder, { recursive: true, dereference: true });
    const result = await embedlab(['quantize', folder]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/model_quantized\.onnx: 36 MatMul\/Gemm weights quantized to int8 .*12 MatMul left in float .*model 90\.4 MB → 58\.\d MB/);
    const [, min] = /cosine to fp32 on 8 texts: min (\d\.\d+)/.exec(result.stdout)!;
    expect(Number(min)).toBeGreaterThan(0.999);
    expect(existsSync(path.join(folder, 'onnx/model_quantized.onnx'))).toBe(true);
    // The file is then the folder's int8 variant: embed reads it (no note about making one).
    const embedded = await embedlab(['embed', '--model', folder, '--variant', 'quantized', '--text', 'hello']);
    expect(embedded.code).toBe(0);
    expect(embedded.stderr).not.toMatch(/made here/);
    const again = await embedlab(['quantize', folder]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/model_quantized\.onnx exists; --force replaces it/);
  }, 120_000);
});
