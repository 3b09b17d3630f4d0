import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEADER_BYTES, rowBytes, SHARD_FILE } from '../../src/cli/diskEmbeddingStore.ts';
import type { EvalReport } from '../../src/core/report/evalReport.ts';
import { FIXTURE_MODEL } from '../paths.ts';
import { embedlab } from './runCli.ts';
import { npyBytes } from '../fixtures/vectors/npyBytes.ts';

/**
 * Corrupt or contradictory contents through the CLI: a damaged embedding cache, imported vectors with
 * values no embedding has, run files of other data, edited reports, model files that are not what their
 * names say. Each is exit 2 (bad input) with a one-line message naming the file and the place, never a
 * stack trace, never exit 1 (the gate's "a model got worse"), never silence.
 */

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu river mountain ocean forest desert city village bridge tower garden'.split(' ');
const DOCUMENTS = 40;
const DIM = 32;

const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `embedlab-${name}-`));
const csv = (rows: string[][]) => rows.map((row) => row.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',')).join('\n') + '\n';

/** Three tables: 40 documents of six words (d8 repeats d7's text), queries of their first four words. */
function threeTables(): { dir: string; files: string[]; documents: string[]; queries: string[] } {
  const dir = temp('tables');
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const texts = Array.from({ length: DOCUMENTS }, () => [...WORDS].sort(() => next() - 0.5).slice(0, 6).join(' '));
  texts[8] = texts[7];
  const documents = texts.map((_, i) => `d${i}`);
  const queries = documents.filter((_, i) => i % 2 === 0 && i !== 8).map((d) => `q${d.slice(1)}`);
  writeFileSync(path.join(dir, 'corpus.csv'), csv([['id', 'text'], ...texts.map((t, i) => [documents[i], t])]));
  writeFileSync(path.join(dir, 'queries.csv'), csv([['id', 'text'], ...queries.map((q) => [q, texts[Number(q.slice(1))].split(' ').slice(0, 4).join(' ')])]));
  writeFileSync(path.join(dir, 'qrels.csv'), csv([['query_id', 'doc_id', 'score'], ...queries.map((q) => [q, `d${q.slice(1)}`, '1'])]));
  return { dir, files: ['corpus.csv', 'queries.csv', 'qrels.csv'].map((f) => path.join(dir, f)), documents, queries };
}


/** A one-line message on stderr naming `what`, exit 2, and no stack trace. */
function expectBadInput(result: { code: number; stdout: string; stderr: string }, what: string | RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('embedlab: '));
  expect(errors).toHaveLength(1);
  if (typeof what === 'string') expect(errors[0]).toContain(what);
  else expect(errors[0]).toMatch(what);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/internal error/);
}

const model = () => ['--model', FIXTURE_MODEL];
const QUIET = ['--no-diagnostics', '--metrics', 'ndcg@10,recall@1,mrr@10'];

describe('corrupt or contradictory contents, through embedlab', () => {
  let data: ReturnType<typeof threeTables>;
  beforeAll(() => {
    data = threeTables();
  });

  describe('the embedding cache', () => {
    it('hits on every text the second time, two documents sharing one; an entry damaged on disk is encoded again, never read', async () => {
      const cache = temp('cache');
      const run = async (out: string) => {
        const result = await embedlab(['eval', ...data.files, ...model(), '--cache-dir', cache, ...QUIET, '--json', out]);
        expect(result.code, result.stderr).toBe(0);
        return { stderr: result.stderr, report: JSON.parse(readFileSync(out, 'utf8')) as EvalReport };
      };
      const dir = temp('reports');
      const first = await run(path.join(dir, 'first.json'));
      expect(first.stderr).toMatch(/documents: 40 encoded, 0 from cache/);
      const second = await run(path.join(dir, 'second.json'));
      expect(second.stderr).toMatch(/documents: 0 encoded, 40 from cache/);
      expect(second.stderr).toMatch(/queries: 0 encoded, 19 from cache/);
      expect(second.report.models[0].metrics).toEqual(first.report.models[0].metrics);
      // Zero the vectors of three rows in place: what a bad disk or a stray write does.
      const [fingerprint] = readdirSync(cache);
      const shard = path.join(cache, fingerprint, SHARD_FILE);
      const size = rowBytes(DIM);
      expect(statSync(shard).size).toBe(HEADER_BYTES + (39 + 19) * size);
      const bytes = readFileSync(shard);
      for (const row of [0, 5, 20]) bytes.fill(0, HEADER_BYTES + row * size + 32, HEADER_BYTES + row * size + 32 + DIM * 4);
      writeFileSync(shard, bytes);
      const third = await run(path.join(dir, 'third.json'));
      expect(third.stderr).toMatch(/documents: 3 encoded, 37 from cache/);
      expect(third.report.models[0].metrics).toEqual(first.report.models[0].metrics);
      expect(third.report.models[0].perQuery).toEqual(first.report.models[0].perQuery);
      const fourth = await run(path.join(dir, 'fourth.json'));
      expect(fourth.stderr).toMatch(/documents: 0 encoded, 40 from cache/);
    }, 120_000);
  });

  describe('imported vectors', () => {
    /** documents.npy + queries.npy in the dataset's order, rows from `documents` and `queries` (default: e_i-ish). */
    function vectorFiles(documents?: Uint8Array, queries?: Uint8Array, ids?: string): string {
      const dir = temp('vectors');
      const row = (i: number) => Array.from({ length: 4 }, (_, j) => (j === i % 4 ? 1 : 0.1 * ((i * 7 + j) % 5)));
      writeFileSync(path.join(dir, 'documents.npy'), documents ?? npy(data.documents.flatMap((_, i) => row(i)), DOCUMENTS, 4));
      writeFileSync(path.join(dir, 'queries.npy'), queries ?? npy(data.queries.flatMap((q) => row(Number(q.slice(1)))), data.queries.length, 4));
      if (ids !== undefined) writeFileSync(path.join(dir, 'documents.ids.txt'), ids);
      return dir;
    }
    const evalVectors = (dir: string) => embedlab(['eval', ...data.files, '--vectors', `imported=${dir}`, ...QUIET]);

    it('reads good ones (the baseline of what follows)', async () => {
      const result = await evalVectors(vectorFiles());
      expect(result.code, result.stderr).toBe(0);
    });

    it('a page of 0xFF bytes (NaN) and ±Infinity: named with file, row and id, whatever the diagnostics setting', async () => {
      const values = Array.from(new Uint32Array(Float32Array.from({ length: DOCUMENTS * 4 }, (_, i) => ((i % 4) + 1) / 4).buffer));
      values.fill(0xffffffff, 12 * 4, 20 * 4);
      const dir = vectorFiles(npy(values, DOCUMENTS, 4, true));
      for (const diagnostics of [[], ['--no-diagnostics']]) {
        const result = await embedlab(['eval', ...data.files, '--vectors', `imported=${dir}`, '--metrics', 'ndcg@10', ...diagnostics]);
        expectBadInput(result, 'embedlab: documents.npy: row 13 (id "d12"): element 1 is NaN (8 rows hold NaN or ±Infinity in all): vectors must hold finite numbers');
      }
      const inf = Float32Array.from({ length: data.queries.length * 4 }, (_, i) => ((i % 4) + 1) / 4);
      inf[4 * 3 + 2] = Infinity;
      expectBadInput(await evalVectors(vectorFiles(undefined, npy(inf, data.queries.length, 4))), `queries.npy: row 4 (id "${data.queries[3]}"): element 3 is Infinity`);
    });

    it('an all-zero row, and vectors of dimension 0', async () => {
      const zero = Float32Array.from({ length: DOCUMENTS * 4 }, (_, i) => ((i % 4) + 1) / 4);
      zero.fill(0, 4 * 39);
      expectBadInput(await evalVectors(vectorFiles(npy(zero, DOCUMENTS, 4))), 'documents.npy: row 40 (id "d39") is all zeros');
      expectBadInput(await evalVectors(vectorFiles(npy([], DOCUMENTS, 0), npy([], data.queries.length, 0))), 'documents.npy: holds an array of shape (40, 0): vectors of dimension 0');
    });

    it('an ids file with a blank line, or an id with a trailing space, named with its line', async () => {
      const ids = data.documents.map((d) => `${d}\n`);
      expectBadInput(await evalVectors(vectorFiles(undefined, undefined, [...ids.slice(0, 10), '\n', ...ids.slice(10)].join(''))), 'documents.ids.txt:11: a blank line');
      ids[4] = 'd4 \n';
      expectBadInput(await evalVectors(vectorFiles(undefined, undefined, ids.join(''))), 'documents.ids.txt:5:3: id "d4 " has a trailing space');
    });
  });

  describe('run files of other data', () => {
    const evalRun = (text: string) => {
      const file = path.join(temp('run'), 'other.trec');
      writeFileSync(file, text);
      return embedlab(['eval', ...data.files, ...model(), '--no-cache', '--run', `bm25=${file}`, ...QUIET, '--fail-if-worse', 'ndcg@10']);
    };

    it('a run that names no query of the dataset is bad input (exit 2), not a regression (exit 1)', async () => {
      expectBadInput(await evalRun('PLAIN-1 Q0 MED-10 1 9.5 bm25\nPLAIN-1 Q0 MED-11 2 8.0 bm25\n'), 'other.trec: ranks none of the dataset\'s 19 queries (its first line names query "PLAIN-1")');
    });

    it('a run whose documents are all unknown is bad input', async () => {
      expectBadInput(await evalRun(data.queries.map((q) => `${q} Q0 MED-${q} 1 1.0 bm25`).join('\n')), /other\.trec: names none of the corpus's 40 documents in its 19 results \(the first: "MED-q0"\)/);
    });
  });

  describe('stored reports (--baseline)', () => {
    let baseline: Record<string, any>;
    beforeAll(async () => {
      const file = path.join(temp('baseline'), 'base.json');
      const result = await embedlab(['eval', ...data.files, ...model(), '--no-cache', ...QUIET, '--json', file]);
      expect(result.code, result.stderr).toBe(0);
      baseline = JSON.parse(readFileSync(file, 'utf8'));
    }, 120_000);
    const againstEdited = (edit: (report: Record<string, any>) => void) => {
      const report = structuredClone(baseline);
      edit(report);
      const file = path.join(temp('edited'), 'base.json');
      writeFileSync(file, JSON.stringify(report));
      return embedlab(['eval', ...data.files, '--baseline', file, ...model(), '--no-cache', '--no-diagnostics', '--fail-if-worse', 'ndcg@10']);
    };

    it('NDCG 7.5 is named with its JSON path, not compared', async () => {
      expectBadInput(await againstEdited((r) => (r.models[0].perQuery['ndcg@10'].q6 = 7.5)), 'base.json: models[0].perQuery["ndcg@10"]["q6"]: 7.5 is outside [0, 1]');
    });

    it('a per-query value that is a string or missing, an unknown mode', async () => {
      expectBadInput(await againstEdited((r) => (r.models[0].perQuery['recall@1'].q0 = '1')), 'base.json: models[0].perQuery["recall@1"]["q0"]: "1" is not a number');
      expectBadInput(await againstEdited((r) => delete r.models[0].perQuery['mrr@10'].q2), 'base.json: models[0].perQuery["mrr@10"]: has no value for query "q2"');
      expectBadInput(await againstEdited((r) => (r.mode = 'bm25')), 'base.json: mode: "bm25" is not a mode the lab scores in (sentence-transformers, trec)');
    });

    it('a tampered fingerprint: a digest copied in from other data is caught by recomputing it', async () => {
      expectBadInput(await againstEdited((r) => (r.dataset.fingerprint.documents.digest = 'a'.repeat(64))), /base\.json: dataset\.fingerprint\.documents\.digest: does not match what it fingerprints \(the report was edited\)/);
    });
  });

  describe('model files that are not what their names say', () => {
    const broken = (edit: (dir: string) => void) => {
      const dir = path.join(temp('model'), 'tiny-bert');
      cpSync(FIXTURE_MODEL, dir, { recursive: true });
      edit(dir);
      return dir;
    };

    it('a truncated model.onnx, random bytes, text: named, for eval and quantize', async () => {
      const onnx = readFileSync(path.join(FIXTURE_MODEL, 'onnx/model.onnx'));
      let seed = 1;
      const random = Buffer.from(Array.from({ length: 50_000 }, () => ((seed = (Math.imul(seed, 48271) + 11) >>> 0) >>> 24)));
      for (const [bytes, problem] of [
        [onnx.subarray(0, 5000), /onnx\/model\.onnx: is not a valid ONNX model: it is cut short \(truncated\?\)/],
        [random, /onnx\/model\.onnx: is not a valid ONNX model: (byte \d+ starts no|it is cut short)/],
        [Buffer.from('Entry not found\n'.repeat(4)), /onnx\/model\.onnx: is not a valid ONNX model: it is text/],
      ] as const) {
        const dir = broken((d) => writeFileSync(path.join(d, 'onnx/model.onnx'), bytes));
        expectBadInput(await embedlab(['eval', ...data.files, '--model', dir, '--no-cache', ...QUIET]), problem);
        expectBadInput(await embedlab(['quantize', dir, '--out', path.join(dir, 'q.onnx')]), problem);
      }
    }, 60_000);

    it('a tokenizer.json whose vocab is a string, or whose added_tokens is not a list: the field named', async () => {
      const edit = (change: (json: Record<string, any>) => void) =>
        broken((d) => {
          const file = path.join(d, 'tokenizer.json');
          const json = JSON.parse(readFileSync(file, 'utf8'));
          change(json);
          writeFileSync(file, JSON.stringify(json));
        });
      const vocab = edit((j) => (j.model.vocab = 'vocab.txt'));
      expectBadInput(await embedlab(['embed', '--model', vocab, '--text', 'hello']), 'tokenizer.json: model.vocab: is a string ("vocab.txt"): expected an object mapping each token to its id');
      expectBadInput(await embedlab(['eval', ...data.files, '--model', vocab, '--no-cache', ...QUIET]), 'tokenizer.json: model.vocab: is a string');
      const added = edit((j) => (j.added_tokens = 'none'));
      expectBadInput(await embedlab(['embed', '--model', added, '--text', 'hello']), 'tokenizer.json: added_tokens: is a string ("none"): expected a list of tokens');
    }, 60_000);
  });
});


/** A float32 `.npy` of `rows` × `dim` (`bits`: values as uint32 patterns). */
function npy(values: ArrayLike<number>, rows: number, dim: number, bits = false): Uint8Array {
  return npyBytes(values, [rows, dim], '<f4', bits);
}
