import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { makeTinyBertWeights, tinyBertForward } from '../../tests/fixtures/tinyBert.ts';
import { TINY_BERT_CONFIG } from '../../tests/fixtures/tinyBertFolder.ts';
import { FIXTURE_MODEL } from '../../tests/paths.ts';
import { modelFingerprint } from '../core/eval/embeddingCache.ts';
import { folderDigests, readModelFolder } from '../core/model/modelFolder.ts';
import { cliModelSource } from './cliModelSource.ts';
import { loadNodeEncoder, openNodeEncoder } from './nodeEncoder.ts';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const TEXTS = [
  'This is an example sentence',
  '',
  'Each sentence is converted',
  '  Hello,   WORLD!!  ',
  'the bank answers each question about a loan and the card account, then the transfer '.repeat(4),
  'Café naïve résumé — déjà vu',
  '日本語のテキスト',
];

/** Mean pooling + L2 normalisation of the float64 forward pass. */
function referenceEmbedding(ids: number[]): Float64Array {
  const states = tinyBertForward(makeTinyBertWeights(TINY_BERT_CONFIG), ids);
  const mean = new Float64Array(TINY_BERT_CONFIG.hidden);
  for (const state of states) state.forEach((v, j) => (mean[j] += v / states.length));
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

describe('Node encoder on the fixture model', () => {
  it('matches an independent float64 BERT forward pass, padded batches included', async () => {
    const encoder = await loadNodeEncoder(FIXTURE_MODEL);
    try {
      // A small token budget forces several batches of mixed lengths, with padding in each.
      const { vectors, dim, count } = await encoder.encode(TEXTS, { tokenBudget: 60 });
      expect([count, dim]).toEqual([TEXTS.length, TINY_BERT_CONFIG.hidden]);
      let maxDelta = 0;
      TEXTS.forEach((text, i) => {
        const reference = referenceEmbedding(encoder.folder.tokenizer.encode(text));
        for (let j = 0; j < dim; j++) maxDelta = Math.max(maxDelta, Math.abs(vectors[i * dim + j] - reference[j]));
      });
      expect(maxDelta).toBeLessThan(1e-5);
    } finally {
      await encoder.release();
    }
  });

  it('gives the same embedding whatever the batch a text lands in', async () => {
    const encoder = await loadNodeEncoder(FIXTURE_MODEL);
    try {
      const together = await encoder.encode(TEXTS);
      for (const [i, text] of TEXTS.entries()) {
        const alone = await encoder.encode([text]);
        const delta = Math.max(...alone.vectors.map((v, j) => Math.abs(v - together.vectors[i * together.dim + j])));
        expect(delta, text).toBeLessThan(1e-5);
      }
    } finally {
      await encoder.release();
    }
  });

  it('reports progress per batch and stops when cancelled', async () => {
    const encoder = await loadNodeEncoder(FIXTURE_MODEL);
    try {
      const seen: number[] = [];
      await encoder.encode(TEXTS, { tokenBudget: 40, onProgress: ({ done }) => void seen.push(done) });
      expect(seen[0]).toBe(0);
      expect(seen.at(-1)).toBe(TEXTS.length);
      expect(seen.length).toBeGreaterThan(3);

      const controller = new AbortController();
      const run = encoder.encode(TEXTS, {
        tokenBudget: 40,
        signal: controller.signal,
        onProgress: ({ done }) => {
          if (done > 0) controller.abort();
        },
      });
      await expect(run).rejects.toThrow(/abort/i);
    } finally {
      await encoder.release();
    }
  });

  it('keeps the digest of the model bytes beside the session, not the bytes', async () => {
    // The folder is read inside a function of its own, so that only the encoder could keep its bytes.
    const open = async () => {
      const folder = await readModelFolder(cliModelSource(FIXTURE_MODEL));
      const fingerprint = await modelFingerprint(folder);
      return { bytes: new WeakRef(folder.onnx.buffer), fingerprint, encoder: await openNodeEncoder(folder) };
    };
    const { bytes, fingerprint, encoder } = await open();
    try {
      await new Promise((resolve) => setTimeout(resolve, 0));
      collectGarbage();
      expect(bytes.deref(), 'the ONNX bytes are still reachable from the encoder').toBeUndefined();
      expect(() => encoder.folder.onnx).toThrow(/were let go once its session was made/);
      // What a run records and the cache's key are the same as with the bytes at hand.
      expect(await modelFingerprint(encoder.folder)).toBe(fingerprint);
      const file = readFileSync(path.join(FIXTURE_MODEL, 'onnx/model.onnx'));
      expect((await folderDigests(encoder.folder))[0]).toEqual({ file: 'onnx/model.onnx', sha256: createHash('sha256').update(file).digest('hex') });
      expect((await encoder.encode(TEXTS.slice(0, 2))).count).toBe(2);
    } finally {
      await encoder.release();
    }
  });
});
