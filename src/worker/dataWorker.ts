import { expose } from 'comlink';
import { current, dataApi } from './dataApi.ts';
import { evaluationApi, type LabView, type RunProgress, type RunRequest } from './evaluation.ts';

/** The data worker serves loading and evaluation: the dataset never leaves it. */
const workerApi = {
  ...dataApi,
  ...evaluationApi,
  run: (request: RunRequest, onProgress: (progress: RunProgress) => void): Promise<LabView> => evaluationApi.run(current, request, onProgress),
};

export type DataWorkerApi = typeof workerApi;

expose(workerApi);
