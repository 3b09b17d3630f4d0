/**
 * A `Dense` module's folder as sentence-transformers 6 loads it (`Dense.load`, `Module.load_torch_weights`):
 * `config.json` (in_features, out_features, bias, activation_function, use_residual) and the weights from
 * `model.safetensors`, loaded strictly (a missing or unexpected tensor is an error, as in ST). A
 * `pytorch_model.bin` alone is a pickle, which the lab does not open.
 */
import { DEFAULT_DENSE_ACTIVATION, DENSE_ACTIVATION_NAMES, torchActivation, type DenseActivationName } from './denseActivation.ts';
import type { DenseModule } from './denseLayer.ts';
import { ModelFolderError, readJson, type ModelSource } from './modelSource.ts';
import { parseSafetensors, tensorFloat32, type SafetensorsFile } from './safetensors.ts';
import { pickleProblem } from './safetensorsWeights.ts';
import { sha256Hex } from '../data/sha256.ts';

/** The features key Dense and Normalize read by default: the pooled sentence embedding. */
export const SENTENCE_EMBEDDING = 'sentence_embedding';

export async function readDenseModule(source: ModelSource, path: string, notes: string[]): Promise<DenseModule> {
  const file = `${path}/config.json`;
  const config = await readJson(source, file);
  const fail = (problem: string): never => {
    throw new ModelFolderError(source.name, file, problem);
  };
  if (!config) fail('not found: a Dense module needs in_features and out_features');
  const inFeatures = featureCount(config!, 'in_features', fail);
  const outFeatures = featureCount(config!, 'out_features', fail);
  const bias = flag(config!, 'bias', true, fail);
  const useResidual = flag(config!, 'use_residual', false, fail);
  requireSentenceInput(config!, fail);
  const activation = readActivation(config!, file, notes, fail);
  const weights = await readDenseWeights(source, path);
  const expected: Record<string, number[]> = { 'linear.weight': [outFeatures, inFeatures] };
  if (bias) expected['linear.bias'] = [outFeatures];
  if (useResidual && inFeatures !== outFeatures) expected['residual.weight'] = [outFeatures, inFeatures];
  const tensors = readExpectedTensors(weights, expected, file);
  const residual = !useResidual ? null : inFeatures === outFeatures ? 'identity' : tensors['residual.weight'];
  const weightsFile = { file: weights.file, sha256: await sha256Hex(weights.bytes) };
  return { kind: 'dense', path, inFeatures, outFeatures, activation, weight: tensors['linear.weight'], bias: bias ? tensors['linear.bias'] : null, residual, weightsFile };
}

function featureCount(config: Record<string, unknown>, key: string, fail: (problem: string) => never): number {
  const value = config[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(`${key} must be a positive integer, found ${JSON.stringify(value)}`);
  return value as number;
}

function flag(config: Record<string, unknown>, key: string, fallback: boolean, fail: (problem: string) => never): boolean {
  const value = config[key] ?? fallback;
  if (typeof value !== 'boolean') fail(`${key} must be true or false, found ${JSON.stringify(config[key])}`);
  return value as boolean;
}

/** A Dense over token embeddings (ColBERT-style heads) changes what pooling sees; the lab pools first. */
function requireSentenceInput(config: Record<string, unknown>, fail: (problem: string) => never): void {
  for (const key of ['module_input_name', 'module_output_name']) {
    const value = config[key];
    if (value !== undefined && value !== null && value !== SENTENCE_EMBEDDING) {
      fail(`${key} is ${JSON.stringify(value)}; the lab runs Dense modules on the pooled "${SENTENCE_EMBEDDING}" only`);
    }
  }
}

/**
 * Dense's rule: no key → Tanh (the constructor default); a path under `torch.` → that class; any other
 * path is not trusted without `trust_remote_code`, so ST warns and falls back to Tanh — and so does the lab.
 */
function readActivation(config: Record<string, unknown>, file: string, notes: string[], fail: (problem: string) => never): DenseActivationName {
  const path = config.activation_function;
  if (path === undefined) return DEFAULT_DENSE_ACTIVATION;
  if (typeof path !== 'string') return fail(`activation_function must be a class path such as torch.nn.modules.activation.Tanh, found ${JSON.stringify(path)}`);
  if (!path.startsWith('torch.')) {
    notes.push(`${file}: activation_function ${path} is not a torch class; like sentence-transformers without trust_remote_code, Tanh is used.`);
    return DEFAULT_DENSE_ACTIVATION;
  }
  return torchActivation(path) ?? fail(`activation_function ${path} is not one the lab computes (${DENSE_ACTIVATION_NAMES.join(', ')})`);
}

async function readDenseWeights(source: ModelSource, path: string): Promise<SafetensorsFile> {
  const file = `${path}/model.safetensors`;
  const bytes = await source.read(file);
  if (bytes) return parseSafetensors(bytes, source.name, file);
  const pickle = `${path}/pytorch_model.bin`;
  if (await source.read(pickle)) throw new ModelFolderError(source.name, pickle, pickleProblem(source.name));
  throw new ModelFolderError(source.name, file, 'not found (nor pytorch_model.bin): the Dense module has no weights');
}

/** Every expected tensor with its shape, and nothing else (ST loads Dense weights strictly). */
function readExpectedTensors(weights: SafetensorsFile, expected: Record<string, number[]>, configFile: string): Record<string, Float32Array> {
  const fail = (problem: string): never => {
    throw new ModelFolderError(weights.source, weights.file, problem);
  };
  const missing = Object.keys(expected).filter((name) => !weights.byName.has(name));
  if (missing.length) fail(`has no tensor ${missing.map((n) => JSON.stringify(n)).join(', ')} (it has ${[...weights.byName.keys()].join(', ') || 'none'})`);
  const unexpected = [...weights.byName.keys()].filter((name) => !(name in expected));
  if (unexpected.length) fail(`holds ${unexpected.map((n) => JSON.stringify(n)).join(', ')}, which ${configFile} does not call for`);
  const out: Record<string, Float32Array> = {};
  for (const [name, dims] of Object.entries(expected)) {
    const entry = weights.byName.get(name)!;
    if (entry.shape.length !== dims.length || entry.shape.some((d, i) => d !== dims[i])) {
      fail(`tensor "${name}" has shape [${entry.shape.join(', ')}] but ${configFile} implies [${dims.join(', ')}]`);
    }
    out[name] = tensorFloat32(entry);
  }
  return out;
}
