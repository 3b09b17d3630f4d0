import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../src/cli/diskEmbeddingStore.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { HAS_SHARED_MODELS, needs, REAL_MODELS, SHARED, SHARED_MODELS } from '../paths.ts';
import { embedlab } from './runCli.ts';

const SCIFACT = path.join(SHARED, 'data/scifact');

describe.skipIf(!HAS_SHARED_MODELS)(needs(SHARED_MODELS, 'embedlab eval --sweep on SciFact with both real checkpoints'), () => {
  it('adds a sweep whose full-size float32 row is the plain eval, in the JSON, Markdown and terminal table', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'embedlab-sweep-'));
    const [base, tuned] = REAL_MODELS.map((name) => path.join(SHARED_MODELS, name));
    const result = await embedlab([
      'eval', SCIFACT, '--model', base, '--model', tuned, '--cache-dir', defaultCacheDir(), '--no-diagnostics',
      '--sweep', 'dims=384,128', '--sweep', 'precision=float32,int8,binary', '--rescore', '3',
      '--json', path.join(out, 'report.json'), '--markdown', path.join(out, 'report.md'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    const sweep = report.sweep!;
    expect(sweep).toHaveLength(2 * 2 * 5);
    for (const [i, model] of report.models.entries()) {
      const cells = sweep.filter((c) => c.model === model.name);
      expect(cells.map((c) => `${c.dims} ${c.precision} ${c.rescore}`)).toEqual([
        '384 float32 null', '384 int8 null', '384 int8 3', '384 binary null', '384 binary 3',
        '128 float32 null', '128 int8 null', '128 int8 3', '128 binary null', '128 binary 3',
      ]);
      const full = cells[0];
      expect(full.metrics, model.name).toEqual(report.models[i].metrics);
      expect(full.comparison['ndcg@10'].delta).toBe(0);
      expect(cells.map((c) => c.bytesPerVector)).toEqual([1536, 384, 384, 48, 48, 512, 128, 128, 16, 16]);
      expect(cells[3].indexBytes).toBe(48 * 5183);
      // Rescoring with the float query recovers most of what binary quantization loses.
      expect(cells[4].metrics['ndcg@10']).toBeGreaterThan(cells[3].metrics['ndcg@10']);
    }
    expect(result.stdout).toMatch(/Compression sweep \(each model against itself at full size, float32/);
    expect(result.stdout).toMatch(/lab-minilm-l6-scifact-ft\s+128\s+binary \+ rescore ×3\s+16\s+82\.9 kB/);
    const markdown = await readFile(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toMatch(/## Compression sweep[\s\S]*\| lab-minilm-l6-base \| 384 \| int8 \+ rescore ×3 \| 384 \| 1\.99 MB \|/);
  }, 600_000);

  it('names a bad sweep spec', async () => {
    const result = await embedlab(['eval', SCIFACT, '--model', 'x', '--sweep', 'precision=int4']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--sweep precision: "int4" is not one of float32, float16, int8, binary/);
  });
});
