import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileModelSource } from '../../src/cli/fileModelSource.ts';
import { openNodeEncoder } from '../../src/cli/nodeEncoder.ts';
import { readModelFolder } from '../../src/core/model/modelFolder.ts';
import { quantizeDynamic } from '../../src/core/onnx/quantizeDynamic.ts';
import { rowCosines } from '../../src/core/vectors/rowCosines.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, needs, ROOT, SHARED_MODELS } from '../paths.ts';
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

describe.skipIf(!HAS_SHARED_MODELS)(needs(SHARED_MODELS, 'embedlab eval --sweep weights=fp32,quantized with the real base model'), () => {
  it('encodes the int8 variant as a checkpoint of its own and measures it against fp32', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'embedlab-weights-'));
    const base = path.join(SHARED_MODELS, 'lab-minilm-l6-base');
    const result = await embedlab([
      'eval', path.join(ROOT, 'public/samples/helpdesk-faq.csv'), '--model', base, '--sweep', 'weights=fp32,quantized', '--no-diagnostics', '--no-cache', '--json', path.join(out, 'report.json'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    expect(report.models.map((m) => m.name)).toEqual(['lab-minilm-l6-base', 'lab-minilm-l6-base · int8 weights']);
    expect(report.models[1].notes.join(' ')).toMatch(/made here from onnx\/model\.onnx by dynamic int8 quantization/);
    expect(report.models[1].fingerprint).not.toBe(report.models[0].fingerprint);
    const [full, int8] = report.sweep!;
    expect(full).toMatchObject({ model: 'lab-minilm-l6-base', weights: 'fp32', precision: 'float32', dims: 384 });
    expect(int8).toMatchObject({ model: 'lab-minilm-l6-base', weights: 'quantized', precision: 'float32', dims: 384 });
    expect(int8.cosineToFull!.min).toBeGreaterThan(0.999);
    expect(int8.textsPerSecond).toBeGreaterThan(0);
    expect(int8.comparison['ndcg@10'].delta).toBeCloseTo(int8.metrics['ndcg@10'] - full.metrics['ndcg@10'], 10);
    expect(result.stdout).toMatch(/int8 weights of lab-minilm-l6-base: cosine to the fp32 embeddings min 0\.99\d+, mean 0\.99\d+ over every document and query; encoded at [\d.]+ texts\/s\./);
  }, 120_000);
});
