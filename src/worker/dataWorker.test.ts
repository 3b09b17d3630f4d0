import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expose } from 'comlink';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSweep } from '../core/eval/compressionSweep.ts';
import { FIXTURE_MODEL, ROOT } from '../../tests/paths.ts';
import { createEncoderApi, type EncoderApi } from './api.ts';
import { createDataWorkerApi } from './dataWorker.ts';
import type { ModelLocation } from './modelSources.ts';

/**
 * The data worker's surface in Node, over the real encoder worker's API (onnxruntime-web's WASM runs here
 * too), joined by a real MessageChannel as the page joins them.
 */

/** The encoder worker's surface, as the page's encoder worker serves it (one per worker). */
const encoderApi = createEncoderApi();

const SAMPLE = path.join(ROOT, 'public/samples/helpdesk-faq.csv');

function sampleFile(): { path: string; file: File } {
  return { path: 'helpdesk-faq.csv', file: new File([readFileSync(SAMPLE)], 'helpdesk-faq.csv') };
}

/** The fixture model folder as the files a picked folder gives: paths relative to the folder. */
function fixtureLocation(): ModelLocation {
  const files = (readdirSync(FIXTURE_MODEL, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const full = path.join(entry.parentPath, entry.name);
      return { path: path.relative(FIXTURE_MODEL, full).split(path.sep).join('/'), file: new File([readFileSync(full)], entry.name) };
    });
  return { kind: 'files', name: 'tiny-bert', files };
}

const ports: MessagePort[] = [];

/** A data worker connected to the encoder API; `identified` lists the slot of every `identify` call. */
function connectedDataWorker() {
  const identified: string[] = [];
  const encoder: EncoderApi = { ...encoderApi, identify: (slot) => (identified.push(slot), encoderApi.identify(slot)) };
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  expose(encoder, port1);
  const data = createDataWorkerApi();
  data.connectEncoder(port2);
  return { data, identified };
}

afterAll(async () => {
  for (const port of ports) port.close();
  await Promise.all(['A', 'B'].map((slot) => encoderApi.dispose(slot)));
});

describe('the data worker', () => {
  it('keeps its state in the worker it was made for: a second one has no dataset and no results', async () => {
    const first = createDataWorkerApi();
    const second = createDataWorkerApi();
    const summary = await first.load([sampleFile()]);
    expect(summary.usable).toBe(true);
    expect(first.rename('  helpdesk  ')).toEqual({ name: 'helpdesk', result: null });
    expect(() => second.rename('other')).toThrow('no dataset is loaded');
    const request = { checkpoints: [{ slot: 'A', kind: 'bm25' as const, name: 'bm25' }, { slot: 'B', kind: 'bm25' as const, name: 'bm25 b1', params: { b: 1 } }], mode: 'sentence-transformers' as const, kernels: 'cpu' as const };
    await expect(second.run(request, () => undefined)).rejects.toThrow('load a dataset first');
    const result = await first.run(request, () => undefined);
    expect(result.view.report.dataset.name).toBe('helpdesk');
    expect(() => second.setMode('trec')).toThrow('nothing has been run yet');
    // The first keeps its results and gives them again under the dataset's new name.
    expect(first.rename('helpdesk FAQ').result?.view.report.dataset.name).toBe('helpdesk FAQ');
    expect(first.setMode('trec').view.report.mode).toBe('trec');
  });

  it('identifies each model slot once per run, the sweep’s weight variants included', async () => {
    const { data, identified } = connectedDataWorker();
    await data.load([sampleFile()]);
    const location = fixtureLocation();
    for (const slot of ['A', 'B']) await encoderApi.loadModel(slot, location, { backend: 'wasm' });
    const reload = { location, backend: 'wasm' as const };
    const result = await data.run(
      {
        checkpoints: [{ slot: 'A', kind: 'model', reload }, { slot: 'B', kind: 'model', reload }],
        mode: 'sentence-transformers',
        kernels: 'cpu',
        useCache: false,
        sweep: parseSweep(['dims=32', 'weights=quantized']),
      },
      () => undefined,
    );
    expect(result.view.models.map((m) => m.name)).toEqual(['A: tiny-bert', 'A: tiny-bert · int8 weights', 'B: tiny-bert', 'B: tiny-bert · int8 weights']);
    expect(identified.sort()).toEqual(['A', 'A:quantized', 'B', 'B:quantized']);
  }, 60_000);
});
