import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './paths.ts';

/** Every non-test .ts file under `dir`, relative to the repository root. */
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

/** Relative imports of a file, resolved to repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((m) => path.normalize(path.join(path.dirname(file), m[1])));
}

/** The first folder under src/core a path sits in ('kernels', 'metrics', …). */
const coreFolder = (file: string) => path.relative('src/core', file).split(path.sep)[0];

describe('layers', () => {
  const core = sources('src/core');
  const edges = new Map<string, Set<string>>();
  for (const file of core) {
    for (const target of importsOf(file)) {
      const [from, to] = [coreFolder(file), coreFolder(target)];
      if (from !== to) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }

  it('core imports nothing from the page, the workers or the CLI', () => {
    const outside = core.flatMap((file) => importsOf(file).filter((t) => !t.startsWith(path.normalize('src/core/'))).map((t) => `${file} → ${t}`));
    expect(outside).toEqual([]);
  });

  it('kernels import only vector maths and the ONNX format: no model, metric or diagnostics code', () => {
    expect([...(edges.get('kernels') ?? [])].filter((to) => to !== 'vectors' && to !== 'onnx')).toEqual([]);
  });

  it('data is below metrics: rankings, judgments and the evaluation mode are data-level types', () => {
    expect([...(edges.get('data') ?? [])].filter((to) => to === 'metrics' || to === 'eval' || to === 'report')).toEqual([]);
  });

  it('the worker and the CLI offer weight variants (withWeights) but never place, name or pair them: core does', () => {
    const placing = /\b(weightsVariant|withWeightVariants|weightsLabel)\b|· int8 weights|int8' : weights/;
    const offenders = [...sources('src/worker'), ...sources('src/cli')].filter((file) => placing.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('has no import cycle between the folders of core', () => {
    const cycles: string[] = [];
    const visit = (folder: string, trail: string[]) => {
      if (trail.includes(folder)) {
        cycles.push([...trail.slice(trail.indexOf(folder)), folder].join(' → '));
        return;
      }
      for (const next of edges.get(folder) ?? []) visit(next, [...trail, folder]);
    };
    for (const folder of edges.keys()) visit(folder, []);
    expect(cycles).toEqual([]);
  });

  it('the worker and the CLI rank, score and diagnose only through the one comparison pipeline', () => {
    const pipelineOnly = /\b(judgeRun|evaluateJudged|cosineTopK|topKCpu|diagnoseEmbeddings|buildEvalReport|rankingsFromTopK|corpusScores)\b/;
    const offenders = [...sources('src/worker'), ...sources('src/cli')].filter((file) => pipelineOnly.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
    for (const shell of ['src/worker/evaluation.ts', 'src/cli/commands/eval.ts']) {
      expect(readFileSync(path.join(ROOT, shell), 'utf8'), shell).toMatch(/\bcompareCheckpoints\(/);
    }
  });
});

describe('workers', () => {
  it('the data worker keeps its state in objects made once per worker, not in module variables', () => {
    // A module variable is shared by every instance (and every test); the state lives in DatasetHolder, Evaluation, WorkerKernels.
    const moduleState = /^(export\s+)?(let|var)\s|^(export\s+)?const\s+\w+\s*(:[^=]+)?=\s*new\s/m;
    const dataWorker = ['src/worker/dataWorker.ts', 'src/worker/dataApi.ts', 'src/worker/evaluation.ts', 'src/worker/gpuKernels.ts'];
    expect(dataWorker.filter((file) => moduleState.test(readFileSync(path.join(ROOT, file), 'utf8')))).toEqual([]);
  });
});
