import { Tokenizer } from '@huggingface/tokenizers';
import { ModelFolderError } from './modelSource.ts';
import type { ModelSpec } from './modelSpec.ts';

/**
 * The model's tokenizer with sentence-transformers' truncation: specials + the first
 * `maxSeqLength − specials` word pieces. `tokenizer.json`'s own `truncation`/`padding` blocks are ignored on
 * purpose: exports often carry a stale 128 there, while the length that counts is `max_seq_length`.
 * A prompt is prepended to the text before tokenization, as sentence-transformers does (`prompt + text`),
 * so it counts towards the length.
 */
export class TextTokenizer {
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  readonly padId: number;
  readonly vocabSize: number;
  /** Ids of the tokenizer's special tokens (`added_tokens` marked special): transformers' `all_special_ids`. */
  readonly specialIds: ReadonlySet<number>;
  private readonly promptLengths = new Map<string, number>();

  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxSeqLength: number,
    specials: { prefix: number[]; suffix: number[]; pad: number; all: Set<number> },
  ) {
    this.specialIds = specials.all;
    this.prefixIds = specials.prefix;
    this.suffixIds = specials.suffix;
    this.padId = specials.pad;
    this.vocabSize = tokenizer.get_vocab(true).size;
  }

  static fromSpec(spec: ModelSpec): TextTokenizer {
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(spec.tokenizerJson, spec.tokenizerConfig);
    } catch (error) {
      throw new ModelFolderError(spec.name, 'tokenizer.json', `cannot be loaded (${(error as Error).message})`);
    }
    const specials = readSpecials(spec, tokenizer);
    const result = new TextTokenizer(tokenizer, spec.maxSeqLength, specials);
    if (spec.vocabSize !== null && result.vocabSize > spec.vocabSize) {
      throw new ModelFolderError(
        spec.name,
        'tokenizer.json',
        `has ${result.vocabSize} tokens but config.json vocab_size is ${spec.vocabSize}: tokenizer and model do not belong together`,
      );
    }
    if (spec.maxSeqLength <= specials.prefix.length + specials.suffix.length) {
      throw new ModelFolderError(spec.name, 'sentence_bert_config.json', `max_seq_length ${spec.maxSeqLength} leaves no room for text`);
    }
    return result;
  }

  /** Token ids of `prompt + text`, specials included, truncated to `maxSeqLength`. */
  encode(text: string, prompt = ''): number[] {
    const body = this.tokenizer.encode(prompt + text, { add_special_tokens: false }).ids;
    const room = this.maxSeqLength - this.prefixIds.length - this.suffixIds.length;
    return [...this.prefixIds, ...(body.length > room ? body.slice(0, room) : body), ...this.suffixIds];
  }

  /**
   * How many leading tokens Pooling leaves out when `include_prompt` is false, computed as
   * sentence-transformers' `Transformer._get_prompt_length` does: the prompt tokenized alone (specials
   * included, truncated), less one when its last token is special (the trailing [SEP] / </s>). The count
   * includes the leading [CLS] / <s>; it is not re-derived from `prompt + text`, whose tokens can split
   * differently at the seam.
   */
  promptLength(prompt: string): number {
    if (prompt === '') return 0;
    let length = this.promptLengths.get(prompt);
    if (length === undefined) {
      const ids = this.encode('', prompt);
      length = ids.length - (this.specialIds.has(ids[ids.length - 1]) ? 1 : 0);
      this.promptLengths.set(prompt, length);
    }
    return length;
  }
}

/** Specials around a single sequence, read from the post-processor the way `tokenizers` applies them. */
function readSpecials(spec: ModelSpec, tokenizer: Tokenizer): { prefix: number[]; suffix: number[]; pad: number; all: Set<number> } {
  const processor = spec.tokenizerJson.post_processor as Record<string, unknown> | null | undefined;
  const idOf = (token: string): number => {
    const id = tokenizer.token_to_id(token);
    if (id === undefined) throw new ModelFolderError(spec.name, 'tokenizer.json', `special token ${token} is not in the vocabulary`);
    return id;
  };
  const prefix: number[] = [];
  const suffix: number[] = [];
  if (processor?.type === 'TemplateProcessing' && Array.isArray(processor.single)) {
    let seenSequence = false;
    for (const piece of processor.single as Record<string, { id: string }>[]) {
      if (piece.Sequence) seenSequence = true;
      else if (piece.SpecialToken) (seenSequence ? suffix : prefix).push(idOf(piece.SpecialToken.id));
    }
  } else if (processor?.type === 'BertProcessing' || processor?.type === 'RobertaProcessing') {
    const [, clsId] = processor.cls as [string, number];
    const [, sepId] = processor.sep as [string, number];
    prefix.push(clsId);
    suffix.push(sepId);
  } else if (processor) {
    throw new ModelFolderError(spec.name, 'tokenizer.json', `post_processor type ${String(processor.type)} is not supported`);
  }
  const padToken = typeof spec.tokenizerConfig.pad_token === 'string' ? spec.tokenizerConfig.pad_token : '[PAD]';
  const pad = tokenizer.token_to_id(padToken) ?? 0;
  return { prefix, suffix, pad, all: new Set([...prefix, ...suffix, ...addedSpecialIds(spec.tokenizerJson)]) };
}

function addedSpecialIds(tokenizerJson: Record<string, unknown>): number[] {
  const added = Array.isArray(tokenizerJson.added_tokens) ? (tokenizerJson.added_tokens as { id?: unknown; special?: unknown }[]) : [];
  return added.filter((token) => token.special === true && typeof token.id === 'number').map((token) => token.id as number);
}
