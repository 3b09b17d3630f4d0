import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { embedlab } from './runCli.ts';
import { defaultCacheDir } from '../../src/cli/diskEmbeddingStore.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { HAS_SHARED_MODELS, needs, REAL_MODELS, SHARED, SHARED_MODELS } from '../paths.ts';
import { referenceValues } from '../referenceValues.ts';

/**
 * The CLI's default cache (~/.cache/embedlab): it outlives clones, so only the first run on a machine encodes
 * SciFact (5183 documents × 2 models at ≈ 18 documents/s on 2 cores: about 10 minutes).
 */
const CACHE = defaultCacheDir();
const SCIFACT = path.join(SHARED, 'data/scifact');


describe.skipIf(!HAS_SHARED_MODELS)(needs(SHARED_MODELS, 'embedlab eval on SciFact test with the two real checkpoints'), () => {
  let report: EvalReport;
  let firstRun: { code: number; stdout: string; stderr: string };
  let markdown: string;

  it('runs, prints the comparison table and writes JSON and Markdown', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'embedlab-eval-'));
    const [base, tuned] = REAL_MODELS.map((name) => path.join(SHARED_MODELS, name));
    firstRun = await embedlab([
      'eval', SCIFACT, '--model', base, '--model', tuned, '--split', 'test', '--cache-dir', CACHE,
      '--json', path.join(out, 'report.json'), '--markdown', path.join(out, 'report.md'), '--fail-if-worse', 'ndcg@10',
    ]);
    expect(firstRun.stdout).toMatch(/^PASS ndcg@10: lab-minilm-l6-scifact-ft vs lab-minilm-l6-base: Δ \+0\.1\d{3}, 95\.0 % upper bound \+0\.\d{4} ≥ −0: a loss beyond the tolerance is not shown$/m);
    expect(firstRun.code).toBe(0);
    expect(firstRun.stdout).toMatch(/scifact: 300 queries, 5183 documents, 339 judgments/);
    expect(firstRun.stdout).toMatch(/ndcg@10\s+0\.4\d{3}\s+0\.5\d{3}\s+\+0\.1\d{3} \*/);
    report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    markdown = await readFile(path.join(out, 'report.md'), 'utf8');
  }, 900_000);

  it('reproduces every sentence-transformers metric within 1e-3', () => {
    const reference = referenceValues();
    REAL_MODELS.forEach((name, i) => {
      const expected = reference.models[name].scifact_test.metrics;
      const model = report.models[i];
      expect(model.name).toBe(name);
      for (const [key, value] of Object.entries(expected)) {
        const ours = model.metrics[key.replace(/^scifact_cosine_/, '')];
        expect(Math.abs(ours - value), `${name} ${key}: ${ours} vs ${value}`).toBeLessThanOrEqual(1e-3);
      }
    });
  });

  it('has the same top-10 documents as sentence-transformers for at least 95 % of queries', () => {
    const reference = referenceValues();
    REAL_MODELS.forEach((name, i) => {
      const expected = reference.models[name].scifact_test.top10;
      const queries = Object.keys(expected);
      const same = queries.filter((q) => {
        const ours = (report.models[i].top[q] ?? []).map(([doc]) => doc);
        return JSON.stringify(ours) === JSON.stringify(expected[q].map(([doc]) => doc));
      });
      expect(same.length / queries.length, `${name}: ${same.length}/${queries.length}`).toBeGreaterThanOrEqual(0.95);
    });
  });

  it('writes the documented JSON shape with comparisons', () => {
    expect(report.dataset).toMatchObject({ queries: 300, documents: 5183, judgments: 339, evaluatedQueries: 300 });
    const [model] = report.models;
    expect(model).toMatchObject({ path: expect.any(String), kind: 'vectors', backend: expect.stringMatching(/^onnxruntime-node/), rankedOn: 'cpu', dim: 384, depth: 100 });
    expect(Object.keys(model.perQuery['ndcg@10'])).toHaveLength(300);
    const comparison = report.comparisons[0];
    expect(comparison).toMatchObject({ a: REAL_MODELS[0], b: REAL_MODELS[1] });
    const ndcg = comparison.metrics['ndcg@10'];
    expect(ndcg.delta).toBeGreaterThan(0.1);
    expect(ndcg.ci95[0]).toBeGreaterThan(0);
    expect(ndcg.p).toBeLessThan(0.001);
    expect(ndcg.wins + ndcg.ties + ndcg.losses).toBe(300);
    expect(report.statistics).toMatchObject({ permutations: 10000, resamples: 10000, seed: 20260101 });
    expect(firstRun.stdout).toMatch(/seed 20260101\./);
    expect(markdown).toMatch(/\| ndcg@10 \| 0\.4\d{3} \| 0\.5\d{3} \| \*\*\+0\.1\d{3} \(\+\d+\.\d %\)\*\* \|/);
    expect(markdown).toMatch(/## Per-query examples/);
  });

  it('diagnoses unlabelled BEIR data on k-means clusters, with an AUC over the whole corpus', () => {
    for (const model of report.models) {
      const diagnostics = model.diagnostics!;
      expect(diagnostics.details.labels).toMatchObject({ kind: 'k-means', points: 5183 });
      // Every non-relevant document of the corpus is a negative: models that retrieve well are far above chance…
      expect(diagnostics.rocAuc!).toBeGreaterThan(0.9);
      expect(diagnostics.scoreGap!).toBeGreaterThan(0);
      // …while the top-100 hard negatives, named as such, sit lower.
      expect(diagnostics.hardNegativeRocAuc!).toBeLessThan(diagnostics.rocAuc!);
      expect(diagnostics.details.hardNegatives!.depth).toBe(100);
    }
    expect(report.comparisons[0].diagnostics!.reading.length).toBeGreaterThan(0);
  });

  /**
   * The gate's run (B as the baseline, so the gate fails), made once: it is also the second run over the same
   * texts whose cache use the next test checks (each SciFact run costs seconds of CPU to load and rank).
   */
  let gatedRun: Promise<{ result: Awaited<ReturnType<typeof embedlab>>; junit: string; markdown: string }> | undefined;
  const gateRun = () =>
    (gatedRun ??= (async () => {
      const [base, tuned] = REAL_MODELS.map((name) => path.join(SHARED_MODELS, name));
      const out = await mkdtemp(path.join(tmpdir(), 'embedlab-gate-'));
      const junit = path.join(out, 'gate.xml');
      const markdown = path.join(out, 'pr.md');
      const result = await embedlab([
        'eval', SCIFACT, '--model', tuned, '--model', base, '--cache-dir', CACHE, '--fail-if-worse', 'ndcg@10,recall@10', '--tolerance', '0.02',
        '--no-diagnostics', '--junit', junit, '--junit-queries', '--markdown', markdown,
      ]);
      return { result, junit, markdown };
    })());

  it('reuses cached embeddings on a second run', async () => {
    // A run that ends (exit 1: the gate failed, the report written), not one that stopped on an error.
    const { result: second } = await gateRun();
    expect(second.code, second.stderr).toBe(1);
    for (const name of REAL_MODELS) {
      expect(second.stderr).toMatch(new RegExp(`^${name}: documents: 0 encoded, 5183 from cache`, 'm'));
      expect(second.stderr).toMatch(new RegExp(`^${name}: queries: 0 encoded, 300 from cache`, 'm'));
    }
  }, 300_000);

  it('fails the CI gate when the data rule out a loss within the tolerance, and writes JUnit', async () => {
    const [base, tuned] = REAL_MODELS.map((name) => path.join(SHARED_MODELS, name));
    const { result: gated, junit, markdown: prMarkdown } = await gateRun();
    expect(gated.code).toBe(1);
    // Two gated metrics: each bound at 97.5 % (Bonferroni).
    expect(gated.stdout).toMatch(/^FAIL ndcg@10: lab-minilm-l6-base vs lab-minilm-l6-scifact-ft: Δ −0\.1\d{3}, 97\.5 % upper bound −0\.\d{4} < −0\.02: the data rule out a loss smaller than the tolerance$/m);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(await readFile(junit, 'utf8'));
    const suite = parsed.testsuites.testsuite;
    const cases = [suite.testcase].flat() as { '@_name': string; '@_classname': string; failure?: unknown }[];
    const gateCases = cases.filter((c) => c['@_classname'].startsWith('embedlab.gate.'));
    expect(gateCases.map((c) => c['@_name'])).toEqual([
      'ndcg@10 of lab-minilm-l6-base not worse than lab-minilm-l6-scifact-ft by more than 0.02',
      'recall@10 of lab-minilm-l6-base not worse than lab-minilm-l6-scifact-ft by more than 0.02',
    ]);
    expect(gateCases.every((c) => c.failure !== undefined)).toBe(true);
    const queryCases = cases.filter((c) => c['@_classname'].startsWith('embedlab.queries.'));
    expect(queryCases.length).toBeGreaterThan(10);
    expect(Number(suite['@_failures'])).toBe(cases.filter((c) => c.failure !== undefined).length);
    const markdown = await readFile(prMarkdown, 'utf8');
    expect(markdown.split('\n').slice(2, 3)[0]).toMatch(/^\*\*❌ Gate failed \(2 of 2\)\*\*/);
    expect(markdown).toMatch(/<details><summary>Metrics, diagnostics and examples<\/summary>[\s\S]*## Metrics[\s\S]*<\/details>\n$/);

    // A tolerance wider than anything the data can rule out: the same loss passes.
    const lenient = await embedlab(['eval', SCIFACT, '--model', tuned, '--model', base, '--cache-dir', CACHE, '--fail-if-worse', 'ndcg@10', '--tolerance', '0.5', '--no-diagnostics']);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/^PASS ndcg@10: .* ≥ −0\.5: a loss beyond the tolerance is not shown$/m);
  }, 300_000);
});

describe('embedlab eval input errors', () => {
  it('asks for checkpoints, and for two when gating', async () => {
    const none = await embedlab(['eval', SCIFACT]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/give the checkpoints to evaluate \(--model, --vectors NAME=PATH, --run NAME=PATH; --baseline REPORT\.json\)/);
    const gateAlone = await embedlab(['eval', SCIFACT, '--model', 'x', '--fail-if-worse', 'ndcg@10']);
    expect(gateAlone.code).toBe(2);
    expect(gateAlone.stderr).toMatch(/--fail-if-worse compares a checkpoint with a baseline/);
  });
  it('names a missing data folder', async () => {
    const result = await embedlab(['eval', '/nonexistent/data', '--model', 'a', '--model', 'b']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\/nonexistent\/data: no such file or folder/);
  });
  it('rejects an unknown metric', async () => {
    const result = await embedlab(['eval', SCIFACT, '--model', 'a', '--model', 'b', '--metrics', 'f1@3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown metric "f1@3"/);
  });
});
