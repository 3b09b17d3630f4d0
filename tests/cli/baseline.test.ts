import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedlab } from './runCli.ts';
import { defaultCacheDir } from '../../src/cli/diskEmbeddingStore.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { HAS_SHARED_MODELS, needs, REAL_MODELS, SHARED, SHARED_MODELS } from '../paths.ts';

// The default cache: SciFact's embeddings are there once eval.test.ts (or any earlier run) encoded them.
const CACHE = defaultCacheDir();
const SCIFACT = path.join(SHARED, 'data/scifact');
const [BASE, TUNED] = REAL_MODELS.map((name) => path.join(SHARED_MODELS, name));
const GATE = ['--fail-if-worse', 'ndcg@10,recall@10', '--tolerance', '0.005', '--no-diagnostics', '--cache-dir', CACHE];

const verdictLines = (stdout: string) => stdout.split('\n').filter((line) => /^(PASS|FAIL) /.test(line));

describe.skipIf(!HAS_SHARED_MODELS)(needs(SHARED_MODELS, 'embedlab eval --baseline: a stored report as the first checkpoint'), () => {
  let out: string;
  let baselineFile: string;

  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'embedlab-baseline-'));
    baselineFile = path.join(out, 'baseline.json');
    // What a main-branch job stores: the base model alone.
    const stored = await embedlab(['eval', SCIFACT, '--model', BASE, '--json', baselineFile, '--no-diagnostics', '--cache-dir', CACHE]);
    expect(stored.code, stored.stderr).toBe(0);
  }, 600_000);

  it('stores a data fingerprint and the model fingerprint in the report', async () => {
    const report = JSON.parse(await readFile(baselineFile, 'utf8')) as EvalReport;
    expect(report.models).toHaveLength(1);
    expect(report.comparisons).toEqual([]);
    expect(report.models[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const { fingerprint } = report.dataset;
    expect(fingerprint!.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprint!.documents.count).toBe(5183);
    expect(fingerprint!.queries.count).toBe(300);
    expect(fingerprint!.judgments.count).toBe(339);
  });

  it('gives the verdict a two-model eval gives, without encoding the baseline', async () => {
    const twoModels = await embedlab(['eval', SCIFACT, '--model', BASE, '--model', TUNED, ...GATE, '--json', path.join(out, 'two.json')]);
    const fromBaseline = await embedlab(['eval', SCIFACT, '--baseline', baselineFile, '--model', TUNED, ...GATE, '--json', path.join(out, 'vs.json')]);
    expect(fromBaseline.code).toBe(twoModels.code);
    expect(verdictLines(fromBaseline.stdout)).toEqual(verdictLines(twoModels.stdout));
    expect(verdictLines(fromBaseline.stdout)).toHaveLength(2);
    // The baseline model was read, not encoded.
    expect(fromBaseline.stderr).not.toMatch(/lab-minilm-l6-base: documents/);
    expect(fromBaseline.stderr).toMatch(/lab-minilm-l6-base: results read from the stored report baseline\.json/);
    const [two, vs] = await Promise.all(['two.json', 'vs.json'].map(async (f) => JSON.parse(await readFile(path.join(out, f), 'utf8')) as EvalReport));
    expect(vs.comparisons[0].metrics).toEqual(two.comparisons[0].metrics);
    expect(vs.models[0]).toMatchObject({ kind: 'report', path: baselineFile, fingerprint: two.models[0].fingerprint, metrics: two.models[0].metrics });
    expect(vs.models[0].perQuery).toEqual(two.models[0].perQuery);
    expect(vs.dataset.fingerprint).toEqual(two.dataset.fingerprint);
  }, 300_000);

  it('exits 2 naming what changed when the data is not the baseline’s', async () => {
    const changed = path.join(out, 'scifact-changed');
    await cp(SCIFACT, changed, { recursive: true });
    const corpus = (await readFile(path.join(changed, 'corpus.jsonl'), 'utf8')).split('\n');
    const edited = JSON.parse(corpus[7]) as { _id: string; text: string };
    corpus[7] = JSON.stringify({ ...edited, text: `${edited.text} (edited)` });
    await writeFile(path.join(changed, 'corpus.jsonl'), corpus.join('\n'));
    const qrels = (await readFile(path.join(changed, 'qrels/test.tsv'), 'utf8')).split('\n');
    await writeFile(path.join(changed, 'qrels/test.tsv'), [...qrels.slice(0, 5), ...qrels.slice(6)].join('\n'));

    const result = await embedlab(['eval', changed, '--baseline', baselineFile, '--model', TUNED, ...GATE]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${baselineFile}: the data changed since this baseline was evaluated`);
    expect(result.stderr).toContain(`documents: 5183 in the baseline, 5183 now; 1 with changed texts or labels (first: "${edited._id}")`);
    expect(result.stderr).toContain('judgments: 339 in the baseline, 338 now; 1 gone');
    expect(result.stderr).not.toMatch(/queries:/);
  }, 120_000);

  it('refuses a mode or metrics the baseline was not scored with', async () => {
    const trec = await embedlab(['eval', SCIFACT, '--baseline', baselineFile, '--model', TUNED, '--trec']);
    expect(trec.code).toBe(2);
    expect(trec.stderr).toMatch(/baseline\.json was scored in sentence-transformers mode: drop --trec/);
    const metrics = await embedlab(['eval', SCIFACT, '--baseline', baselineFile, '--model', TUNED, '--metrics', 'ndcg@10,recall@100']);
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toMatch(/has no per-query values for recall@100; it has accuracy@1, /);
  });

  it('asks which model of a report holding several', async () => {
    const result = await embedlab(['eval', SCIFACT, '--baseline', path.join(out, 'two.json'), '--model', TUNED]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/two\.json: holds 2 models \("lab-minilm-l6-base", "lab-minilm-l6-scifact-ft"\): name the one to compare against/);
    const named = await embedlab(['eval', SCIFACT, '--baseline', path.join(out, 'two.json'), '--baseline-model', 'lab-minilm-l6-base', '--model', TUNED, ...GATE]);
    expect(named.code).toBe(0);
    expect(verdictLines(named.stdout)).toHaveLength(2);
  }, 120_000);

  it('names a file that is not a report', async () => {
    const notReport = path.join(out, 'not-a-report.json');
    await writeFile(notReport, '{"models": 3}');
    const result = await embedlab(['eval', SCIFACT, '--baseline', notReport, '--model', TUNED]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not-a-report\.json: is not an Embedding Lab report/);
  });
});
