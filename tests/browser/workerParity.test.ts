import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import type { AgreementReport, EncoderApi } from '../../src/worker/api.ts';
import { HAS_SHARED_MODELS, needs, REAL_MODELS, SHARED_MODELS } from '../paths.ts';
import { maxAbsDelta, referenceValues } from '../referenceValues.ts';
import { usePage } from './usePage.ts';

declare global {
  interface Window {
    encoder: Remote<EncoderApi>;
    proxy: typeof import('comlink').proxy;
  }
}

const browser = usePage('/tests/browser/workerHarness.html');

async function encodeIn(slot: string, texts: string[]): Promise<{ vectors: number[]; dim: number; backend: string; pooledOn: string | null }> {
  return browser.page.evaluate(
    async ([slot, texts]) => {
      const result = await window.encoder.encode(slot, texts);
      return { vectors: Array.from(result.vectors), dim: result.dim, backend: result.backend, pooledOn: result.pooledOn };
    },
    [slot, texts] as const,
  );
}

describe('the encoder worker in headless Chromium', () => {
  it('offers WebGPU (with --enable-unsafe-webgpu) and multi-threaded WASM (cross-origin isolated)', async () => {
    const environment = await browser.page.evaluate(() => window.encoder.environment());
    expect(environment.crossOriginIsolated).toBe(true);
    expect(environment.wasm.threads).toBeGreaterThan(1);
    expect(environment.webgpu?.description).toMatch(/^WebGPU · /);
  });

  describe.skipIf(!HAS_SHARED_MODELS).each(REAL_MODELS)(needs(SHARED_MODELS, '%s matches sentence-transformers'), (name) => {
    it.each(['wasm', 'webgpu'] as const)('on %s: token ids equal, embeddings within 1e-4', async (backend) => {
      const reference = referenceValues();
      const slot = `${name}-${backend}`;
      const started = Date.now();
      const info = await browser.page.evaluate(
        ([slot, name, backend]) => window.encoder.loadModel(slot, { kind: 'served', name }, { backend }),
        [slot, name, backend] as const,
      );
      expect(info.backend.backend).toBe(backend);
      expect(info).toMatchObject({ dim: 384, pooling: ['mean'], normalize: true, maxSeqLength: 256 });
      const loaded = Date.now();
      const ids = await browser.page.evaluate(([slot, texts]) => window.encoder.tokenize(slot, texts), [slot, reference.probe_sentences] as const);
      expect(ids).toEqual(reference.probe_token_ids);
      const encodeStarted = Date.now();
      const { vectors, dim, backend: used, pooledOn } = await encodeIn(slot, reference.probe_sentences);
      // Where this test's time goes (WebGPU here is SwiftShader): loading the model, or encoding the probes.
      console.log(`${name} on ${backend}: loaded in ${((loaded - started) / 1000).toFixed(1)} s, ${reference.probe_sentences.length} probes encoded in ${((Date.now() - encodeStarted) / 1000).toFixed(1)} s`);
      expect(used).toBe(backend);
      // On WebGPU the token embeddings stay on the GPU and the WGSL kernel pools them.
      expect(pooledOn).toBe(backend === 'webgpu' ? 'gpu' : 'cpu');
      const delta = maxAbsDelta(vectors, dim, reference.models[name].probe_embeddings);
      console.log(`${name} on ${backend}: max |Δ| vs sentence-transformers = ${delta.toExponential(2)}`);
      expect(delta).toBeLessThanOrEqual(1e-4);
      await browser.page.evaluate((slot) => window.encoder.dispose(slot), slot);
    }, 240_000);
  });

  it('reports the WebGPU-vs-WASM cosine of a loaded model', async () => {
    await browser.page.evaluate(() => window.encoder.loadModel('fixture', { kind: 'served', name: 'tiny-bert' }, { backend: 'wasm' }));
    const report = await browser.page.evaluate(
      async (): Promise<AgreementReport | { unavailable: string }> => window.encoder.agreement('fixture', ['hello world', 'the bank card', '']),
    );
    if (!('cosines' in report)) throw new Error(`WebGPU/WASM agreement unavailable: ${report.unavailable}`);
    expect(report.cosines).toHaveLength(3);
    for (const cosine of report.cosines) expect(cosine).toBeGreaterThan(0.99999);
    expect(report.maxAbsDelta).toBeLessThan(1e-4);
  });

  it('cancels an encode between batches', async () => {
    const outcome = await browser.page.evaluate(async () => {
      const texts = Array.from({ length: 2000 }, (_, i) => `the bank card ${i} `.repeat(1 + (i % 7)));
      const { proxy } = window;
      let cancelled = false;
      try {
        await window.encoder.encode(
          'fixture',
          texts,
          proxy(({ done }: { done: number }) => {
            if (done > 0 && !cancelled) {
              cancelled = true;
              void window.encoder.cancel('job-1');
            }
          }),
          'job-1',
        );
        return { finished: true };
      } catch (error) {
        return { name: (error as Error).name, message: (error as Error).message, cancelled };
      }
    });
    expect(outcome).toEqual({ name: 'AbortError', message: 'encoding cancelled', cancelled: true });
  });

  it('finishes on WASM when the GPU device is lost mid-run, with the same embeddings', async () => {
    // 200 texts make four batches (at most 64 texts each), so the loss lands between batches of one run.
    const texts = Array.from({ length: 200 }, (_, i) => `question ${i} about the loan account and the card`);
    await browser.page.evaluate(() => window.encoder.loadModel('cpu', { kind: 'served', name: 'tiny-bert' }, { backend: 'wasm' }));
    const expected = await encodeIn('cpu', texts);
    await browser.page.evaluate(() => window.encoder.loadModel('gpu', { kind: 'served', name: 'tiny-bert' }, { backend: 'webgpu' }));
    const result = await browser.page.evaluate(async (texts) => {
      const { proxy } = window;
      let lost = false;
      const r = await window.encoder.encode(
        'gpu',
        texts,
        proxy(async ({ done }: { done: number }) => {
          if (done > 0 && !lost) {
            lost = true;
            await window.encoder.loseGpuDevice();
          }
        }),
      );
      return { vectors: Array.from(r.vectors), backend: r.backend, fellBackToWasm: r.fellBackToWasm };
    }, texts);
    expect(result.backend).toBe('wasm');
    expect(result.fellBackToWasm).toMatch(/GPU device lost .*: finished on WASM/);
    const delta = Math.max(...result.vectors.map((v, i) => Math.abs(v - expected.vectors[i])));
    expect(delta).toBeLessThan(1e-4);
    const environment = await browser.page.evaluate(() => window.encoder.environment());
    expect(environment.gpuLost).not.toBeNull();
  }, 120_000);

  it('logged no errors in the page but the 404s of optional model files', () => {
    // A model folder is read by asking for each optional file (modules.json, …); "not found" is an answer.
    const optional = browser.notFound.filter((url) => new URL(url).pathname.startsWith('/models/'));
    expect(browser.notFound).toEqual(optional);
    expect(browser.consoleErrors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    expect(browser.consoleErrors.length).toBeLessThanOrEqual(optional.length);
  });
});
