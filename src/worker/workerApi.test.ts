import type { Remote } from 'comlink';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { LoadOptions as DatasetLoadOptions } from '../core/data/loadDataset.ts';
import type { DatasetSummary } from '../core/data/summary.ts';
import type { EvaluationMode } from '../core/metrics/rankings.ts';
import type { EncodeProgress } from '../core/model/encoder.ts';
import type { PromptRole } from '../core/model/prompts.ts';
import { api, type EncodeResult, type EncoderApi, type LoadOptions, type ModelInfo, type AgreementReport } from './api.ts';
import type { DroppedFile, ReadProgress } from './dataApi.ts';
import { createDataWorkerApi, type DataWorkerApi } from './dataWorker.ts';
import type { ComparisonProgress, ExportFile, ExportKind, PickedRequest, QueryDetail, RunRequest, RunResult, StoredReportSummary } from './evaluation.ts';
import type { CacheSize } from './indexedDbEmbeddingStore.ts';
import type { ModelLocation } from './modelSources.ts';

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
    expect(Object.keys(api).sort()).toEqual([...ENCODER_METHODS].sort());
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
    expectTypeOf<Awaited<ReturnType<EncoderApi['identify']>>>().toHaveProperty('fingerprint').toEqualTypeOf<string>();
    expectTypeOf<Awaited<ReturnType<EncoderApi['environment']>>>().toHaveProperty('gpuLost').toEqualTypeOf<string | null>();
  });
});
