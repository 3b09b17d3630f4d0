/**
 * A stored report as a checkpoint: one model's results from a report the lab wrote earlier (a CI baseline),
 * compared with new checkpoints without encoding that model again. The report's per-query values are the
 * model's scores; its top lists serve the per-query view. The data must be the data the report was made on:
 * its fingerprint is checked first, and a change is an error naming it.
 */
import { DataError, type Dataset } from '../data/dataset.ts';
import { fingerprintChanges, isDatasetFingerprint, type DatasetFingerprint } from '../data/fingerprint.ts';
import { sha256Hex } from '../data/sha256.ts';
import type { JudgedRun } from '../metrics/judgedRun.ts';
import { parseMetricKey, type Evaluation } from '../metrics/registry.ts';
import { DocumentRowsById, rankingsFromLists, type EvaluationMode, type Rankings } from '../data/rankings.ts';
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

/**
 * Reads a report file the lab wrote (`embedlab eval --json`, the page's JSON export), checked against the
 * report's schema before anything of it is used: a value a report cannot hold (a metric outside [0, 1], a
 * per-query value missing, null or a string, an unknown mode, metric keys that are not the per-query ones,
 * a metric that is not the mean of its per-query values, a fingerprint whose parts do not add up) is an
 * error naming the file and the JSON path of the first such value. Errors are {@link DataError}s.
 */
export function parseStoredReport(text: string, file: string): EvalReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DataError({ file, message: `is not JSON (${(error as Error).message}); expected a report written by embedlab eval --json or the page's JSON export` });
  }
  const report = value as EvalReport;
  if (!isObject(report) || !Array.isArray(report.models) || !isObject(report.dataset) || !Array.isArray(report.metricKeys)) {
    throw new DataError({ file, message: 'is not an Embedding Lab report (expected dataset, metricKeys and models)' });
  }
  for (const [i, model] of report.models.entries()) {
    if (!isObject(model) || typeof model.name !== 'string' || !isObject(model.perQuery) || !isObject(model.top)) {
      throw new DataError({ file, message: `models[${i}] has no name, perQuery or top: not a report this lab wrote` });
    }
  }
  if (!isDatasetFingerprint(report.dataset.fingerprint)) {
    throw new DataError({ file, message: 'has no data fingerprint (written by an older version of the lab): evaluate the baseline once more to store one' });
  }
  checkReport(report, (path, problem) => new DataError({ file, message: `${path}: ${problem}` }));
  return report;
}

type Fail = (path: string, problem: string) => Error;

const MODES: readonly EvaluationMode[] = ['sentence-transformers', 'trec'];
const HEX_DIGEST = /^[0-9a-f]{64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as a message quotes it: short, and a string in quotes (so "0.5" is seen not to be 0.5). */
function shown(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** `path["key"]`: an entry of a map (metric keys, query ids). */
const entry = (path: string, key: string) => `${path}[${JSON.stringify(key)}]`;

function checkReport(report: EvalReport, fail: Fail): void {
  const { dataset } = report;
  for (const field of ['queries', 'documents', 'judgments', 'evaluatedQueries', 'skippedQueries'] as const) {
    const count = dataset[field];
    if (!Number.isSafeInteger(count) || count < 0) throw fail(`dataset.${field}`, `${shown(count)} is not a count`);
  }
  if (typeof dataset.name !== 'string') throw fail('dataset.name', `${shown(dataset.name)} is not a string`);
  checkFingerprintShape(report, fail);
  if (!MODES.includes(report.mode)) throw fail('mode', `${shown(report.mode)} is not a mode the lab scores in (${MODES.join(', ')})`);
  const keys: string[] = [];
  for (const [i, key] of report.metricKeys.entries()) {
    if (typeof key !== 'string') throw fail(`metricKeys[${i}]`, `${shown(key)} is not a metric key`);
    try {
      keys.push(parseMetricKey(key).key);
    } catch (error) {
      throw fail(`metricKeys[${i}]`, (error as Error).message);
    }
    if (keys.indexOf(keys[i]) !== i) throw fail(`metricKeys[${i}]`, `"${key}" is listed twice`);
  }
  if (!keys.length) throw fail('metricKeys', 'lists no metric');
  if (!report.models.length) throw fail('models', 'holds no model');
  report.models.forEach((model, i) => checkModel(model, `models[${i}]`, keys, dataset.evaluatedQueries, fail));
  if (report.comparisons !== undefined) {
    if (!Array.isArray(report.comparisons)) throw fail('comparisons', `${shown(report.comparisons)} is not a list`);
    const names = new Set(report.models.map((m) => m.name));
    report.comparisons.forEach((comparison, i) => {
      if (!isObject(comparison) || !isObject(comparison.metrics)) throw fail(`comparisons[${i}]`, 'is not a comparison (a, b, metrics)');
      for (const side of ['a', 'b'] as const) {
        if (!names.has(comparison[side])) throw fail(`comparisons[${i}].${side}`, `${shown(comparison[side])} names no model of the report`);
      }
    });
  }
}

function checkFingerprintShape(report: EvalReport, fail: Fail): void {
  const fingerprint = report.dataset.fingerprint!;
  if (!HEX_DIGEST.test(fingerprint.digest)) throw fail('dataset.fingerprint.digest', `${shown(fingerprint.digest)} is not a SHA-256 digest`);
  const counted = { documents: report.dataset.documents, queries: report.dataset.queries, judgments: report.dataset.judgments };
  for (const name of ['documents', 'queries', 'judgments'] as const) {
    const collection = fingerprint[name];
    const path = `dataset.fingerprint.${name}`;
    if (!HEX_DIGEST.test(collection.digest)) throw fail(`${path}.digest`, `${shown(collection.digest)} is not a SHA-256 digest`);
    const bytes = base64Length(collection.items);
    if (bytes === null) throw fail(`${path}.items`, 'is not base64');
    if (bytes !== collection.count * 12) throw fail(`${path}.items`, `holds ${bytes / 12} entries where its count is ${collection.count}`);
    if (collection.count !== counted[name]) throw fail(`${path}.count`, `${collection.count} where dataset.${name} is ${counted[name]}`);
  }
}

/** Bytes a base64 text decodes to, or null when it is not base64. */
function base64Length(text: string): number | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  return (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
}

function checkModel(model: ModelReport, path: string, keys: readonly string[], evaluated: number, fail: Fail): void {
  for (const field of ['path', 'kind', 'fingerprint'] as const) {
    if (typeof model[field] !== 'string') throw fail(`${path}.${field}`, `${shown(model[field])} is not a string`);
  }
  if (model.dim !== null && model.dim !== undefined && !(Number.isSafeInteger(model.dim) && model.dim > 0)) throw fail(`${path}.dim`, `${shown(model.dim)} is not a dimension`);
  if (model.notes !== undefined && (!Array.isArray(model.notes) || model.notes.some((n) => typeof n !== 'string'))) throw fail(`${path}.notes`, 'is not a list of strings');
  if (!isObject(model.metrics)) throw fail(`${path}.metrics`, `${shown(model.metrics)} is not an object of metric values`);
  const perQuery = model.perQuery as Record<string, unknown>;
  for (const key of Object.keys(perQuery)) if (!keys.includes(key)) throw fail(entry(`${path}.perQuery`, key), `is not among metricKeys (${keys.join(', ')})`);
  let queries: string[] | null = null;
  let firstKey = '';
  for (const key of keys) {
    const values = perQuery[key];
    const at = entry(`${path}.perQuery`, key);
    if (values === undefined) throw fail(`${path}.perQuery`, `has no "${key}", which metricKeys lists`);
    if (!isObject(values)) throw fail(at, `${shown(values)} is not an object of per-query values`);
    const ids = Object.keys(values);
    if (queries === null) {
      queries = ids;
      firstKey = key;
      if (ids.length !== evaluated) throw fail(at, `holds ${ids.length} queries where dataset.evaluatedQueries is ${evaluated}`);
    } else {
      const missing = queries.find((q) => !(q in values));
      if (missing !== undefined) throw fail(at, `has no value for query "${missing}" (${entry(`${path}.perQuery`, firstKey)} has one)`);
      const extra = ids.find((q) => !queries!.includes(q));
      if (extra !== undefined) throw fail(entry(at, extra), `is a query ${entry(`${path}.perQuery`, firstKey)} does not have`);
    }
    let sum = 0;
    for (const id of ids) {
      const v = values[id];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw fail(entry(at, id), `${shown(v)} is not a number`);
      if (v < 0 || v > 1) throw fail(entry(at, id), `${v} is outside [0, 1]`);
      sum += v;
    }
    const metric = (model.metrics as Record<string, unknown>)[key];
    const metricAt = entry(`${path}.metrics`, key);
    if (!ids.length) {
      if (metric !== null && metric !== undefined) throw fail(metricAt, `${shown(metric)} where no query was evaluated`);
      continue;
    }
    if (typeof metric !== 'number' || !Number.isFinite(metric)) throw fail(metricAt, `${shown(metric)} is not a number`);
    if (metric < 0 || metric > 1) throw fail(metricAt, `${metric} is outside [0, 1]`);
    const mean = sum / ids.length;
    if (Math.abs(metric - mean) > 1e-9) throw fail(metricAt, `${metric} is not the mean of its per-query values (${mean})`);
  }
  for (const [query, list] of Object.entries(model.top as Record<string, unknown>)) {
    const at = entry(`${path}.top`, query);
    if (!Array.isArray(list)) throw fail(at, `${shown(list)} is not a ranked list`);
    list.forEach((item, rank) => {
      if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string' || typeof item[1] !== 'number' || !Number.isFinite(item[1])) {
        throw fail(`${at}[${rank}]`, `${shown(item)} is not a [document id, score] pair`);
      }
    });
  }
}

/**
 * The fingerprint's digests recomputed from its items: an edited fingerprint (a digest copied from other
 * data, items changed by hand) no longer adds up, and is named, before it is compared with the data.
 */
async function checkFingerprintDigests(fingerprint: DatasetFingerprint, file: string): Promise<void> {
  const edited = (path: string) => new DataError({ file, message: `${path}: does not match what it fingerprints (the report was edited): evaluate the baseline again` });
  for (const name of ['documents', 'queries', 'judgments'] as const) {
    const binary = atob(fingerprint[name].items);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    if ((await sha256Hex(bytes)) !== fingerprint[name].digest) throw edited(`dataset.fingerprint.${name}.digest`);
  }
  const digest = await sha256Hex(`${fingerprint.documents.digest}|${fingerprint.queries.digest}|${fingerprint.judgments.digest}`);
  if (digest !== fingerprint.digest) throw edited('dataset.fingerprint.digest');
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
      await checkFingerprintDigests(report.dataset.fingerprint!, identity.source);
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
  const lists: { doc: number; score: number }[][] = Array.from({ length: dataset.queries.length }, () => []);
  const documentRows = new DocumentRowsById(dataset.documents);
  for (const [queryId, list] of Object.entries(top)) {
    const q = dataset.queries.rowOf(queryId);
    if (q < 0 || !Array.isArray(list)) continue;
    for (const [docId, score] of list) lists[q].push({ doc: documentRows.rowOf(docId), score });
  }
  return rankingsFromLists(lists, documentRows.unknownIds);
}

function depthOfTop(top: ModelReport['top']): number {
  return Math.max(0, ...Object.values(top).map((list) => list.length));
}
