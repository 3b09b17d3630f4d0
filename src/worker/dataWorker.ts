import { current, dataApi } from './dataApi.ts';
import { evaluationApi, type ComparisonProgress, type RunRequest, type RunResult } from './evaluation.ts';

/** The data worker serves loading and evaluation: the dataset never leaves it. */
export const dataWorkerApi = {
  ...dataApi,
  ...evaluationApi,
  run: (request: RunRequest, onProgress: (progress: ComparisonProgress) => void): Promise<RunResult> => evaluationApi.run(current, request, onProgress),
  /** Renames the dataset; the last results, when they are of it, come back under the new name. */
  rename(name: string): { name: string; result: RunResult | null } {
    const kept = dataApi.renameDataset(name);
    return { name: kept, result: evaluationApi.datasetRenamed(current) };
  },
};

export type DataWorkerApi = typeof dataWorkerApi;
