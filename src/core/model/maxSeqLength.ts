/**
 * `max_seq_length` as sentence-transformers 6 derives it (sentence_transformers/base/modules/transformer.py,
 * `Transformer.__init__` and `_load_init_kwargs`):
 *
 *   if max_seq_length is not None and "model_max_length" not in processor_kwargs:
 *       processor_kwargs["model_max_length"] = max_seq_length
 *   …AutoProcessor.from_pretrained(…, **processor_kwargs)
 *   if "model_max_length" not in processor_kwargs and config.max_position_embeddings != -1:
 *       tokenizer.model_max_length = min(tokenizer.model_max_length, config.max_position_embeddings)
 *
 * So a `max_seq_length` in the module config (the ≤ 5.3 layout), or `model_max_length` in its
 * `processor_kwargs` / legacy `tokenizer_args`, is taken as it is, unbounded; otherwise (the ≥ 5.4 layout)
 * it is `tokenizer_config.json`'s `model_max_length` — transformers' int(1e30) sentinel when absent —
 * bounded by `max_position_embeddings` (no RoBERTa offset is subtracted there).
 *
 * Where that exceeds the positions the model's table really holds (RoBERTa-style families count from
 * `padding_idx + 1`), sentence-transformers would fail on the longer texts; the lab truncates there instead,
 * and says so. Where nothing bounds it, transformers does not truncate at all; the lab uses a default.
 */

/** The module config files `Transformer.load_config` tries, in order; the first non-empty one counts. */
export const SBERT_CONFIG_FILES = [
  'sentence_bert_config.json',
  'sentence_roberta_config.json',
  'sentence_distilbert_config.json',
  'sentence_camembert_config.json',
  'sentence_albert_config.json',
  'sentence_xlm-roberta_config.json',
  'sentence_xlnet_config.json',
] as const;

/** transformers' LARGE_INTEGER: a `model_max_length` above it means "no maximum" (tokenization_utils_base.py). */
const NO_MAXIMUM_ABOVE = 1e20;

/** The lab's length when nothing bounds it, stated to the user whenever it applies. */
export const DEFAULT_MAX_SEQ_LENGTH = 256;

/**
 * Families whose position ids start at `padding_idx + 1`, so `max_position_embeddings − padding_idx − 1`
 * real tokens fit: `padding_idx` is `pad_token_id`, except MPNet, which hard-codes 1 (modeling_mpnet.py).
 */
const POSITION_OFFSET: Record<string, (config: Record<string, unknown>) => number> = {
  roberta: padTokenId,
  'xlm-roberta': padTokenId,
  camembert: padTokenId,
  'xlm-roberta-xl': padTokenId,
  'data2vec-text': padTokenId,
  xmod: padTokenId,
  ibert: padTokenId,
  mpnet: () => 1,
};

function padTokenId(config: Record<string, unknown>): number {
  return typeof config.pad_token_id === 'number' ? config.pad_token_id : 1;
}

export interface MaxSeqLengthInputs {
  /** The module config (`sentence_bert_config.json` or a legacy name), and which file it was. */
  sbertConfig: Record<string, unknown> | null;
  sbertFile: string;
  tokenizerConfig: Record<string, unknown>;
  /** config.json, when the folder has one. */
  config: Record<string, unknown> | null;
}

export interface MaxSeqLength {
  value: number;
  /** Where the value came from, in a few words: also the first note. */
  source: string;
  notes: string[];
}

export function deriveMaxSeqLength(inputs: MaxSeqLengthInputs): MaxSeqLength {
  const st = sentenceTransformersValue(inputs);
  const notes: string[] = [];
  let value = st.value;
  let source = st.source;
  if (value > NO_MAXIMUM_ABOVE) {
    value = DEFAULT_MAX_SEQ_LENGTH;
    source = `the lab's default, as nothing bounds the length (${st.source}) and sentence-transformers would not truncate`;
  }
  const positions = usablePositions(inputs.config);
  if (positions !== null && value > positions.count) {
    notes.push(
      `max_seq_length ${value} (${source}) exceeds max_position_embeddings ${positions.table}` +
        (positions.offset ? ` less the ${positions.offset} positions its family skips` : '') +
        `: using ${positions.count}; sentence-transformers would fail on longer texts.`,
    );
    return { value: positions.count, source: `bounded by max_position_embeddings ${positions.table}`, notes };
  }
  notes.unshift(`max_seq_length ${value}: ${source}.`);
  return { value, source, notes };
}

/** What `Transformer.max_seq_length` reports after loading (possibly transformers' 1e30 sentinel). */
function sentenceTransformersValue({ sbertConfig, sbertFile, tokenizerConfig, config }: MaxSeqLengthInputs): { value: number; source: string } {
  // `tokenizer_args` is renamed to `processor_kwargs`, replacing it when both are present.
  const kwargsKey = isObject(sbertConfig?.tokenizer_args) ? 'tokenizer_args' : 'processor_kwargs';
  const kwargs = isObject(sbertConfig?.[kwargsKey]) ? (sbertConfig![kwargsKey] as Record<string, unknown>) : {};
  if (typeof kwargs.model_max_length === 'number') {
    return { value: kwargs.model_max_length, source: `${sbertFile}'s ${kwargsKey}.model_max_length` };
  }
  if (typeof sbertConfig?.max_seq_length === 'number') return { value: sbertConfig.max_seq_length, source: `${sbertFile}'s max_seq_length` };
  const declared = typeof tokenizerConfig.model_max_length === 'number' ? tokenizerConfig.model_max_length : null;
  const positions = typeof config?.max_position_embeddings === 'number' && config.max_position_embeddings !== -1 ? config.max_position_embeddings : null;
  const tokenizer = declared ?? Infinity;
  if (positions !== null && positions < tokenizer) {
    const why = declared === null ? 'sets none' : declared > NO_MAXIMUM_ABOVE ? 'holds the "unknown" sentinel' : `says ${declared}`;
    return { value: positions, source: `config.json's max_position_embeddings (tokenizer_config.json's model_max_length ${why})` };
  }
  if (declared === null) return { value: tokenizer, source: 'no model_max_length in tokenizer_config.json, no max_position_embeddings in config.json' };
  return { value: declared, source: declared > NO_MAXIMUM_ABOVE ? 'tokenizer_config.json\'s model_max_length is the "unknown" sentinel, config.json has no max_position_embeddings' : "tokenizer_config.json's model_max_length" };
}

interface Positions {
  table: number;
  offset: number;
  /** Real tokens that get a position. */
  count: number;
}

function usablePositions(config: Record<string, unknown> | null): Positions | null {
  const table = config?.max_position_embeddings;
  if (typeof table !== 'number' || table <= 0) return null;
  const family = typeof config!.model_type === 'string' ? config!.model_type : '';
  const offset = POSITION_OFFSET[family] ? POSITION_OFFSET[family](config!) + 1 : 0;
  return { table, offset, count: table - offset };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
