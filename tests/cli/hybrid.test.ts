import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { FIXTURE_MODEL, ROOT } from '../paths.ts';
import { embedlab } from './runCli.ts';

const SAMPLE = path.join(ROOT, 'public/samples/helpdesk-faq.csv');

/** Pairs files give queries q1… and documents d1… in row order: one line per query, its answer first. */
async function constantScoreRun(folder: string): Promise<string> {
  const lines = Array.from({ length: 32 }, (_, q) => [1, 2, 3].map((d, rank) => `q${q + 1} Q0 d${((q + d - 1) % 32) + 1} ${rank + 1} 1 flat`).join('\n'));
  const file = path.join(folder, 'flat.run');
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

describe('embedlab eval --bm25, --fuse and --runs', () => {
  it('adds BM25 and hybrids as checkpoints, compares them like models and writes every ranking as a TREC run', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'embedlab-hybrid-'));
    const runs = path.join(out, 'runs');
    const result = await embedlab([
      'eval', SAMPLE, '--model', FIXTURE_MODEL, '--bm25', '--fuse', 'hybrid=rrf:tiny-bert,bm25', '--fuse', 'cv=wsum:tiny-bert,bm25',
      '--no-diagnostics', '--no-cache', '--runs', runs, '--json', path.join(out, 'report.json'),
    ]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/B = bm25 \(BM25 ranked here/);
    expect(result.stdout).toMatch(/C = hybrid \(a hybrid: rrf@60 of tiny-bert, bm25\)/);
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')) as EvalReport;
    expect(report.models.map((m) => [m.name, m.kind])).toEqual([['tiny-bert', 'vectors'], ['bm25', 'ranking'], ['hybrid', 'fusion'], ['cv', 'fusion']]);
    // The cross-validated weight: one per fold, chosen without the fold's queries, and the curve over W.
    const cv = report.models[3].fusion!;
    expect(cv.folds).toHaveLength(5);
    expect(cv.curve).toHaveLength(21);
    expect(report.comparisons.find((c) => c.a === 'tiny-bert' && c.b === 'hybrid')?.metrics['ndcg@10']).toBeDefined();
    expect((await readdir(runs)).sort()).toEqual(['helpdesk-faq-bm25.run', 'helpdesk-faq-cv.run', 'helpdesk-faq-hybrid.run', 'helpdesk-faq-tiny-bert.run']);
    const bm25Run = await readFile(path.join(runs, 'helpdesk-faq-bm25.run'), 'utf8');
    expect(bm25Run.split('\n')[0]).toMatch(/^q1 Q0 d\d+ 1 [-\d.e]+ bm25$/);
  }, 180_000);

  it.each([
    [["--fuse", "h=rrf:tiny-bert,nothing"], /h: no checkpoint "nothing" to fuse; the comparison has "tiny-bert", "bm25"/],
    [['--fuse', 'h=rrf:tiny-bert'], /h: .*(two|2) or more|at least two/i],
    [['--fuse', 'h=fancy:tiny-bert,bm25'], /h: .*fancy/],
  ])('%j is bad usage (exit 2), named', async (extra, message) => {
    const result = await embedlab(['eval', SAMPLE, '--model', FIXTURE_MODEL, '--bm25', '--no-diagnostics', '--no-cache', ...extra]);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(2);
  }, 120_000);

  it('refuses a score-based fusion of a run file that has no scores to fuse', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'embedlab-hybrid-'));
    const run = await constantScoreRun(folder);
    const result = await embedlab(['eval', SAMPLE, '--bm25', '--run', `flat=${run}`, '--fuse', 'h=combsum:bm25,flat', '--no-diagnostics', '--no-cache']);
    expect(result.stderr).toMatch(/h: .*flat.*scores?/i);
    expect(result.code).toBe(2);
  }, 120_000);
});
