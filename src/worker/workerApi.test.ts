import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { Remote } from 'comlink';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { FIXTURE_MODEL } from '../../tests/paths.ts';
import type { LoadOptions as DatasetLoadOptions } from '../core/data/loadDataset.ts';
import type { DatasetSummary } from '../core/data/summary.ts';
import type { EncodeProgress } from '../core/model/encoder.ts';
import type { PromptRole } from '../core/model/prompts.ts';
import { createEncoderApi, type AgreementReport, type EncodeResult, type EncoderApi, type EncoderEnvironment, type LoadOptions, type ModelInfo, type SlotIdentity } from './api.ts';
import type { PromptOverrides } from '../core/eval/modelRunInfo.ts';
import type { DroppedFile, ReadProgress } from './dataApi.ts';
import { createDataWorkerApi, type DataWorkerApi } from './dataWorker.ts';
import type { ComparisonProgress, ExportFile, ExportKind, PickedRequest, QueryDetail, RunRequest, RunResult, StoredReportSummary } from './evaluation.ts';
import type { CacheSize } from './indexedDbEmbeddingStore.ts';
import type { ModelLocation } from './modelSources.ts';
import type { EvaluationMode } from '../core/data/rankings.ts';

/**
 * The workers' surfaces, pinned: what the page may call and with what. The type assertions fail the type
 * check (`npm run check`, which `npm test` runs first); the key lists fail here too when a method is added or
 * dropped without this file (and the page) being told.
 */

const DATA_WORKER_METHODS = ['load', 'rename', 'describeReport', 'checkPicked', 'connectEncoder', 'run', 'cancelRun', 'setMode', 'queryDetail', 'exportFiles', 'cacheSize', 'clearCache'] as const;
const ENCODER_METHODS = ['loadModel', 'madeModel', 'encode', 'identify', 'configureWasm', 'connect', 'cancel', 'tokenize', 'setPrompts', 'agreement', 'dispose', 'environment', 'loseGpuDevice'] as const;

describe('the data worker’s API', () => {
  it('is exactly its listed methods', () => {
    expect(Object.keys(createDataWorkerApi()).sort()).toEqual([...DATA_WORKER_METHODS].sort());
    expectTypeOf<keyof DataWorkerApi>().toEqualTypeOf<(typeof DATA_WORKER_METHODS)[number]>();
  });

  it('takes and returns these types', () => {
    expectTypeOf<DataWorkerApi['load']>().toEqualTypeOf<(files: DroppedFile[], options?: DatasetLoadOptions, onProgress?: (progress: ReadProgress) => void) => Promise<DatasetSummary>>();
    expectTypeOf<DataWorkerApi['rename']>().toEqualTypeOf<(name: string) => { name: string; result: RunResult | null }>();
    expectTypeOf<DataWorkerApi['describeReport']>().toEqualTypeOf<(file: File) => Promise<StoredReportSummary>>();
    expectTypeOf<DataWorkerApi['checkPicked']>().toEqualTypeOf<(request: PickedRequest) => Promise<string | null>>();
    expectTypeOf<DataWorkerApi['connectEncoder']>().toEqualTypeOf<(port: MessagePort) => void>();
    expectTypeOf<DataWorkerApi['run']>().toEqualTypeOf<(request: RunRequest, onProgress: (progress: ComparisonProgress) => void) => Promise<RunResult>>();
    expectTypeOf<DataWorkerApi['cancelRun']>().toEqualTypeOf<() => boolean>();
    expectTypeOf<DataWorkerApi['setMode']>().toEqualTypeOf<(mode: EvaluationMode) => RunResult>();
    expectTypeOf<DataWorkerApi['queryDetail']>().toEqualTypeOf<(queryId: string, k?: number, baseline?: number) => Promise<QueryDetail>>();
    expectTypeOf<DataWorkerApi['exportFiles']>().toEqualTypeOf<(kind: ExportKind) => ExportFile[]>();
    expectTypeOf<DataWorkerApi['cacheSize']>().toEqualTypeOf<() => Promise<CacheSize>>();
    expectTypeOf<DataWorkerApi['clearCache']>().toEqualTypeOf<() => Promise<void>>();
  });

  it('is all promises from the page’s side', () => {
    expectTypeOf<Awaited<ReturnType<Remote<DataWorkerApi>['cancelRun']>>>().toEqualTypeOf<boolean>();
    expectTypeOf<Awaited<ReturnType<Remote<DataWorkerApi>['setMode']>>>().toEqualTypeOf<RunResult>();
    expectTypeOf<Awaited<ReturnType<Remote<DataWorkerApi>['exportFiles']>>>().toEqualTypeOf<ExportFile[]>();
    expectTypeOf<ReturnType<Remote<DataWorkerApi>['exportFiles']>>().toExtend<Promise<ExportFile[]>>();
  });
});

describe('the encoder worker’s API', () => {
  it('is exactly its listed methods', () => {
    expect(Object.keys(createEncoderApi()).sort()).toEqual([...ENCODER_METHODS].sort());
    expectTypeOf<keyof EncoderApi>().toEqualTypeOf<(typeof ENCODER_METHODS)[number]>();
  });

  it('takes and returns these types', () => {
    expectTypeOf<EncoderApi['loadModel']>().toEqualTypeOf<(slotId: string, location: ModelLocation, options?: LoadOptions) => Promise<ModelInfo>>();
    expectTypeOf<EncoderApi['encode']>().toEqualTypeOf<(slotId: string, texts: string[], onProgress?: (progress: EncodeProgress) => void, jobId?: string, role?: PromptRole) => Promise<EncodeResult>>();
    expectTypeOf<EncoderApi['agreement']>().toEqualTypeOf<(slotId: string, texts: string[]) => Promise<AgreementReport | { unavailable: string }>>();
    expectTypeOf<EncoderApi['madeModel']>().toEqualTypeOf<(slotId: string) => Uint8Array>();
    expectTypeOf<EncoderApi['tokenize']>().toEqualTypeOf<(slotId: string, texts: string[], role?: PromptRole) => number[][]>();
    expectTypeOf<EncoderApi['cancel']>().toEqualTypeOf<(jobId: string) => boolean>();
    expectTypeOf<EncoderApi['connect']>().toEqualTypeOf<(port: MessagePort) => void>();
    expectTypeOf<EncoderApi['dispose']>().toEqualTypeOf<(slotId: string) => Promise<void>>();
    expectTypeOf<EncoderApi['identify']>().toEqualTypeOf<(slotId: string) => Promise<SlotIdentity>>();
    expectTypeOf<SlotIdentity['fingerprint']>().toEqualTypeOf<string>();
    expectTypeOf<EncoderApi['configureWasm']>().toEqualTypeOf<(threads: number) => void>();
    expectTypeOf<EncoderApi['setPrompts']>().toEqualTypeOf<(slotId: string, prompts: PromptOverrides) => Promise<ModelInfo>>();
    expectTypeOf<EncoderApi['environment']>().toEqualTypeOf<() => Promise<EncoderEnvironment>>();
    expectTypeOf<EncoderEnvironment['gpuLost']>().toEqualTypeOf<string | null>();
    expectTypeOf<EncoderApi['loseGpuDevice']>().toEqualTypeOf<() => Promise<boolean>>();
  });

  it('keeps its state in the API object it was made for: a second one has no models and no running encodes', async () => {
    const first = createEncoderApi();
    const second = createEncoderApi();
    await first.loadModel('A', fixtureModel(), { backend: 'wasm' });
    try {
      expect(first.tokenize('A', ['cats purr'])[0].length).toBeGreaterThan(2);
      expect(() => second.tokenize('A', ['cats purr'])).toThrow('no model is loaded in slot A');
      await expect(second.identify('A')).rejects.toThrow('no model is loaded in slot A');
      // A running encode can be cancelled only through the API that runs it.
      let cancelledElsewhere: boolean | null = null;
      let cancelledHere: boolean | null = null;
      const texts = Array.from({ length: 64 }, (_, i) => `text number ${i} about cats`);
      const running = first.encode('A', texts, () => {
        cancelledElsewhere ??= second.cancel('job');
        cancelledHere ??= first.cancel('job');
      }, 'job');
      await expect(running).rejects.toThrow('encoding cancelled');
      expect([cancelledElsewhere, cancelledHere]).toEqual([false, true]);
    } finally {
      await first.dispose('A');
    }
  });
});

/** The fixture model folder as the files a picked folder gives: paths relative to the folder. */
function fixtureModel(): ModelLocation {
  const files = (readdirSync(FIXTURE_MODEL, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const full = path.join(entry.parentPath, entry.name);
      return { path: path.relative(FIXTURE_MODEL, full).split(path.sep).join('/'), file: new File([readFileSync(full)], entry.name) };
    });
  return { kind: 'files', name: 'tiny-bert', files };
}
