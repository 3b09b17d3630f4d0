/**
 * A stored report as a checkpoint: one model's results from a report the lab wrote earlier (a CI baseline),
 * compared with new checkpoints without encoding that model again. The report's per-query values are the
 * model's scores; its top lists serve the per-query view. The data must be the data the report was made on:
 * its fingerprint is checked first, and a change is an error naming it.
 */
import { DataError, type Dataset } from '../data/dataset.ts';
import { fingerprintChanges, isDatasetFingerprint } from '../data/fingerprint.ts';
import type { JudgedRun } from '../metrics/judgedRun.ts';
import { parseMetricKey, type Evaluation } from '../metrics/registry.ts';
import type { EvaluationMode, Rankings } from '../metrics/rankings.ts';
import type { EvalReport, ModelReport } from '../report/evalReport.ts';
import type { CheckpointContext } from './checkpoint.ts';

export interface ReportCheckpoint {
  kind: 'report';
  name: string;
  /** The report file: the report's `path` for this checkpoint. */
  source: string;
  slot?: string;
  /** The stored model, checked against `dataset` (throws a {@link DataError} naming what changed). */
  stored(dataset: Dataset, context: CheckpointContext): Promise<StoredModel>;
}

export interface StoredModel {
  model: ModelReport;
  /** The mode its per-query values were scored in. */
  mode: EvaluationMode;
  /** Its top lists as rankings of the dataset's rows (ids the corpus lacks as negative rows). */
  rankings: Rankings;
  notes: string[];
}

/** Reads a report file the lab wrote (`embedlab eval --json`, the page's JSON export); errors name the file. */
export function parseStoredReport(text: string, file: string): EvalReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataError({ file, message: `is not JSON (${(error as Error).message}); expected a report written by embedlab eval --json or the page's JSON export` });
  }
  const report = value as EvalReport;
  if (!report || typeof report !== 'object' || !Array.isArray(report.models) || !report.dataset || !Array.isArray(report.metricKeys)) {
    throw new DataError({ file, message: 'is not an Embedding Lab report (expected dataset, metricKeys and models)' });
  }
  for (const [i, model] of report.models.entries()) {
    if (typeof model?.name !== 'string' || !model.perQuery || typeof model.perQuery !== 'object' || !model.top || typeof model.top !== 'object') {
      throw new DataError({ file, message: `models[${i}] has no name, perQuery or top: not a report this lab wrote` });
    }
  }
  if (!isDatasetFingerprint(report.dataset.fingerprint)) {
    throw new DataError({ file, message: 'has no data fingerprint (written by an older version of the lab): evaluate the baseline once more to store one' });
  }
  return report;
}

/** The model of `report` to compare against: the one named, or the only one. */
export function pickStoredModel(report: EvalReport, file: string, name?: string): ModelReport {
  const names = report.models.map((m) => `"${m.name}"`).join(', ');
  if (name !== undefined) {
    const model = report.models.find((m) => m.name === name);
    if (!model) throw new DataError({ file, message: `has no model "${name}"; it holds ${names}` });
    return model;
  }
  if (report.models.length !== 1) throw new DataError({ file, message: `holds ${report.models.length} models (${names}): name the one to compare against` });
  return report.models[0];
}

export function reportCheckpoint(identity: { name?: string; source: string; slot?: string }, report: EvalReport, model: ModelReport): ReportCheckpoint {
  const file = identity.source.split(/[\\/]/).pop() || identity.source;
  return {
    kind: 'report',
    name: identity.name ?? model.name,
    source: identity.source,
    ...(identity.slot ? { slot: identity.slot } : {}),
    async stored(dataset, context) {
      await context.onProgress({ stage: 'rankings', done: 0, total: 1 });
      // Equal digests mean the same data; only a difference needs the per-item comparison that names it.
      const same = context.fingerprint && (await context.fingerprint()).digest === report.dataset.fingerprint!.digest;
      const changes = same ? [] : fingerprintChanges(report.dataset.fingerprint!, dataset);
      if (changes.length) {
        throw new DataError({ file: identity.source, message: `the data changed since this baseline was evaluated — ${changes.join(' | ')}. A baseline only compares on the data it was made on: evaluate it again on this data` });
      }
      const rankings = rankingsFromTop(model.top, dataset);
      await context.onProgress({ stage: 'rankings', done: 1, total: 1 });
      return {
        model,
        mode: report.mode,
        rankings,
        notes: [
          `results read from the stored report ${file} (per-query values as stored; its top ${depthOfTop(model.top)} per query for the query view), not computed again`,
          ...model.notes,
        ],
      };
    },
  };
}

/**
 * The stored model's scores for the queries this comparison evaluates, as an {@link Evaluation}: the values the
 * report kept, for exactly these metric keys and this mode (anything else would be a different measurement).
 */
export function storedEvaluation(stored: StoredModel, judged: JudgedRun, metricKeys: readonly string[], mode: EvaluationMode, dataset: Dataset, name: string): Evaluation {
  if (stored.mode !== mode) {
    throw new Error(`${name}: the stored report was scored in ${stored.mode} mode; compare in that mode (${stored.mode === 'trec' ? 'with --trec' : 'without --trec'}) or evaluate the baseline again`);
  }
  const missing = metricKeys.filter((key) => !stored.model.perQuery[parseMetricKey(key).key]);
  if (missing.length) {
    throw new Error(`${name}: the stored report has no per-query values for ${missing.join(', ')} (it has ${Object.keys(stored.model.perQuery).join(', ')}); choose among those or evaluate the baseline again`);
  }
  const metrics: Record<string, number> = {};
  const perQuery: Record<string, Float64Array> = {};
  for (const key of metricKeys.map((k) => parseMetricKey(k).key)) {
    const values = stored.model.perQuery[key];
    const column = Float64Array.from(judged.queryRows, (row) => {
      const value = values[dataset.queries.id(row)];
      if (typeof value !== 'number') throw new Error(`${name}: the stored report has no ${key} for query "${dataset.queries.id(row)}"`);
      return value;
    });
    perQuery[key] = column;
    metrics[key] = column.length ? column.reduce((s, v) => s + v, 0) / column.length : NaN;
  }
  return { queryRows: judged.queryRows, skippedRows: judged.skippedRows, metrics, perQuery };
}

function rankingsFromTop(top: ModelReport['top'], dataset: Dataset): Rankings {
  const queryCount = dataset.queries.length;
  const lists: [number, number][][] = Array.from({ length: queryCount }, () => []);
  const unknownIds: string[] = [];
  const unknownIndex = new Map<string, number>();
  for (const [queryId, list] of Object.entries(top)) {
    const q = dataset.queries.rowOf(queryId);
    if (q < 0 || !Array.isArray(list)) continue;
    for (const [docId, score] of list) {
      let doc = dataset.documents.rowOf(docId);
      if (doc < 0) {
        let index = unknownIndex.get(docId);
        if (index === undefined) unknownIndex.set(docId, (index = unknownIds.push(docId) - 1));
        doc = -(index + 1);
      }
      lists[q].push([doc, score]);
    }
  }
  const offsets = new Int32Array(queryCount + 1);
  for (let q = 0; q < queryCount; q++) offsets[q + 1] = offsets[q] + lists[q].length;
  const docs = new Int32Array(offsets[queryCount]);
  const scores = new Float32Array(offsets[queryCount]);
  lists.forEach((list, q) => list.forEach(([doc, score], i) => ((docs[offsets[q] + i] = doc), (scores[offsets[q] + i] = score))));
  return { offsets, docs, scores, unknownIds };
}

function depthOfTop(top: ModelReport['top']): number {
  return Math.max(0, ...Object.values(top).map((list) => list.length));
}
