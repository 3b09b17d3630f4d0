import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../command.ts';
import { EVAL_OPTIONS, planEval, type EvalPlan } from './evalPlan.ts';

/** The command line as `defineCommand` hands it over: values read by their records, positionals, options in order. */
function plan(line: string): EvalPlan {
  const args = line.split(/\s+/).filter(Boolean).map((a) => a.replace(/^"(.*)"$/, '$1'));
  const { values, positionals, order } = parseCommandLine('eval', EVAL_OPTIONS, args);
  return planEval(values, positionals, order);
}

describe('planEval: the command line as a checked plan, before any path is looked at', () => {
  it('keeps the checkpoints in command-line order, BM25 where its flag is and hybrids last', () => {
    const p = plan('data --model A --bm25 --bm25-k1 1.2 --run r=ranks.trec --fuse h=rrf:bm25,A --vectors v=vecs --seed 7');
    expect(p.checkpoints).toEqual([
      { kind: 'model', location: 'A' },
      { kind: 'bm25', parameters: { method: 'lucene', k1: 1.2, b: 0.75 } },
      { kind: 'ranking', spec: 'r=ranks.trec' },
      { kind: 'vectors', spec: 'v=vecs' },
    ]);
    expect(p.fusions.map((f) => f.name)).toEqual(['h']);
    expect(p).toMatchObject({ data: ['data'], split: 'test', stats: { permutations: 10_000, seed: 7 }, diagnostics: true, weights: 'auto', cacheDir: undefined, baseline: null, trec: false });
    expect(p.metrics).toEqual({ listed: null, ks: [1, 3, 5, 10], chosen: false });
  });

  it('reads the gate, outputs, cache, prompts and sweep', () => {
    const p = plan('a b --model A --model B --fail-if-worse ndcg@10,mrr@10 --tolerance 0.005 --junit g.xml --junit-queries --json r.json --runs out --no-cache --query-prompt "query:" --sweep dims=256,128 --rescore 3 --trec --k 1,10');
    expect(p.gate).toEqual({ metrics: ['ndcg@10', 'mrr@10'], tolerance: 0.005, junitQueries: true });
    expect(p.outputs).toEqual({ junit: 'g.xml', json: 'r.json', runs: 'out' });
    expect(p).toMatchObject({ data: ['a', 'b'], cacheDir: null, prompts: { query: 'query:' }, trec: true, metrics: { listed: null, ks: [1, 10], chosen: true } });
    expect(p.sweep?.dims).toEqual([256, 128]);
  });

  it.each([
    ['--model A', /give the data to evaluate/],
    ['data', /give the checkpoints to evaluate/],
    ['data --model A --fail-if-worse ndcg@10', /--fail-if-worse compares a checkpoint with a baseline/],
    ['data --model A --model B --permutations abc', /--permutations must be a whole number from 10000 to 10000000, got "abc"/],
    ['data --model A --model B --permutations 5', /--permutations must be a whole number from 10000/],
    ['data --model A --seed 1e400', /--seed must be a whole number from 0 to 4294967295, got "1e400"/],
    ['data --model A --seed abc', /--seed must be a whole number/],
    ['data --model A --k 0,5', /--k must list positive integers/],
    ['data --model A --k 1,,5', /--k "1,,5" has an empty item \(item 2\)/],
    ['data --model A --metrics ndcg@10,', /--metrics "ndcg@10," has an empty item/],
    ['data --model A --model B --fail-if-worse ndcg@10 --tolerance=-1', /--tolerance must be ≥ 0, got -1/],
    ['data --model A --model B --fail-if-worse nope@3', /nope/],
    ['data --model A --junit g.xml', /--junit reports the gate: give --fail-if-worse/],
    ['data --model A --model B --junit-queries', /--junit-queries adds per-query cases to --junit FILE/],
    ['data --model A --rescore 3', /--rescore sets the sweep's rescoring multiplier/],
    ['data --model A --fuse-depth 10', /--fuse-depth sets how deep --fuse reads/],
    ['data --model A --bm25-k1 1.2', /--bm25-k1 sets a parameter of --bm25: give --bm25 too/],
    ['data --bm25 --bm25-b 2', /--bm25-b must be between 0 and 1/],
    ['data --bm25 --bm25-method okapi', /--bm25-method must be one of/],
    ['data --model A --baseline-model X', /--baseline-model names a model of --baseline/],
    ['data --model A --cache-dir c --no-cache', /--cache-dir and --no-cache contradict/],
    ['data --model A --weights pickle', /--weights must be one of/],
    ['data --model A --sweep dims=abc', /dims/],
    ['data --run A=a.run --run B=b.run --sweep dims=64', /--sweep compresses vectors, and no checkpoint given has any .*: nothing to sweep/],
    ['data --bm25 --baseline r.json --sweep precision=int8', /nothing to sweep/],
  ])('%s → a usage error', (line, message) => {
    expect(() => plan(line)).toThrow(message);
    try {
      plan(line);
    } catch (error) {
      expect((error as Error).name).toBe('UsageError');
    }
  });
});
