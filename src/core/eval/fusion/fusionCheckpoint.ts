/**
 * A fusion as a checkpoint: rankings computed from earlier checkpoints' rankings in the same comparison
 * (a BM25 run and a dense model, two epochs, …), scored, compared and exported like any model. The
 * comparison ({@link compareCheckpoints}) runs checkpoints in order and hands a fusion the results of the
 * inputs it names (by the names the report shows); the recipe and, for a cross-validated weight, the folds
 * and the weight curve go into the report's `fusion` field.
 */
import type { Dataset } from '../../data/dataset.ts';
import { sha256Hex } from '../../data/sha256.ts';
import type { Judgments } from '../../data/judgments.ts';
import { judgeRun } from '../../metrics/judgedRun.ts';
import { RankingOrder } from '../../metrics/rankings.ts';
import { evaluateJudged, parseMetricKey } from '../../metrics/registry.ts';
import { headlineMetric, type CheckpointKind, type FusionInfo } from '../../report/evalReport.ts';
import type { CheckpointContext } from '../checkpoint.ts';
import { crossValidatedWeight, WEIGHT_GRID } from './crossValidatedWeight.ts';
import { defaultNormalization, FusionError, lacksScores, methodWeights, PreparedFusion, RRF_K, usesScores, type FusionMethod } from './fuseRankings.ts';
import { normalizationName, NORMALIZATIONS, type NormalizationName } from './scoreNormalization.ts';
import { documentIdOf, type EvaluationMode, type Rankings } from '../../data/rankings.ts';

export { FusionError } from './fuseRankings.ts';

/** An earlier checkpoint's result, as a fusion reads it. */
export interface FusionInput {
  name: string;
  kind: CheckpointKind;
  rankings: Rankings;
  fingerprint: string;
  /** Its scores are placeholders (positions only): score-based methods refuse it. */
  ranksOnly?: boolean;
}

/** What the comparison gives a fusion besides its inputs. */
export interface FusionContext extends CheckpointContext {
  dataset: Dataset;
  judgments: Judgments;
  mode: EvaluationMode;
  metricKeys: readonly string[];
  /** The comparison's depth: the default depth of the lists read. */
  depth: number;
  /** The report's seed: draws the cross-validation folds. */
  seed: number;
}

export interface FusedRankings {
  rankings: Rankings;
  fingerprint: string;
  backend: string;
  notes: string[];
  fusion: FusionInfo;
}

export interface FusionCheckpoint {
  kind: 'fusion';
  name: string;
  /** `fusion:SPEC:A,B`: the report's `path`. */
  source: string;
  slot?: string;
  /** The checkpoints fused, by the names the report shows; all placed before this one. */
  inputs: readonly string[];
  /** Results read from each input's top, when not the comparison's depth (the comparison ranks that deep). */
  depth?: number;
  fuse(inputs: readonly FusionInput[], context: FusionContext): Promise<FusedRankings>;
}

export interface FusionCheckpointOptions {
  name: string;
  inputs: readonly string[];
  method: FusionMethod;
  /** Default as ranx's `fuse`: min-max for score-based methods; rrf takes none. */
  normalization?: NormalizationName;
  /** Results read from each input's top (default: the comparison's depth, 100 unless a metric needs more). */
  depth?: number;
  /** The metric a cross-validated weight maximises (default: the report's headline metric, ndcg@10 when reported, else the first). */
  criterion?: string;
  slot?: string;
}

/** A fusion of `inputs` by `method`; its recipe is checked here, its inputs when the comparison starts. */
export function fusionCheckpoint(options: FusionCheckpointOptions): FusionCheckpoint {
  const { name, inputs, method } = options;
  checkInputs(name, inputs);
  checkMethod(name, method, inputs.length, options.normalization);
  if (options.depth !== undefined && !(Number.isInteger(options.depth) && options.depth >= 1)) {
    throw new FusionError(name, `depth must be a whole number of results, at least 1; got ${options.depth}`);
  }
  if (options.criterion !== undefined) {
    try {
      parseMetricKey(options.criterion);
    } catch (error) {
      throw new FusionError(name, `the cross-validation criterion: ${(error as Error).message}`);
    }
  }
  const normalization = options.normalization ?? defaultNormalization(method);
  const spec = formatFusionMethod(method, normalization);
  return {
    kind: 'fusion',
    name,
    source: `fusion:${spec}:${inputs.join(',')}`,
    ...(options.slot ? { slot: options.slot } : {}),
    inputs: [...inputs],
    ...(options.depth ? { depth: options.depth } : {}),
    async fuse(given, context) {
      await context.onProgress({ stage: 'rankings', done: 0, total: 1 });
      const depth = options.depth ?? context.depth;
      if (usesScores(method)) {
        for (const input of given) {
          if (input.ranksOnly || lacksScores(input.rankings, depth)) {
            throw new FusionError(name, `${method.name} reads scores, but "${input.name}" has positions only (${input.ranksOnly ? 'a ranking without scores' : 'every list has one score throughout'}); fuse it with rrf, which reads ranks`);
          }
        }
      }
      const prepared = new PreparedFusion(given.map((input) => input.rankings), { method, normalization, depth });
      const fusion: FusionInfo = {
        inputs: given.map((input) => input.name),
        method: method.name,
        spec,
        ...(method.name === 'rrf' ? { k: method.k } : {}),
        ...(method.name === 'wsum' && method.weights ? { weights: [...method.weights] } : {}),
        normalization,
        depth,
        inputDepths: prepared.depths,
      };
      const notes = [describe(method, normalization, fusion.inputs), depthNote(depth, given, prepared.depths)];
      let rankings: Rankings;
      if (method.name === 'wsum' && !method.weights) {
        const criterion = parseMetricKey(options.criterion ?? headlineMetric(context.metricKeys));
        const { dataset, judgments, mode } = context;
        const judge = (fused: Rankings) =>
          judgeRun(RankingOrder.of(fused, mode, (row) => documentIdOf(dataset.documents, fused, row)), judgments);
        // The evaluated queries depend on the judgments alone: judge empty lists to learn them.
        const empty: Rankings = { offsets: new Int32Array(prepared.queryCount + 1), docs: new Int32Array(0), scores: new Float32Array(0), unknownIds: [] };
        const queryRows = judge(empty).queryRows;
        if (queryRows.length < 2) throw new FusionError(name, `a cross-validated weight needs at least 2 queries with a relevant document, there ${queryRows.length === 1 ? 'is 1' : `are ${queryRows.length}`}; give the weight (wsum@W)`);
        const chosen = await crossValidatedWeight(prepared, {
          queryRows,
          // The criterion reads the top k alone: judging only those (and what ties with the k-th) saves the rest.
          criterion: (fused) => evaluateJudged(judge(cutAt(fused, criterion.k)), [criterion.key]).perQuery[criterion.key],
          seed: context.seed,
          onStep: async (done, total) => {
            await context.onProgress({ stage: 'rankings', done, total: total + 1 });
            context.signal?.throwIfAborted();
          },
        });
        rankings = chosen.rankings;
        fusion.crossValidation = { folds: chosen.folds.length, seed: context.seed, criterion: criterion.key, mode, grid: [...WEIGHT_GRID], weight: chosen.weight };
        fusion.folds = chosen.folds.map((f) => ({ weight: f.weight, queries: Array.from(f.rows, (row) => dataset.queries.id(row)), value: f.value }));
        fusion.curve = chosen.curve;
        const [a, b] = fusion.inputs;
        notes.push(
          `the weight W of ${a} (1 − W of ${b}) was chosen by ${chosen.folds.length}-fold cross-validation over queries (seed ${context.seed}) on ${criterion.key} in ${mode} mode: ` +
            `each fold's queries are ranked with the W that was best on the other folds (${chosen.folds.map((f) => f.weight).join(', ')}); ` +
            `over all queries ${criterion.key} peaks at W = ${chosen.weight} (in-sample, the curve's maximum; queries without a relevant document use it)`,
        );
      } else {
        rankings = prepared.fuse(methodWeights(method, given.length));
      }
      await context.onProgress({ stage: 'rankings', done: 1, total: 1 });
      return {
        rankings,
        fingerprint: await sha256Hex(JSON.stringify({ fusion: spec, depth, criterion: fusion.crossValidation?.criterion, inputs: given.map((input) => input.fingerprint) })),
        backend: 'fusion',
        notes,
        fusion,
      };
    },
  };
}

/**
 * Each list's first `k` results and any after them tied with the k-th (TREC mode may order a tie group
 * either way, so all of it stays): what a metric at cutoff k reads. An infinite k keeps the lists whole.
 */
export function cutAt(rankings: Rankings, k: number): Rankings {
  if (!Number.isFinite(k)) return rankings;
  const { offsets, docs, scores } = rankings;
  const queryCount = offsets.length - 1;
  const kept = new Int32Array(queryCount + 1);
  const ends = new Int32Array(queryCount);
  for (let q = 0; q < queryCount; q++) {
    let end = Math.min(offsets[q + 1], offsets[q] + k);
    while (end > offsets[q] && end < offsets[q + 1] && scores[end] === scores[end - 1]) end++;
    ends[q] = end;
    kept[q + 1] = kept[q] + end - offsets[q];
  }
  const cutDocs = new Int32Array(kept[queryCount]);
  const cutScores = new Float32Array(kept[queryCount]);
  for (let q = 0; q < queryCount; q++) {
    cutDocs.set(docs.subarray(offsets[q], ends[q]), kept[q]);
    cutScores.set(scores.subarray(offsets[q], ends[q]), kept[q]);
  }
  return { offsets: kept, docs: cutDocs, scores: cutScores, unknownIds: rankings.unknownIds };
}

/**
 * Where each fusion's inputs sit among `checkpoints` (named by `names`, the report's names): checked before
 * anything runs, so that a misspelt input fails at once, not after an hour of encoding.
 */
export function fusionInputPositions(checkpoints: readonly { kind: string; inputs?: readonly string[] }[], names: readonly string[]): Map<number, number[]> {
  const positions = new Map<number, number[]>();
  for (const [index, checkpoint] of checkpoints.entries()) {
    if (checkpoint.kind !== 'fusion' || !checkpoint.inputs) continue;
    const name = names[index];
    checkInputs(name, checkpoint.inputs);
    positions.set(
      index,
      checkpoint.inputs.map((input) => {
        const at = names.indexOf(input);
        if (at < 0) throw new FusionError(name, `no checkpoint "${input}" to fuse; the comparison has ${names.filter((_, i) => i !== index).map((n) => `"${n}"`).join(', ')}`);
        if (at === index) throw new FusionError(name, 'a fusion cannot fuse itself');
        if (at > index) throw new FusionError(name, `"${input}" comes after the fusion; place the fusion after every checkpoint it fuses`);
        return at;
      }),
    );
  }
  return positions;
}

function checkInputs(name: string, inputs: readonly string[]): void {
  if (inputs.length < 2) throw new FusionError(name, `a fusion needs at least two inputs, got ${inputs.length}${inputs.length ? ` ("${inputs[0]}")` : ''}`);
  const twice = inputs.find((input, i) => inputs.indexOf(input) !== i);
  if (twice !== undefined) throw new FusionError(name, `"${twice}" is listed twice`);
}

function checkMethod(name: string, method: FusionMethod, inputCount: number, normalization: NormalizationName | undefined): void {
  if (method.name === 'rrf') {
    if (!(Number.isInteger(method.k) && method.k >= 0)) throw new FusionError(name, `rrf's k must be a whole number ≥ 0, got ${method.k}`);
    if (normalization !== undefined && normalization !== 'none') throw new FusionError(name, `rrf reads ranks: a normalisation (${normalization}) would change nothing; leave it out`);
  }
  if (method.name === 'wsum') {
    if (method.weights) checkWeights(name, method.weights, inputCount);
    else if (inputCount !== 2) throw new FusionError(name, `wsum over ${inputCount} inputs needs one weight per input (wsum@${Array.from({ length: inputCount }, () => (1 / inputCount).toFixed(2)).join(',')}); the cross-validated weight is for two`);
  }
}

function checkWeights(name: string, weights: readonly number[], inputCount: number): void {
  if (weights.length !== inputCount) throw new FusionError(name, `${weights.length} weights for ${inputCount} inputs: give one per input`);
  const bad = weights.find((w) => !(Number.isFinite(w) && w >= 0));
  if (bad !== undefined) throw new FusionError(name, `weights must be numbers ≥ 0, got ${bad}`);
  if (weights.every((w) => w === 0)) throw new FusionError(name, 'the weights are all 0');
}

/** The method as written in a spec: `rrf@60`, `combsum+min-max`, `wsum@0.3+min-max`, `wsum+min-max`. */
export function formatFusionMethod(method: FusionMethod, normalization: NormalizationName = defaultNormalization(method)): string {
  if (method.name === 'rrf') return `rrf@${method.k}`;
  let text: string = method.name;
  if (method.name === 'wsum' && method.weights) {
    const [w, rest] = method.weights;
    text += `@${method.weights.length === 2 && rest === 1 - w ? w : method.weights.join(',')}`;
  }
  return `${text}+${normalization}`;
}

/** What a fusion did, in a note. */
function describe(method: FusionMethod, normalization: NormalizationName, inputs: readonly string[]): string {
  const list = inputs.join(', ');
  const norm = normalization === 'none' ? 'scores as given' : `${normalization}-normalised scores per query`;
  if (method.name === 'rrf') return `reciprocal rank fusion of ${list} (ranx rrf): score = Σ 1/(${method.k} + rank), ranks counted from 1 in each input's list (score descending, ties by document row); a document an input lacks adds nothing`;
  if (method.name === 'combsum') return `CombSUM of ${list} (ranx comb_sum) over ${norm}; a document an input lacks adds nothing`;
  if (method.name === 'combmnz') return `CombMNZ of ${list} (ranx comb_mnz): the sum of ${norm} × the number of inputs that retrieved the document`;
  const weights = method.weights ? method.weights.map((w, i) => `${w}·${inputs[i]}`).join(' + ') : `W·${inputs[0]} + (1 − W)·${inputs[1]}`;
  return `weighted sum ${weights} (ranx wsum) over ${norm}; a document an input lacks adds nothing`;
}

function depthNote(depth: number, inputs: readonly FusionInput[], depths: readonly number[]): string {
  const each = inputs.map((input, i) => {
    const held = depths[i] < depth ? `holds at most ${depths[i]}` : `${depth}`;
    return `${input.name} ${held}${input.kind === 'report' ? ' (a stored report keeps only its top lists)' : ''}`;
  });
  return `fuses the top ${depth} of each input's list per query (${each.join('; ')}); the fused list keeps every document retrieved`;
}

/** What `--fuse NAME=METHOD:A,B[,…]` asks for: the options of {@link fusionCheckpoint} less the depth. */
export interface FuseSpec {
  name: string;
  inputs: string[];
  method: FusionMethod;
  normalization?: NormalizationName;
}

const METHOD_NAMES: Record<string, FusionMethod['name']> = { rrf: 'rrf', combsum: 'combsum', sum: 'combsum', combmnz: 'combmnz', mnz: 'combmnz', wsum: 'wsum' };

const NUMBER = /^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * Reads `NAME=METHOD:A,B[,…]`: METHOD is `rrf[@K]`, `combsum`, `combmnz`, `wsum[@W | @w1,w2,…]` (ranx's
 * aliases `sum` and `mnz` too), optionally followed by `+NORM` (min-max, max, sum, zmuv, rank, none) for
 * the score-based ones. `wsum@W` weighs A by W and B by 1 − W; without a weight (two inputs) W is
 * cross-validated. Errors ({@link FusionError}) name the spec and what is wrong.
 */
export function parseFuseSpec(text: string): FuseSpec {
  const spec = text.trim();
  const equals = spec.indexOf('=');
  const colon = spec.indexOf(':', equals + 1);
  if (equals <= 0 || colon < 0) throw new FusionError(`--fuse ${spec}`, 'expected NAME=METHOD:A,B (e.g. hybrid=rrf:bm25,model)');
  const name = spec.slice(0, equals).trim();
  const inputs = spec
    .slice(colon + 1)
    .split(',')
    .map((input) => input.trim());
  if (inputs.some((input) => input === '')) throw new FusionError(name, `an empty input name in "${spec.slice(colon + 1)}"`);
  checkInputs(name, inputs);
  const { method, normalization } = parseFusionMethod(spec.slice(equals + 1, colon).trim(), inputs.length, name);
  return { name, inputs, method, ...(normalization ? { normalization } : {}) };
}

/**
 * Reads METHOD[@PARAM][+NORM] (see {@link parseFuseSpec}) for `inputCount` inputs; `context` names the fusion
 * in errors.
 */
function parseFusionMethod(text: string, inputCount: number, context = text): { method: FusionMethod; normalization?: NormalizationName } {
  const match = /^([a-z_]+)(?:@([^+]*))?(?:\+(.*))?$/i.exec(text);
  const name = match ? METHOD_NAMES[match[1].toLowerCase()] : undefined;
  if (!match || !name) {
    throw new FusionError(context, `unknown fusion method "${text}": expected rrf, rrf@K, combsum, combmnz, wsum or wsum@W, optionally +NORM (${NORMALIZATIONS.join(', ')})`);
  }
  const [, , param, norm] = match;
  let normalization: NormalizationName | undefined;
  if (norm !== undefined) {
    const found = normalizationName(norm.trim().toLowerCase());
    if (!found) throw new FusionError(context, `unknown normalisation "${norm}": expected one of ${NORMALIZATIONS.join(', ')}`);
    normalization = found;
  }
  const numbers = (what: string) =>
    param!.split(',').map((part) => {
      const value = part.trim();
      if (!NUMBER.test(value)) throw new FusionError(context, `${what} "${value}" is not a number`);
      return Number(value);
    });
  let method: FusionMethod;
  if (name === 'rrf') {
    const k = param === undefined ? RRF_K : numbers("rrf's k")[0];
    if (param !== undefined && param.includes(',')) throw new FusionError(context, `rrf takes one k, got "${param}"`);
    method = { name, k };
  } else if (name === 'wsum') {
    if (param === undefined) method = { name, weights: null };
    else {
      const weights = numbers('weight');
      if (weights.length === 1) {
        const [w] = weights;
        if (w > 1) throw new FusionError(context, `wsum@W weighs the first input by W and the second by 1 − W: W must lie in [0, 1], got ${w}`);
        if (inputCount !== 2) throw new FusionError(context, `wsum@W is for two inputs; for ${inputCount}, give one weight per input (wsum@w1,…,w${inputCount})`);
        method = { name, weights: [w, 1 - w] };
      } else method = { name, weights };
    }
  } else {
    if (param !== undefined) throw new FusionError(context, `${name} takes no parameter, got "@${param}"`);
    method = { name };
  }
  checkMethod(context, method, inputCount, normalization);
  return { method, ...(normalization ? { normalization } : {}) };
}
