/**
 * config.json + the checkpoint's tensors → an ONNX encoder graph (inputs `input_ids`, `attention_mask`
 * and, where the family has them, `token_type_ids`; output `last_hidden_state`), chosen by `model_type`.
 * The graph is what `OrtRunner` runs for an exported model, so every backend, the int8 quantizer and the
 * embedding cache treat a built graph as they treat an export.
 */
import { ModelFolderError } from '../modelSource.ts';
import type { Weights } from '../weights.ts';
import type { SerializedModel } from '../../onnx/graphBuilder.ts';
import { buildBert } from './bert.ts';
import { buildDistilBert } from './distilbert.ts';
import { buildModernBert } from './modernbert.ts';
import { buildMpnet } from './mpnet.ts';

export interface BuiltEncoder {
  /** The graph laid out, written only when asked: into memory ({@link modelBytes}) or piece by piece to a file. */
  model: SerializedModel;
  /** The family the graph was built as (`bert`, `roberta`, …), for the report. */
  family: string;
}

/** One family: how to build it, and one tensor every checkpoint of it has (to find a name prefix). */
interface Family {
  build(config: Record<string, unknown>, weights: Weights, modelType: string): SerializedModel;
  probe: string;
}

const FAMILIES: Record<string, Family> = {
  bert: { build: buildBert, probe: 'embeddings.word_embeddings.weight' },
  roberta: { build: buildBert, probe: 'embeddings.word_embeddings.weight' },
  'xlm-roberta': { build: buildBert, probe: 'embeddings.word_embeddings.weight' },
  camembert: { build: buildBert, probe: 'embeddings.word_embeddings.weight' },
  distilbert: { build: buildDistilBert, probe: 'embeddings.word_embeddings.weight' },
  mpnet: { build: buildMpnet, probe: 'embeddings.word_embeddings.weight' },
  modernbert: { build: buildModernBert, probe: 'embeddings.tok_embeddings.weight' },
};

const BUILT_FAMILIES = Object.keys(FAMILIES);

export function buildEncoder(config: Record<string, unknown>, weights: Weights): BuiltEncoder {
  const modelType = config.model_type;
  if (typeof modelType !== 'string') {
    throw new ModelFolderError(weights.source, 'config.json', `has no model_type; the lab builds ${BUILT_FAMILIES.join(', ')}`);
  }
  const family = FAMILIES[modelType];
  if (!family) {
    throw new ModelFolderError(
      weights.source,
      'config.json',
      `model_type "${modelType}" is not a family the lab can build from safetensors; it builds ${BUILT_FAMILIES.join(', ')} (export this model to ONNX to run it here)`,
    );
  }
  return { model: family.build(config, withoutPrefix(weights, family.probe), modelType), family: modelType };
}

/**
 * Checkpoints saved from a task model carry the base model's prefix (`bert.embeddings…`, `model.layers…`):
 * the tensors under the prefix that holds the family's probe tensor are served without it.
 */
function withoutPrefix(weights: Weights, probe: string): Weights {
  if (weights.has(probe)) return weights;
  const holder = weights.names.find((name) => name.endsWith(`.${probe}`));
  if (!holder) return weights;
  const prefix = holder.slice(0, holder.length - probe.length);
  const full = (name: string) => prefix + name;
  const names = weights.names.filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
  return {
    source: weights.source,
    names,
    has: (name) => weights.has(full(name)),
    dims: (name) => weights.dims(full(name)),
    float32: (name) => weights.float32(full(name)),
    fileOf: (name) => weights.fileOf(full(name)),
    dtypeOf: (name) => weights.dtypeOf(full(name)),
  };
}
