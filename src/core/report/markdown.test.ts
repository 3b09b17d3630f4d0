import { describe, expect, it } from 'vitest';
import { syntheticReport } from '../../../tests/fixtures/reportCase.ts';
import { reportExamples } from './examples.ts';
import { renderMarkdown } from './markdown.ts';

describe('the Markdown report', () => {
  const { dataset, report } = syntheticReport();

  it('has the summary, the metric table with bold significant deltas, and how to reproduce the statistics', () => {
    const markdown = renderMarkdown(report);
    expect(markdown).toMatch(/^# Embedding Lab report: synthetic\n/);
    expect(markdown).toMatch(/## Summary\n\n- tuned vs base: ndcg@10/);
    expect(markdown).toContain('| metric | base | tuned | Δ tuned − base | CI (Holm) | p | p (Holm) | W/T/L |');
    expect(markdown).toMatch(/\| ndcg@10 \| 0\.5000 \| 0\.706\d \| \*\*\+0\.206\d \(\+41\.\d %\)\*\* \| \[\+0\.\d{4}, \+0\.\d{4}\] \| < 0\.001 \| < 0\.001 \| 30\/5\/5 \|/);
    expect(markdown).toMatch(/\| recall@1 \| 0\.0000 \| 0\.0250 \| \+0\.0250 \|/);
    expect(markdown).toMatch(/seed 3\./);
    expect(markdown).not.toContain('## Per-query examples');
  });

  it('shows the biggest gains and losses with each model’s top 3, table cells escaped', () => {
    const examples = reportExamples(report, dataset);
    // Gains: 30 ties at +0.3 → the first three by query order; losses: q5 (−0.25) first.
    expect(examples.map((e) => e.queryId)).toEqual(['q6', 'q7', 'q8', 'q5', 'q4', 'q3']);
    expect(examples[3].values).toEqual([0.5, 0.25]);
    expect(examples[0].top[1][0]).toEqual({ docId: 'd6', text: 'answer 6', score: expect.closeTo(0.9, 6), relevance: 1 });
    const markdown = renderMarkdown(report, examples);
    expect(markdown).toContain('## Per-query examples');
    expect(markdown).toContain('**q5**: question 5 \\| with a pipe (ndcg@10: base 0.5000, tuned 0.2500)');
    expect(markdown).toMatch(/\| 1 \| answer 7 \(0\.900\) \| ✔ answer 6 \(0\.900\) \|/);
  });

  it('says which file each model ran, how, its modules and prompts, and which similarity ranked', () => {
    const withModel = structuredClone(report);
    withModel.models[1].model = {
      format: 'safetensors', file: 'model.safetensors', digests: [{ file: 'model.safetensors', sha256: 'ab'.repeat(32) }], family: 'bert',
      modules: ['cls pooling', 'dense 32→16 Tanh'], similarity: 'dot', prompts: { query: 'query: ', document: '' },
    };
    const markdown = renderMarkdown(withModel);
    expect(markdown).toContain('(cosine; tuned by its dot similarity).');
    expect(markdown).toContain('Models — tuned: model.safetensors, graph built here as bert, sha256 abababababab…; cls pooling → dense 32→16 Tanh; prompts: queries "query: ", documents none.');
  });

  it('says where each model ran without brackets inside brackets', () => {
    const ran = {
      ...report,
      models: report.models.map((m, i) => (i === 0 ? { ...m, backend: 'WebGPU · google swiftshader (fallback adapter)', backendChoice: { reason: 'auto: WebGPU (2.1× WASM)', calibration: { webgpuSeconds: 0.0125, wasmSeconds: 0.0263, speedup: 2.1 } } } : m)),
      kernels: { backend: 'cpu' as const, reason: 'the CLI ranks on onnxruntime-node (Gemm + TopK)', calibration: null },
    };
    const line = renderMarkdown(ran).split('\n').find((l) => l.startsWith('Ran on'))!;
    expect(line).toContain('base: WebGPU · google swiftshader (fallback adapter) — auto: WebGPU (2.1× WASM); measured webgpuSeconds 0.0125');
    let depth = 0;
    let deepest = 0;
    for (const c of line) deepest = Math.max(deepest, (depth += c === '(' ? 1 : c === ')' ? -1 : 0));
    expect(deepest).toBe(1);
  });
});
