import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, diskEmbeddingStore } from '../../src/cli/diskEmbeddingStore.ts';
import { loadNodeEncoder } from '../../src/cli/nodeEncoder.ts';
import { readInputs } from '../../src/cli/readDataset.ts';
import { encodeWithCache, modelFingerprint } from '../../src/core/eval/embeddingCache.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { FIXTURE_MODEL, HAS_SHARED_MODELS, REAL_MODELS, SHARED, SHARED_MODELS } from '../paths.ts';
import { HAS_NUMPY, HAS_PYARROW, NUMPY_MISSING, numpyWrite } from '../fixtures/vectors/numpyWriter.ts';
import { embedlab } from './runCli.ts';

const SCIFACT = path.join(SHARED, 'data/scifact');
const BASE = path.join(SHARED_MODELS, REAL_MODELS[0]);
const READY = HAS_SHARED_MODELS && HAS_NUMPY;
const WHY = !HAS_SHARED_MODELS ? `skipped: ${SHARED_MODELS} is missing` : NUMPY_MISSING;

/**
 * The checkpoint a training job would hand over: the base model's SciFact vectors written by NumPy as .npy
 * with id files, and NumPy's own float64 cosine top-100 of them as a TREC run — beside the model itself.
 */
describe.skipIf(!READY)(READY ? 'embedlab eval with a model, its vectors as .npy and its ranking as a run file' : `imported checkpoints — ${WHY}`, () => {
  let report: EvalReport;
  let stderr: string;

  beforeAll(async () => {
    const dataset = (await readInputs([SCIFACT])).dataset!;
    const encoder = await loadNodeEncoder(BASE);
    const store = diskEmbeddingStore(defaultCacheDir());
    const fingerprint = await modelFingerprint(encoder.folder);
    const documents = await encodeWithCache(dataset.documents.texts, fingerprint, store, (texts) => encoder.encode(texts));
    const queries = await encodeWithCache(dataset.queries.texts, fingerprint, store, (texts) => encoder.encode(texts));
    await encoder.release();
    const dir = mkdtempSync(path.join(tmpdir(), 'embedlab-imported-'));
    const raw = (name: string, vectors: Float32Array) => {
      const file = path.join(dir, name);
      writeFileSync(file, Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength));
      return file;
    };
    const folder = path.join(dir, 'base-vectors');
    numpyWrite('npy', raw('documents.f32', documents.vectors), String(dataset.documents.length), '384', path.join(dir, 'documents.npy'));
    numpyWrite('npy', raw('queries.f32', queries.vectors), String(dataset.queries.length), '384', path.join(dir, 'queries.npy'));
    const { mkdirSync, renameSync } = await import('node:fs');
    mkdirSync(folder);
    renameSync(path.join(dir, 'documents.npy'), path.join(folder, 'documents.npy'));
    renameSync(path.join(dir, 'queries.npy'), path.join(folder, 'queries.npy'));
    // BEIR ids overlap between documents and queries: each side has its own ids file.
    writeFileSync(path.join(folder, 'documents.ids.txt'), `${Array.from(dataset.documents, (d) => d.id).join('\n')}\n`);
    writeFileSync(path.join(folder, 'queries.ids.txt'), `${Array.from(dataset.queries, (q) => q.id).join('\n')}\n`);
    writeFileSync(path.join(dir, 'qids.txt'), Array.from(dataset.queries, (q) => q.id).join('\n'));
    writeFileSync(path.join(dir, 'dids.txt'), Array.from(dataset.documents, (d) => d.id).join('\n'));
    const run = path.join(dir, 'base-numpy.run');
    numpyWrite('run', path.join(dir, 'documents.f32'), path.join(dir, 'queries.f32'), '384', path.join(dir, 'qids.txt'), path.join(dir, 'dids.txt'), '100', run);

    // With pyarrow here: the same vectors as a Ray Data / Spark style folder of parquet parts.
    const parquet = path.join(dir, 'base-parquet');
    if (HAS_PYARROW) numpyWrite('parquet', path.join(dir, 'documents.f32'), path.join(dir, 'queries.f32'), '384', path.join(dir, 'dids.txt'), path.join(dir, 'qids.txt'), parquet);
    const out = path.join(dir, 'report.json');
    const result = await embedlab([
      'eval', SCIFACT, '--model', BASE, '--vectors', `base-npy=${folder}`, '--run', `base-run=${run}`,
      ...(HAS_PYARROW ? ['--vectors', `base-parquet=${parquet}`] : []), '--no-diagnostics', '--json', out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    stderr = result.stderr;
    report = JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
  }, 900_000);

  it('takes the checkpoints in the order given, each with what it is', () => {
    expect(report.models.map((m) => [m.name, m.kind, m.backend])).toEqual([
      [REAL_MODELS[0], 'vectors', expect.stringMatching(/^onnxruntime-node/)],
      ['base-npy', 'vectors', 'vector files'],
      ['base-run', 'ranking', 'run file'],
      ...(HAS_PYARROW ? [['base-parquet', 'vectors', 'vector files']] : []),
    ]);
    expect(report.models[2]).toMatchObject({ dim: null, depth: 100, rankedOn: 'run file' });
    expect(stderr).toMatch(/base-npy: documents: 5183 × 384 float32 from documents.npy, matched by the ids in documents.ids.txt/);
  });

  it('gives the model, its .npy vectors and its NumPy ranking the same metrics', () => {
    const [model, ...others] = report.models;
    for (const other of others) {
      for (const key of report.metricKeys) expect(Math.abs(other.metrics[key] - model.metrics[key]), `${other.name} ${key}`).toBeLessThanOrEqual(1e-6);
    }
    const ranking = others[1];
    for (const comparison of report.comparisons) {
      expect(comparison.metrics['ndcg@10'].delta, `${comparison.a} vs ${comparison.b}`).toBeCloseTo(0, 6);
    }
    expect(ranking.top['1'].map(([id]) => id)).toEqual(model.top['1'].map(([id]) => id));
  });

  it('checks the imported vectors against the model encoded here, text by text', () => {
    expect(report.parity.map((p) => [p.a, p.b])).toEqual([[REAL_MODELS[0], 'base-npy'], ...(HAS_PYARROW ? [[REAL_MODELS[0], 'base-parquet']] : [])]);
    for (const parity of report.parity) {
      expect(parity).toMatchObject({ rows: 5183 + 300, reproduces: true, top10Overlap: 1 });
      expect(parity.cosine.min).toBeGreaterThan(0.999999);
    }
  });
});

describe('embedlab eval checkpoint arguments', () => {
  it('counts every kind of checkpoint and names a bad one', async () => {
    expect((await embedlab(['eval', SCIFACT])).stderr).toMatch(/give the checkpoints to evaluate \(--model, --vectors NAME=PATH, --run NAME=PATH; --baseline REPORT\.json\)/);
    // A model folder that exists: the folder is checked before the run's syntax (cheap things first).
    const noEquals = await embedlab(['eval', SCIFACT, '--model', FIXTURE_MODEL, '--run', 'file.run']);
    expect(noEquals.code).toBe(2);
    expect(noEquals.stderr).toMatch(/--run takes NAME=PATH, got "file.run"/);
  });
});
