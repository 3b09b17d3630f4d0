import { Tokenizer } from '@huggingface/tokenizers';
import { DataError } from '../data/dataset.ts';
import { ModelFolderError } from './modelSource.ts';
import { type CutRule, lastCut, prefixCutRule } from './prefixCuts.ts';
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
  /** Characters of a text tokenized first; a longer text is read in prefixes that double from here. */
  readonly firstReadChars: number;
  /** The most characters read from one text: past it, a text that never gave enough tokens is refused. */
  readonly maxReadChars: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxSeqLength: number,
    specials: { prefix: number[]; suffix: number[]; pad: number; all: Set<number> },
    /** Where a text can be cut without changing its first tokens, or null: texts are then read whole. */
    private readonly cutRule: CutRule | null,
  ) {
    this.firstReadChars = maxSeqLength * FIRST_READ_CHARS_PER_TOKEN;
    this.maxReadChars = Math.max(MIN_MAX_READ_CHARS, maxSeqLength * MAX_READ_CHARS_PER_TOKEN);
    this.specialIds = specials.all;
    this.prefixIds = specials.prefix;
    this.suffixIds = specials.suffix;
    this.padId = specials.pad;
    this.vocabSize = tokenizer.get_vocab(true).size;
  }

  static fromSpec(spec: ModelSpec): TextTokenizer {
    const shape = tokenizerShapeProblem(spec.tokenizerJson);
    if (shape) throw new ModelFolderError(spec.name, 'tokenizer.json', `${shape.field}: ${shape.problem}`);
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(spec.tokenizerJson, spec.tokenizerConfig);
    } catch (error) {
      throw new ModelFolderError(spec.name, 'tokenizer.json', `cannot be loaded (${(error as Error).message})`);
    }
    const specials = readSpecials(spec, tokenizer);
    const result = new TextTokenizer(tokenizer, spec.maxSeqLength, specials, prefixCutRule(spec.tokenizerJson, spec.tokenizerConfig));
    result.checkIds(spec);
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

  /**
   * A probe through the whole pipeline: every id it gives must be a token id. A file whose shapes pass
   * can still map a piece to nothing (an unk_token the vocabulary lacks), which would reach the model as
   * "Cannot convert undefined to a BigInt".
   */
  private checkIds(spec: ModelSpec): void {
    let ids: number[];
    try {
      ids = this.encode(PROBE);
    } catch (error) {
      throw new ModelFolderError(spec.name, 'tokenizer.json', `cannot tokenize a probe text (${(error as Error).message})`);
    }
    const bad = ids.find((id) => !Number.isSafeInteger(id) || id < 0 || id >= Math.max(this.vocabSize, spec.vocabSize ?? 0));
    if (bad !== undefined) {
      throw new ModelFolderError(spec.name, 'tokenizer.json', `gives token id ${String(bad)} for a probe text, which is no token of its ${this.vocabSize}: is its unk_token in model.vocab?`);
    }
  }

  /**
   * Token ids of `prompt + text`, specials included, truncated to `maxSeqLength` — equal to tokenizing the
   * whole text and truncating, but a long text is tokenized only as far as truncation needs: a prefix cut
   * where the cut cannot change its tokens (see prefixCuts.ts), doubling until it gives enough tokens. A
   * text longer than {@link maxReadChars} that gives too few tokens before that is refused
   * ({@link UncuttableTextError}) rather than tokenized whole (100 MB of one word took 4.5 GB).
   */
  encode(text: string, prompt = ''): number[] {
    const room = this.maxSeqLength - this.prefixIds.length - this.suffixIds.length;
    const body = this.bodyIds(prompt + text, room, text);
    return [...this.prefixIds, ...(body.length > room ? body.slice(0, room) : body), ...this.suffixIds];
  }

  private bodyIds(full: string, room: number, text: string): number[] {
    const tokenize = (part: string) => this.tokenizer.encode(part, { add_special_tokens: false }).ids;
    if (full.length <= this.firstReadChars) return tokenize(full);
    if (!this.cutRule) {
      if (full.length > this.maxReadChars) throw new UncuttableTextError(text, full.length, this.maxReadChars, 'its tokenizer has no place it can cut a text at without changing its tokens');
      return tokenize(full);
    }
    let cut = 0;
    for (let budget = this.firstReadChars; ; budget = Math.min(budget * 2, this.maxReadChars)) {
      if (budget >= full.length) return tokenize(full);
      const found = lastCut(full, budget, cut, this.cutRule);
      if (found > cut) {
        cut = found;
        const ids = tokenize(full.slice(0, cut));
        if (ids.length >= room) return ids;
      }
      if (budget === this.maxReadChars) {
        throw new UncuttableTextError(text, full.length, this.maxReadChars, `its first ${this.maxReadChars} characters give fewer than the ${room} tokens kept, or hold no space between words to cut at`);
      }
    }
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

/** A text's first read: max_seq_length × 64 characters (a word piece averages 3–6). */
const FIRST_READ_CHARS_PER_TOKEN = 64;
/** At most max_seq_length × 256 characters, and at least 100 000, are read of one text. */
const MAX_READ_CHARS_PER_TOKEN = 256;
const MIN_MAX_READ_CHARS = 100_000;

/**
 * A text too long to tokenize whole that cannot be cut short either: no run of real text is like it (it
 * would need {@link TextTokenizer.maxReadChars} characters without a space, or of only spaces). `text` is
 * the text itself, so a caller can say where it came from; the message never echoes more than its start.
 */
export class UncuttableTextError extends DataError {
  constructor(
    readonly text: string,
    length: number,
    limit: number,
    why: string,
  ) {
    super({
      file: `text ${JSON.stringify(text.length > 24 ? `${text.slice(0, 24)}…` : text)}`,
      message: `is ${length} characters long and ${why}: a text longer than ${limit} characters is read only as far as its tokens need, and no further (the limit)`,
    });
    this.name = 'UncuttableTextError';
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

/** Letters, digits, punctuation, accents, a CJK character, an emoji and an unknown word: pieces of every kind. */
const PROBE = 'Hello, World! 123 naïve café — 東京 🙂 zqxjvkw';

const MODEL_TYPES = ['WordPiece', 'BPE', 'Unigram', 'WordLevel'];
/** The pipeline's stages, and the key a `Sequence` of each keeps its steps under. */
const STAGES = { normalizer: 'normalizers', pre_tokenizer: 'pretokenizers', post_processor: 'processors', decoder: 'decoders' } as const;

/** What a value is, as a message says it after "is": "a string (\"abc\")", "null", "a list", "missing". */
function kindOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}…` : value)})`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'number' ? 'a number' : `a ${typeof value}`} (${String(value)})`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * The first field of a tokenizer.json whose shape is not what the Hugging Face tokenizers format has — the
 * field's path and what is wrong — or null. Checked before the file is handed to the tokenizer library,
 * whose own errors for such files ("… is not iterable", "Unknown Normalizer type: undefined", or none at all,
 * encoding every text as unknown tokens) do not say which field is wrong.
 */
export function tokenizerShapeProblem(json: Record<string, unknown>): { field: string; problem: string } | null {
  const model = json.model;
  if (!isRecord(model)) return { field: 'model', problem: `is ${kindOf(model)}: expected an object (type, vocab, …)` };
  const type = model.type ?? (Array.isArray(model.vocab) ? 'Unigram' : model.merges !== undefined ? 'BPE' : 'WordPiece');
  if (typeof type !== 'string' || !MODEL_TYPES.includes(type)) return { field: 'model.type', problem: `is ${kindOf(type)}: expected one of ${MODEL_TYPES.join(', ')}` };
  const vocab = model.vocab;
  if (type === 'Unigram') {
    if (!Array.isArray(vocab)) return { field: 'model.vocab', problem: `is ${kindOf(vocab)}: a Unigram model's vocab is a list of [piece, score] pairs` };
    const at = vocab.findIndex((e) => !Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'number');
    if (at >= 0) return { field: `model.vocab[${at}]`, problem: `is ${kindOf(vocab[at])}: expected a [piece, score] pair` };
    if (model.unk_id !== undefined && model.unk_id !== null && !(isId(model.unk_id) && (model.unk_id as number) < vocab.length)) {
      return { field: 'model.unk_id', problem: `is ${kindOf(model.unk_id)}: expected the index of a piece of model.vocab (0 to ${vocab.length - 1})` };
    }
  } else {
    if (!isRecord(vocab)) return { field: 'model.vocab', problem: `is ${kindOf(vocab)}: expected an object mapping each token to its id` };
    const entries = Object.entries(vocab);
    if (!entries.length) return { field: 'model.vocab', problem: 'is empty: a tokenizer needs tokens' };
    const bad = entries.find(([, id]) => !isId(id));
    if (bad) return { field: `model.vocab[${JSON.stringify(bad[0])}]`, problem: `is ${kindOf(bad[1])}: a token's id is an integer ≥ 0` };
    const unk = model.unk_token;
    if (unk !== undefined && unk !== null && typeof unk !== 'string') return { field: 'model.unk_token', problem: `is ${kindOf(unk)}: expected a token` };
    if ((type === 'WordPiece' || type === 'WordLevel') && typeof unk === 'string' && !(unk in vocab)) {
      return { field: 'model.unk_token', problem: `${JSON.stringify(unk)} is not in model.vocab: every unknown word would map to no id` };
    }
    if (type === 'WordPiece' && model.continuing_subword_prefix !== undefined && typeof model.continuing_subword_prefix !== 'string') {
      return { field: 'model.continuing_subword_prefix', problem: `is ${kindOf(model.continuing_subword_prefix)}: expected a string (e.g. "##")` };
    }
    if (type === 'BPE') {
      const merges = model.merges;
      if (!Array.isArray(merges)) return { field: 'model.merges', problem: `is ${kindOf(merges)}: a BPE model's merges are a list ("a b" or ["a", "b"])` };
      const at = merges.findIndex((m) => !(typeof m === 'string' ? m.includes(' ') : Array.isArray(m) && m.length === 2 && m.every((p) => typeof p === 'string')));
      if (at >= 0) return { field: `model.merges[${at}]`, problem: `is ${kindOf(merges[at])}: expected a merge ("a b" or ["a", "b"])` };
    }
  }
  const added = json.added_tokens;
  if (added !== undefined && added !== null) {
    if (!Array.isArray(added)) return { field: 'added_tokens', problem: `is ${kindOf(added)}: expected a list of tokens ({ id, content, special, … })` };
    for (const [i, token] of added.entries()) {
      if (!isRecord(token)) return { field: `added_tokens[${i}]`, problem: `is ${kindOf(token)}: expected an object ({ id, content, special, … })` };
      if (!isId(token.id)) return { field: `added_tokens[${i}].id`, problem: `is ${kindOf(token.id)}: expected an integer ≥ 0` };
      if (typeof token.content !== 'string') return { field: `added_tokens[${i}].content`, problem: `is ${kindOf(token.content)}: expected the token's text` };
      for (const flag of ['special', 'single_word', 'lstrip', 'rstrip', 'normalized']) {
        if (token[flag] !== undefined && typeof token[flag] !== 'boolean') return { field: `added_tokens[${i}].${flag}`, problem: `is ${kindOf(token[flag])}: expected true or false` };
      }
    }
  }
  for (const [stage, steps] of Object.entries(STAGES)) {
    const problem = stageProblem(json[stage], stage, steps);
    if (problem) return problem;
  }
  const processor = json.post_processor;
  if (isRecord(processor) && processor.type === 'TemplateProcessing') {
    for (const key of ['single', 'pair']) {
      if (processor[key] !== undefined && !Array.isArray(processor[key])) return { field: `post_processor.${key}`, problem: `is ${kindOf(processor[key])}: expected a list of pieces ({ Sequence } or { SpecialToken })` };
    }
    if (processor.special_tokens !== undefined && !isRecord(processor.special_tokens)) return { field: 'post_processor.special_tokens', problem: `is ${kindOf(processor.special_tokens)}: expected an object` };
  }
  if (isRecord(processor) && (processor.type === 'BertProcessing' || processor.type === 'RobertaProcessing')) {
    for (const key of ['sep', 'cls']) {
      const pair = processor[key];
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !isId(pair[1])) return { field: `post_processor.${key}`, problem: `is ${kindOf(pair)}: expected [token, id]` };
    }
  }
  return null;
}

/** A pipeline stage: absent, null, or an object with a type (a Sequence's steps each one too). */
function stageProblem(value: unknown, field: string, steps: string): { field: string; problem: string } | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) return { field, problem: `is ${kindOf(value)}: expected null or an object with a type` };
  if (typeof value.type !== 'string') return { field: `${field}.type`, problem: `is ${kindOf(value.type)}: expected the name of a ${field.replace('_', '-')}` };
  if (value.type === 'Sequence') {
    const list = value[steps];
    if (!Array.isArray(list)) return { field: `${field}.${steps}`, problem: `is ${kindOf(list)}: a Sequence lists its steps` };
    for (const [i, step] of list.entries()) {
      const problem = stageProblem(step, `${field}.${steps}[${i}]`, steps);
      if (problem) return problem;
    }
  }
  return null;
}
